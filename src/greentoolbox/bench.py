"""Benchmark: build N synthetic toolkits in L languages and compare with a plain-MkDocs floor.

    greentoolbox bench --toolkits N --languages L [--json] [--keep DIR] [--no-browser]
    python -m greentoolbox.bench lighthouse --site site/      (Lighthouse scores of a built site)

What it does, in a temporary folder:

1. **Synthetic toolkits.** Each is a copy of one of the real toolkits in ``toolkits/`` (its
   *family*: toolkit ``i`` copies real toolkit ``i mod R``, of the R real ones in id order) with
   every translatable text replaced by new text of about the same length, drawn from a pool of
   sentences made by an order-2 word Markov chain trained on the English of that real toolkit
   (so vocabulary, sentence length and gzip ratio are realistic, no two pages are alike, and a
   mangrove toolkit talks of mangroves while a cold room's talks of cold rooms, as in a real
   catalog: a chain over all toolkits at once put every topic's words on every page), with
   numbers varied; ids, titles, countries, vocabulary terms, standards and related toolkits are
   picked from the real registries, so every file validates.
2. **Translations.** One catalog per language and toolkit, made by the engine
   (``translate.update_catalog``/``po_text``, what ``update_all`` writes), every msgstr filled
   with text in that language: a Markov chain over the words (Chinese: characters) of the
   shipped catalog of the toolkit's family in that language (all the language's catalogs if that
   one is short), scaled to that language's measured length ratio. UI and registry catalogs are
   the shipped ones.
3. **Build.** ``greentoolbox build`` (what ``make build`` and the deploy run) of a copy of the
   site (mkdocs.yml with the first L languages, hooks/, overrides/, hand-written docs/) in a
   subprocess, which reports the wall time of each phase: load+validate (the toolkits),
   check+translate+render+write (a forked worker per language: its catalogs, its pages, its
   part of the open data), the languages (one MkDocs build and one Pagefind index per language,
   ``--jobs`` at a time; the open data are joined meanwhile) and the merge of the search indexes
   and sitemaps. Peak memory is the largest peak resident set (``VmHWM``) of the build process,
   a render worker, a MkDocs worker or a Pagefind run.
4. **Floor.** The same Markdown pages (every language, suffix files moved to ``<lang>/``
   folders, fallback pages copied) built by plain MkDocs + Material, without static-i18n,
   without the hook and without search. ``ratio = build / floor``.
5. **Page weight** (gzip of a toolkit page's HTML and the CSS and JS it loads) and **bytes to a
   first search**: the built site served on loopback, a toolkit page opened in headless
   Chromium, every response counted before searching and until the first result appears.

The last line with ``--json`` is one JSON object (keys listed in ``_summary``).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import yaml

from .export import GENERATED_DIRS

LANGS = ("en", "zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------
# Text


class Markov:
    """An order-2 Markov chain over tokens (words, or characters for Chinese)."""

    def __init__(self, texts: list[str], chars: bool = False) -> None:
        self.chars = chars
        self.next: dict[tuple, list[str]] = defaultdict(list)
        self.starts: list[tuple] = []
        for text in texts:
            tokens = list(text) if chars else text.split()
            if len(tokens) < 3:
                continue
            self.starts.append((tokens[0], tokens[1]))
            for a, b, c in zip(tokens, tokens[1:], tokens[2:]):
                self.next[(a, b)].append(c)
            self.next[(tokens[-2], tokens[-1])].append("")

    def sentence(self, rng: random.Random, limit: int = 60) -> str:
        a, b = rng.choice(self.starts)
        out = [a, b]
        while len(out) < limit:
            c = rng.choice(self.next.get((a, b)) or [""])
            if not c:
                break
            out.append(c)
            a, b = b, c
        return ("" if self.chars else " ").join(out)


# links, Markdown and HTML marks, and %(name)s / {name} placeholders (UI strings have them)
_CLEAN = re.compile(r"https?://\S+|%\(\w+\)[sd]|\{\w*\}|javascript:|[*_`#<>\[\]{}|\\]|\(\s*\)", re.I)
_DIGITS = re.compile(r"\d+")


def _clean(text: str) -> str:
    from .load import forbidden_characters

    text = " ".join(_CLEAN.sub("", text).split())
    bad = {i for i, _ in forbidden_characters(text)}
    return "".join(c for i, c in enumerate(text) if i not in bad)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?。！？؟])\s*", _clean(text)) if len(s) > 8]


class Writer:
    """Text of a requested length in one language, from a pool of generated sentences."""

    def __init__(self, texts: list[str], rng: random.Random, chars: bool = False, pool: int = 6000) -> None:
        corpus = [s for t in texts for s in _sentences(t)]
        chain = Markov(corpus, chars=chars)
        self.rng = rng
        self.joiner = "" if chars else " "
        self.pool = [chain.sentence(rng) for _ in range(pool)] if chain.starts else corpus

    def _number(self, digits: str) -> str:
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(self.rng.randint(1990, 2026))  # a year stays a plausible year
        return str(self.rng.randint(10 ** (len(digits) - 1) if len(digits) > 1 else 0, 10 ** len(digits) - 1))

    def _numbers(self, text: str) -> str:
        return _DIGITS.sub(lambda m: self._number(m.group()), text)

    def text(self, length: int, line: bool = False) -> str:
        parts, size = [], 0
        while size < length:
            s = self.rng.choice(self.pool)
            parts.append(s)
            size += len(s) + 1
        out = self._numbers(self.joiner.join(parts))
        if len(out) > length * 1.3 + 10:  # cut at a word boundary near the wanted length
            cut = out.rfind(" ", 0, int(length * 1.2) + 1) if self.joiner else int(length * 1.2)
            out = out[: cut if cut > length // 2 else int(length * 1.2)]
        out = out.strip()
        if line:
            out = out.rstrip(".,;:。،") or out
        return out or "text"


def english_texts(root: Path) -> dict[str, list[str]]:
    """The English prose of each real toolkit (its family's Markov corpus), by toolkit id."""
    from .translate import toolkit_entries
    from .validate import schema, validate_tree

    catalog = validate_tree(root, translations=False)
    return {tid: [e.text for e in toolkit_entries(tk.data, schema("toolkit")) if len(e.text.split()) > 3]
            for tid, tk in sorted(catalog.toolkits.items())}


def language_texts(root: Path, lang: str) -> tuple[dict[str, list[str]], float]:
    """msgstr texts of the shipped catalogs of ``lang``, by catalog (``messages``, ``registry``,
    ``toolkits/<id>``), and their length ratio to the English."""
    from .translate import read_catalog

    texts: dict[str, list[str]] = {}
    src = dst = 0
    base = root / "locales" / lang
    for path in sorted(base.rglob("*.po")):
        po, _ = read_catalog(path)
        mine = texts.setdefault(path.relative_to(base).with_suffix("").as_posix(), [])
        for m in po or []:
            if m.id and isinstance(m.string, str) and m.string:
                mine.append(m.string)
                src += len(m.id)
                dst += len(m.string)
    return texts, (dst / src if src else 1.0)


# ---------------------------------------------------------------------------------------------
# Synthetic tree


def make_toolkits(repo: Path, root: Path, n: int, rng: random.Random, writers: dict[str, Writer]) -> dict[str, str]:
    """Write ``n`` valid synthetic toolkits under ``root/toolkits`` (registry copied), toolkit
    ``i`` a copy of real toolkit ``i mod R`` (R real toolkits, in id order) written by that one's
    ``writers`` entry; the family
    (real toolkit id) of each synthetic id, in order."""
    from .registry import country_codes
    from .translate import _set, toolkit_entries
    from .validate import schema, validate_tree

    shutil.copytree(repo / "toolkits" / "_registry", root / "toolkits" / "_registry")
    real = validate_tree(repo, translations=False)
    templates = [tk.data for _, tk in sorted(real.toolkits.items())]
    reg = real.registry
    standards = sorted(k for k, s in reg.standards.items() if s.get("status") not in ("superseded", "withdrawn"))
    countries = sorted(country_codes())
    words = sorted({w.lower() for writer in writers.values() for w in " ".join(writer.pool).split()
                    if w.isalpha() and w.isascii() and 4 <= len(w) <= 10})
    ids = [f"{rng.choice(words)}-{rng.choice(words)}-{i:04d}" for i in range(n)]
    families = {tid: templates[i % len(templates)]["id"] for i, tid in enumerate(ids)}
    toolkit_schema = schema("toolkit")
    for i, tid in enumerate(ids):
        data = json.loads(json.dumps(templates[i % len(templates)]))
        writer = writers[data["id"]]
        for entry in toolkit_entries(data, toolkit_schema):
            one_line = "\n" not in entry.text and len(entry.text) < 200
            text = writer.text(len(entry.text), line=one_line)
            _set(data, entry.context, text[: entry.max_length].rstrip() if entry.max_length else text)
        data["id"] = tid
        data["title"] = writer.text(rng.randint(30, 70), line=True)
        for vocab, terms in reg.terms.items():
            data[vocab] = rng.sample(sorted(terms), min(len(terms), max(1, len(data[vocab]) + rng.randint(-1, 1))))
        data["countries"] = rng.sample(countries, rng.randint(1, 5))
        for case in data.get("case_studies", []):
            case["country"] = rng.choice(data["countries"])
        cited = sorted({s["standard"] for s in data.get("standards", [])} |
                       {k for items in data.get("lifecycle", {}).values() for it in items for k in it.get("standards", [])})
        swap = dict(zip(cited, rng.sample(standards, len(cited)))) if len(cited) <= len(standards) else {}
        for s in data.get("standards", []):
            s["standard"] = swap.get(s["standard"], s["standard"])
        for items in data.get("lifecycle", {}).values():
            for it in items:
                if "standards" in it:
                    it["standards"] = [swap.get(k, k) for k in it["standards"]]
        for group in (data.get("specifications", []), data.get("indicators", []), data.get("costs", {}).get("items", [])):
            for item in group:
                for key in ("value", "min", "max"):
                    if isinstance(item.get(key), (int, float)) and not isinstance(item.get(key), bool):
                        factor = rng.uniform(0.5, 1.5)
                        item[key] = round(item[key] * factor, 2) if isinstance(item[key], float) else int(item[key] * factor)
                if isinstance(item.get("min"), (int, float)) and isinstance(item.get("max"), (int, float)) and item["min"] > item["max"]:
                    item["min"], item["max"] = item["max"], item["min"]
        others = [t for t in ids if t != tid]
        data["related"] = [{**r, "toolkit": t} for r, t in zip(data.get("related", []), rng.sample(others, min(len(others), len(data.get("related", [])))))]
        if not data["related"]:
            data.pop("related", None)
        target = root / "toolkits" / tid / "toolkit.yaml"
        target.parent.mkdir(parents=True)
        target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return families


FAMILY_MIN_TEXTS = 40  # msgstrs a family's catalog needs to train its own chain


def make_catalogs(repo: Path, root: Path, langs: tuple[str, ...], rng: random.Random, families: dict[str, str]) -> None:
    """Shipped UI and registry catalogs; toolkit catalogs made by the engine and filled in, each
    with text drawn from its family's shipped catalog in that language."""
    from .translate import catalog_path, expected_catalogs, po_text, update_catalog, write_if_changed
    from .validate import validate_tree

    catalog = validate_tree(root, translations=False)
    if catalog.problems:
        raise RuntimeError("synthetic toolkits do not validate: " + catalog.problems[0].text())
    domains = expected_catalogs(root, catalog)
    for lang in langs[1:]:
        for name in ("messages", "registry"):
            shutil.copy(catalog_path(repo, lang, name), _mkdir(catalog_path(root, lang, name)))
        texts, ratio = language_texts(repo, lang)
        everything = [t for group in texts.values() for t in group]
        writers: dict[str, Writer] = {}
        for domain, entries in domains.items():
            if not domain.startswith("toolkits/"):
                continue
            family = families[domain.split("/", 1)[1]]
            if family not in writers:
                own = texts.get(f"toolkits/{family}", [])
                corpus = own if len(own) >= FAMILY_MIN_TEXTS else everything
                writers[family] = Writer(corpus, rng, chars=lang == "zh", pool=1500)
            writer = writers[family]
            po, _ = update_catalog(None, entries, lang, domain)
            limits = {e.context: e.max_length for e in entries if e.max_length}
            for message in po:
                if message.id:
                    length = max(1, round(len(message.id) * ratio))
                    limit = limits.get(message.context or "")
                    text = writer.text(min(length, limit) if limit else length, line="\n" not in message.id)
                    # a translator keeps within the field's limit (GT408), so the synthetic one does
                    message.string = text[:limit].rstrip() if limit else text
            write_if_changed(catalog_path(root, lang, domain), po_text(po))


def _mkdir(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def site_config(text: str, langs: tuple[str, ...]) -> str:
    """mkdocs.yml with only ``langs`` in the i18n languages list (edited as text: it has !ENV)."""
    out, block, keep, inside = [], [], True, False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "languages:":
            inside = True
            out.append(line)
            continue
        if inside:
            match = re.match(r"\s*- locale: (\S+)", line)
            if match:
                keep = match.group(1) in langs
            elif not line.startswith(" " * 8) or not stripped:
                inside = False
            if inside:
                if keep:
                    out.append(line)
                continue
        out.append(line)
    return "\n".join(out) + "\n"


def make_site(repo: Path, root: Path, langs: tuple[str, ...]) -> None:
    (root / "mkdocs.yml").write_text(site_config((repo / "mkdocs.yml").read_text("utf-8"), langs), encoding="utf-8")
    for name in ("hooks", "overrides"):
        shutil.copytree(repo / name, root / name)
    shutil.copytree(repo / "docs", root / "docs", ignore=shutil.ignore_patterns(*GENERATED_DIRS))


# ---------------------------------------------------------------------------------------------
# Builds

SITE_URL = "http://127.0.0.1/"  # the benchmark's sites are served on loopback

# Runs `greentoolbox build` (what `make build` runs) and writes its figures (seconds per phase and
# per language, the workers' and Pagefind's peak memory) and this process's peak resident set to
# a JSON file. The floor runs plain `mkdocs build` through the same runner.
RUNNER = r'''
import json, os, sys
from pathlib import Path

from greentoolbox.export import vm_hwm_kb  # VmHWM starts afresh at exec; getrusage keeps the bench's size


def report(data):
    with open(os.environ["GT_BENCH_REPORT"], "w") as f:
        json.dump({**data, "peak_kb": vm_hwm_kb()}, f)


if __name__ == "__main__":  # the build's worker processes import this file again (spawn)
    if sys.argv[1] == "floor":
        from mkdocs.__main__ import cli
        sys.argv = ["mkdocs", "build"] + sys.argv[2:]
        try:
            cli()
        except SystemExit:
            report({})
            raise
    import greentoolbox.export as ex
    langs = os.environ.get("GT_BENCH_LANGUAGES")
    if langs:  # the engine renders export.LANGUAGES; a site with fewer languages renders fewer
        ex.LANGUAGES = tuple(langs.split(","))
    from greentoolbox import sitebuild
    jobs = int(os.environ.get("GT_BENCH_JOBS") or 0) or None
    stats = sitebuild.build(Path("mkdocs.yml"), Path(sys.argv[2]), jobs=jobs, log=lambda text: print(text, file=sys.stderr))
    report({"stats": stats})
    sys.exit(0 if stats["ok"] else 1)
'''


def run_build(cwd: Path, args: list[str], langs: tuple[str, ...] | None = None, timeout: float | None = None,
              jobs: int | None = None) -> dict:
    """Wall time, figures and peak memory of ``["floor", <mkdocs args>]`` (plain ``mkdocs build``)
    or ``["build", <site dir>]`` (``greentoolbox build``), in a subprocess.

    With ``timeout``, a build still running then is stopped (its whole process group) and the
    result has ``stopped: True``.
    """
    runner = cwd / "_bench_runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    report = cwd / "_bench_report.json"
    report.unlink(missing_ok=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": SITE_URL, "GT_BENCH_REPORT": str(report)}
    env.pop("GREENTOOLBOX_CACHE", None)  # the build's cache is <cwd>/.cache/greentoolbox
    if langs and len(langs) < len(LANGS):
        env["GT_BENCH_LANGUAGES"] = ",".join(langs)
    if jobs:
        env["GT_BENCH_JOBS"] = str(jobs)
    start = time.perf_counter()
    with open(cwd / f"_bench_{args[0]}.log", "w+", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, str(runner), *args], cwd=cwd, env=env, stdout=log, stderr=log,
                                start_new_session=True)
        stopped = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stopped = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        wall = time.perf_counter() - start
        log.seek(0)
        text = log.read()
    if proc.returncode != 0 and not stopped:
        raise RuntimeError(f"build failed in {cwd}:\n{text[-4000:]}")
    data = json.loads(report.read_text("utf-8")) if report.is_file() else {"peak_kb": 0}
    return {"wall": wall, "stopped": stopped, "stats": {}, **data, "log": text}


def engine_pass(root: Path, langs: tuple[str, ...]) -> dict:
    """One in-process pass of the engine, as `greentoolbox build-pages` does: seconds per stage."""
    from . import export
    from .validate import validate_tree

    t0 = time.perf_counter()
    catalog = validate_tree(root)
    t1 = time.perf_counter()
    pages = export.page_texts(catalog, langs, site_url=SITE_URL)  # as the build's pages (JSON-LD)
    t2 = time.perf_counter()
    export.write_pages(catalog, root / "docs", pages)
    t3 = time.perf_counter()
    return {"load_validate": round(t1 - t0, 2), "translate_render": round(t2 - t1, 2), "write": round(t3 - t2, 2),
            "total": round(t3 - t0, 2)}


def floor_tree(docs: Path, target: Path, langs: tuple[str, ...]) -> int:
    """The generated docs as one plain MkDocs tree: ``x.zh.md`` -> ``zh/x.md``, fallbacks copied."""
    count = 0
    english = {}
    translated = set()
    for path in sorted(docs.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(docs)
        parts = rel.name.split(".")
        if path.suffix == ".md" and len(parts) == 3 and parts[1] in LANGS and parts[1] not in langs:
            continue  # a language the site does not build
        if path.suffix == ".md" and len(parts) == 3 and parts[1] in langs[1:]:
            dest = Path(parts[1]) / rel.parent / f"{parts[0]}.md"
            translated.add(dest)
        else:
            dest = rel
            if path.suffix == ".md":
                english[rel] = path
        _mkdir(target / dest)
        shutil.copy(path, target / dest)
        count += path.suffix == ".md"
    for lang in langs[1:]:  # static-i18n builds the English page where no translation exists
        for rel, path in english.items():
            if Path(lang) / rel not in translated:
                shutil.copy(path, _mkdir(target / lang / rel))
                count += 1
    return count


def floor_config(real: str) -> str:
    """Plain MkDocs + Material: same theme settings, Markdown extensions and nav; no plugins."""
    def block(name: str) -> str:
        match = re.search(rf"^{name}:.*?(?=^\S)", real, re.S | re.M)
        return match.group(0) if match else ""

    theme = re.sub(r"^  custom_dir:.*\n", "", block("theme"), flags=re.M)
    return "\n".join([
        "site_name: Green Toolbox (floor)", "site_url: http://127.0.0.1/", "docs_dir: floor_docs",
        theme, block("extra_css"), block("extra_javascript"), "plugins: []",
        block("markdown_extensions"), block("nav"), "not_in_nav: '*'",
    ]) + "\n"


# ---------------------------------------------------------------------------------------------
# Page weight and search in a browser


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(a["href"])
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1.append(data)


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def page_weight(site: Path, page: Path) -> float:
    """KB, gzip: the page's HTML plus every stylesheet and script it loads."""
    parser = _Assets()
    html = page.read_bytes()
    parser.feed(html.decode("utf-8"))
    total = _gz(html)
    for url in parser.urls:
        if "://" in url:
            continue
        path = (page.parent / url.split("?")[0].split("#")[0]).resolve()
        if path.is_file() and site.resolve() in path.parents:
            total += _gz(path.read_bytes())
    return total / 1024


def query_word(page: Path, lang: str) -> str:
    """A word of the page's title (Chinese: its first two characters): surely in the index."""
    parser = _Assets()
    parser.feed(page.read_text("utf-8"))
    title = " ".join("".join(parser.h1).split())
    if lang == "zh":
        han = re.findall(r"[\u4e00-\u9fff]+", title)
        return max(han, key=len)[:2] if han else title[:2]
    return max(re.findall(r"\w+", title), key=len)


class QuietServer(http.server.ThreadingHTTPServer):
    """A loopback server for a browser (the benchmark's and the tests')."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser context closed mid-response
            super().handle_error(request, client_address)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Gzip(QuietHandler):
    """Text files gzip-compressed for clients that accept it, as GitHub Pages serves them
    (Pagefind's index files are compressed already and go as they are)."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".webmanifest")

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if ("gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in self.TEXT
                or not path.is_file()):
            return super().send_head()
        data = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


READER_QUERIES = 6  # per language, the first queries of tests/search_queries.yaml


def reader_queries(langs: tuple[str, ...]) -> dict[str, list[str]]:
    """Queries a reader types (the first of each language's recall set in tests/): topic words
    and phrases, unlike the title word, which may be as common as "không" ("not")."""
    path = REPO / "tests" / "search_queries.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text("utf-8"))
    return {lang: [str(q) for q, _ in data.get(lang, [])[:READER_QUERIES]] for lang in langs}


def browser_search(site: Path, toolkit: str, langs: tuple[str, ...], extra: dict[str, list[str]] | None = None) -> dict:
    """Per language: bytes before searching, bytes and ms until the first search result, for the
    longest word of a toolkit's title; and for each query in ``extra``, the same figures."""
    from playwright.sync_api import sync_playwright

    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    gz_cache: dict[str, int] = {}

    def size(url: str, compressed: bool) -> int:
        rel = url[len(base):].split("?")[0].split("#")[0]
        path = site / rel
        path = path / "index.html" if path.is_dir() else path
        if not path.is_file():
            return 0
        if not compressed:
            return path.stat().st_size
        if rel not in gz_cache:
            gz_cache[rel] = _gz(path.read_bytes())
        return gz_cache[rel]

    def measure(browser, prefix: str, word: str) -> dict:
        context = browser.new_context()  # an empty cache: a first visit
        page = context.new_page()
        seen: list[tuple[str, dict]] = []
        page.on("requestfinished", lambda r: seen.append((r.url, r.timing)))
        page.goto(f"{base}{prefix}toolkits/{toolkit}/")
        page.wait_for_load_state("networkidle")
        before = [u for u, _ in seen]
        seen.clear()
        # The page notes when the first result is in the document; each request's timing then
        # says whether its response had ended by that moment (the order of Playwright's events
        # cannot tell the first result's data from the next results'; Pagefind's worker
        # fetches, so the page's own resource timings miss them).
        page.evaluate("""() => {
          window.__gtFirst = null;
          new MutationObserver((_, observer) => {
            if (document.querySelector(".md-search-result__item")) { window.__gtFirst = performance.timeOrigin + performance.now(); observer.disconnect(); }
          }).observe(document.body, { childList: true, subtree: true });
        }""")
        start = time.perf_counter()
        page.keyboard.press("/")
        page.fill(".md-search__input", word)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=15000)
            ms = round((time.perf_counter() - start) * 1000)
        except Exception:
            ms = None
        page.wait_for_load_state("networkidle")
        first = page.evaluate("() => window.__gtFirst")
        context.close()
        first = first if first is not None else float("inf")
        during = [u for u, t in seen if t["startTime"] + t["responseEnd"] <= first]
        after = [u for u, t in seen if t["startTime"] + t["responseEnd"] > first]
        return {
            "query": word, "first_result_ms": ms,
            "before_search_pagefind_files": sum("/pagefind/" in u for u in before),
            "page_bytes_gz": sum(size(u, True) for u in before),
            "search_bytes": sum(size(u, False) for u in during),
            "search_bytes_gz": sum(size(u, True) for u in during),
            "search_requests": len(during),
            "after_first_result_bytes_gz": sum(size(u, True) for u in after),
        }

    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for lang in langs:
                prefix = "" if lang == "en" else f"{lang}/"
                word = query_word(site / prefix / "toolkits" / toolkit / "index.html", lang)
                out[lang] = measure(browser, prefix, word)
                out[lang]["reader"] = [measure(browser, prefix, q) for q in (extra or {}).get(lang, [])]
            browser.close()
    finally:
        server.shutdown()
    return out


def _reader_summary(runs: list[dict]) -> dict:
    """Bytes to the first result over the reader queries that found something: median and worst."""
    hits = [r for r in runs if r["first_result_ms"] is not None]
    if not hits:
        return {"n": len(runs), "found": 0}
    worst = max(hits, key=lambda r: r["search_bytes_gz"])
    return {"n": len(runs), "found": len(hits),
            "median_kb_gz": round(statistics.median(r["search_bytes_gz"] for r in hits) / 1024, 1),
            "max_kb_gz": round(worst["search_bytes_gz"] / 1024, 1), "worst_query": worst["query"],
            "max_first_result_ms": max(r["first_result_ms"] for r in hits)}


# ---------------------------------------------------------------------------------------------
# The benchmark


def _versions() -> dict:
    from importlib.metadata import version

    from .export import pagefind_binary

    names = ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "Babel", "Jinja2", "playwright")
    pagefind = subprocess.run([str(pagefind_binary()), "--version"], capture_output=True, text=True).stdout.split()
    return {"python": platform.python_version(), **{n: version(n) for n in names}, "pagefind": pagefind[-1] if pagefind else "?"}


def _reuse(work: Path, n: int, langs: tuple[str, ...]) -> list[str] | None:
    """Toolkit ids of a tree generated earlier in ``work`` with the same size, else None."""
    base = work / "toolkits"
    if not base.is_dir():
        return None
    ids = sorted((p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("_")), key=lambda t: t[-4:])
    if len(ids) != n or not all((work / "locales" / lang / "toolkits").is_dir() for lang in langs[1:]):
        return None
    return ids


def run(n: int, n_langs: int, work: Path, browser: bool = True, seed: int = 1, log=print,
        build_timeout: float | None = None, jobs: int | None = None) -> dict:
    langs = LANGS[:n_langs]
    rng = random.Random(seed)
    t0 = time.perf_counter()
    ids = _reuse(work, n, langs)
    if ids is None:
        writers = {family: Writer(texts, rng, pool=2000) for family, texts in english_texts(REPO).items()}
        families = make_toolkits(REPO, work, n, rng, writers)
        make_catalogs(REPO, work, langs, rng, families)
        ids = list(families)
    else:  # a kept tree: its toolkits and catalogs are reused, the site around them is today's
        for name in ("hooks", "overrides", "docs"):
            shutil.rmtree(work / name, ignore_errors=True)
    make_site(REPO, work, langs)
    gen = time.perf_counter() - t0
    log(f"generated {n} toolkits x {n_langs} languages in {gen:.1f} s")
    for name in ("site", "floor_site", "floor_docs") + tuple(f"docs/{g}" for g in GENERATED_DIRS):
        shutil.rmtree(work / name, ignore_errors=True)
    # one engine pass in-process: its own figures, and the generated pages for the floor
    single = engine_pass(work, langs)
    log(f"engine, one pass: {single['total']:.1f} s")
    n_pages = floor_tree(work / "docs", work / "floor_docs", langs)
    (work / "mkdocs.floor.yml").write_text(floor_config((work / "mkdocs.yml").read_text("utf-8")), encoding="utf-8")
    floor = run_build(work, ["floor", "-f", "mkdocs.floor.yml", "--site-dir", "floor_site"])
    log(f"floor: {floor['wall']:.1f} s")
    clean_checkout(work)
    shutil.rmtree(work / ".cache", ignore_errors=True)  # and no cache: every step is done
    build = run_build(work, ["build", "site"], langs, timeout=build_timeout, jobs=jobs)
    log(f"build: {build['wall']:.1f} s" + (" (stopped at the time limit)" if build["stopped"] else ""))
    st = defaultdict(float, build["stats"])
    engine = engine_seconds(st)
    result = {
        "n_toolkits": n, "n_languages": n_langs, "languages": list(langs), "n_pages": n_pages,
        "builder": f"greentoolbox build --jobs {build['stats'].get('jobs', jobs or '?')}",
        "build_s": round(build["wall"], 2), "build_stopped": build["stopped"], "floor_s": round(floor["wall"], 2),
        "ratio": round(build["wall"] / floor["wall"], 3),
        "peak_mb": round(max(build["peak_kb"] / 1024, st["peak_worker_mb"], st["peak_search_mb"], st["peak_render_mb"]), 1),
        "floor_peak_mb": round(floor["peak_kb"] / 1024, 1),
        "peak_main_mb": round(build["peak_kb"] / 1024, 1), "peak_render_mb": round(st["peak_render_mb"], 1),
        "peak_worker_mb": round(st["peak_worker_mb"], 1), "peak_search_mb": round(st["peak_search_mb"], 1),
        # wall seconds of each phase; the language builds and the open data overlap
        "stages_s": stages(st),
        # process seconds inside the per-language workers, summed over languages
        "worker_s": {"mkdocs": round(st["mkdocs_worker_s"], 2), "search_index": round(st["search_worker_s"], 2)},
        "per_language_s": build["stats"].get("per_language", {}),
        "engine_s": round(engine, 2), "engine_share": round(engine / build["wall"], 3),
        "engine_one_pass_s": single, "generate_s": round(gen, 1),
        "machine": {"cores": os.cpu_count(), "ram_gb": _ram_gb(), **_versions()},
    }
    site = work / "site"
    if build["stopped"]:
        return result  # no finished site to weigh or search
    toolkit = ids[0]
    weights = {lang: page_weight(site, site / ("" if lang == "en" else lang) / "toolkits" / toolkit / "index.html")
               for lang in langs}
    search = browser_search(site, toolkit, langs, reader_queries(langs)) if browser and os.path.exists(CHROMIUM) else {}
    index_bytes = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    result.update({
        "page_kb_gz": round(weights["en"], 1), "page_kb_gz_by_lang": {k: round(v, 1) for k, v in weights.items()},
        "search_index_mb": round(index_bytes / 2**20, 1),
        "search_bytes": {k: v["search_bytes"] for k, v in search.items()},
        "search_kb_gz": {k: round(v["search_bytes_gz"] / 1024, 1) for k, v in search.items()},
        "pagefind_before_search": {k: v["before_search_pagefind_files"] for k, v in search.items()},
        "first_result_ms": {k: v["first_result_ms"] for k, v in search.items()},
        "queries": {k: v["query"] for k, v in search.items()},
        "reader_queries": {k: _reader_summary(v["reader"]) for k, v in search.items()},
    })
    # the maintainer's rebuild: a clean checkout again with the cache the first build left
    # (greentoolbox.cache), as after editing a hand-written page, the theme or the configuration
    clean_checkout(work)
    again = run_build(work, ["build", "site"], langs, timeout=build_timeout, jobs=jobs)
    log(f"rebuild: {again['wall']:.1f} s")
    if not again["stopped"]:
        ast = defaultdict(float, again["stats"])
        result.update({"rebuild_s": round(again["wall"], 2), "rebuild_ratio": round(again["wall"] / floor["wall"], 3),
                       "rebuild_engine_s": round(engine_seconds(ast), 2),
                       "rebuild_engine_share": round(engine_seconds(ast) / again["wall"], 3),
                       "rebuild_cache": again["stats"].get("cache", {}),
                       "rebuild_stages_s": stages(ast)})
    return result


def clean_checkout(work: Path) -> None:
    """Remove the pages the engine writes under docs/: a build from a clean checkout writes them."""
    for g in GENERATED_DIRS:
        shutil.rmtree(work / "docs" / g, ignore_errors=True)


def stages(stats: dict) -> dict:
    """Wall seconds of each phase of a build (the open data overlap the languages)."""
    return {"load_validate": round(stats["load_validate_s"], 2), "translate_render_write": round(stats["translate_render_s"], 2),
            "open_data": round(stats["open_data_s"], 2), "languages": round(stats["languages_s"], 2),
            "merge": round(stats["merge_s"], 2)}


def engine_seconds(stats: dict) -> float:
    """Wall seconds of a build spent in the engine: load and validate, check, translate, render
    and write pages, the open data."""
    return stats["load_validate_s"] + stats["translate_render_s"] + stats["open_data_s"]


def _ram_gb() -> float:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):  # pragma: no cover
        return 0.0


def table(r: dict) -> str:
    s = r["stages_s"]
    rows = [
        ("toolkits x languages", f"{r['n_toolkits']} x {r['n_languages']} ({r['n_pages']} pages)"),
        (f"build ({r['builder']})", f"{r['build_s']:.1f} s" + (" STOPPED at the time limit: a lower bound" if r["build_stopped"] else "")),
        ("  load + validate", f"{s['load_validate']:.1f} s"),
        ("  translate + render + write pages", f"{s['translate_render_write']:.1f} s"),
        ("  languages: MkDocs + Pagefind per language", f"{s['languages']:.1f} s (in workers: MkDocs {r['worker_s']['mkdocs']:.1f} s, "
                                                       f"Pagefind {r['worker_s']['search_index']:.1f} s)"),
        ("  open data (during the languages)", f"{s['open_data']:.1f} s"),
        ("  search and sitemap merge", f"{s['merge']:.1f} s"),
        ("engine share of build", f"{100 * r['engine_share']:.1f} %"),
        *([("rebuild with the cache (same inputs)", f"{r['rebuild_s']:.1f} s, ratio {r['rebuild_ratio']:.2f}, engine "
                                                    f"{r['rebuild_engine_s']:.1f} s = {100 * r['rebuild_engine_share']:.1f} % of it")]
          if "rebuild_s" in r else []),
        ("floor (plain MkDocs + Material)", f"{r['floor_s']:.1f} s"),
        ("ratio build / floor", f"{r['ratio']:.2f}" + (" (at least)" if r["build_stopped"] else "")),
        ("engine, one in-process pass", f"{r['engine_one_pass_s']['total']:.1f} s (validate {r['engine_one_pass_s']['load_validate']:.1f}, "
                                        f"translate+render {r['engine_one_pass_s']['translate_render']:.1f}, write {r['engine_one_pass_s']['write']:.1f})"),
        ("peak memory (largest process)", f"{r['peak_mb']:.0f} MB (build process {r['peak_main_mb']:.0f} MB, render worker "
                                          f"{r['peak_render_mb']:.0f} MB, MkDocs worker {r['peak_worker_mb']:.0f} MB, Pagefind "
                                          f"{r['peak_search_mb']:.0f} MB; floor {r['floor_peak_mb']:.0f} MB)"),
    ]
    if "page_kb_gz" in r:
        rows += [("toolkit page weight (gzip)", f"{r['page_kb_gz']:.1f} KB"),
                 ("search index on disk", f"{r['search_index_mb']:.1f} MB")]
    for lang, ms in r.get("first_result_ms", {}).items():
        rows.append((f"search {lang} ({r['queries'][lang]})",
                     f"{r['search_kb_gz'][lang]:.0f} KB gz / {r['search_bytes'][lang] / 1024:.0f} KB raw to first result, "
                     f"{ms if ms is not None else '-'} ms; {r['pagefind_before_search'][lang]} search files before"))
        reader = r.get("reader_queries", {}).get(lang)
        if reader and reader.get("found"):
            rows.append((f"  reader queries {lang} ({reader['found']} of {reader['n']} found)",
                         f"median {reader['median_kb_gz']:.0f} KB gz, worst {reader['max_kb_gz']:.0f} KB gz "
                         f"({reader['worst_query']}); slowest first result {reader['max_first_result_ms']} ms"))
    width = max(len(a) for a, _ in rows)
    return "\n".join(f"{a:<{width}}  {b}" for a, b in rows)


# ---------------------------------------------------------------------------------------------
# Lighthouse (npm package; run separately on the real site)


def lighthouse(site: Path, pages: list[str], out: Path, binary: str) -> list[dict]:
    """Mobile Lighthouse category scores for ``pages`` of a built site served on loopback, text
    compressed as GitHub Pages compresses it."""
    server = QuietServer(("127.0.0.1", 0), functools.partial(_Gzip, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    try:
        for rel in pages:
            report = out / (rel.strip("/").replace("/", "_") or "home")
            cmd = [binary, base + rel, "--quiet", "--output=json", f"--output-path={report}.json",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                   "--only-categories=performance,accessibility,best-practices,seo"]
            result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                rows.append({"page": rel, "error": (result.stderr or result.stdout).strip()[-300:]})
                continue
            data = json.loads(Path(f"{report}.json").read_text("utf-8"))
            scores = {k: round(100 * v["score"]) for k, v in data["categories"].items() if v["score"] is not None}
            audits = data["audits"]
            rows.append({"page": rel, **scores,
                         "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
                         "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
                         "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
                         "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
                         "transfer_kb": round(audits["total-byte-weight"]["numericValue"] / 1024, 1)})
    finally:
        server.shutdown()
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lighthouse"]:
        return _lighthouse_main(argv[1:])
    parser = argparse.ArgumentParser(prog="greentoolbox bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--toolkits", type=int, required=True, metavar="N", help="synthetic toolkits to generate")
    parser.add_argument("--languages", type=int, default=10, metavar="L", help=f"first L of {' '.join(LANGS)}")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it; a tree generated there before with the same N and L is reused")
    parser.add_argument("--no-browser", action="store_true", help="skip the headless Chromium search measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-timeout", type=float, metavar="S",
                        help="stop the build after S seconds and report what was measured (a lower bound)")
    parser.add_argument("--jobs", type=int, default=None, help="languages built at once (default: the CPUs available)")
    args = parser.parse_args(argv)
    if args.toolkits < 1 or not 1 <= args.languages <= len(LANGS):
        parser.error(f"--toolkits must be >= 1 and --languages between 1 and {len(LANGS)}")
    say = functools.partial(print, file=sys.stderr, flush=True)
    try:
        if args.keep:
            work = Path(args.keep)
            work.mkdir(parents=True, exist_ok=True)
            result = run(args.toolkits, args.languages, work, not args.no_browser, args.seed, say, args.build_timeout, args.jobs)
        else:
            with tempfile.TemporaryDirectory(prefix="gt-bench-") as tmp:
                result = run(args.toolkits, args.languages, Path(tmp), not args.no_browser, args.seed, say, args.build_timeout, args.jobs)
    except RuntimeError as exc:  # a build of the generated tree failed: its log's end says why
        say(f"greentoolbox bench: {exc}")
        return 1
    print(table(result))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
    return 0


def _lighthouse_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="greentoolbox bench lighthouse")
    parser.add_argument("--site", default="site", help="built site served at / (default: site)")
    parser.add_argument("--pages", nargs="*", default=[f"{p}{q}" for p in ("", "zh/", "ar/") for q in ("", "toolkits/", "toolkits/solar-cold-storage/")])
    parser.add_argument("--lighthouse", default=shutil.which("lighthouse") or "lighthouse", help="path of the lighthouse command (npm)")
    parser.add_argument("--out", default=None, help="folder for the JSON reports (default: a temporary one)")
    args = parser.parse_args(argv)
    out = Path(args.out or tempfile.mkdtemp(prefix="gt-lighthouse-"))
    out.mkdir(parents=True, exist_ok=True)
    rows = lighthouse(Path(args.site), args.pages, out, args.lighthouse)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

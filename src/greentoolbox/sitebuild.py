"""``greentoolbox build``: the whole site, its languages built in parallel processes.

``mkdocs build`` with mkdocs-static-i18n builds the ten languages one after another in one
process, and that process holds every language's pages in turn (shared/DESIGN.md, fact 2). This
command does the same work, in this order:

1. **The engine, once**: load and validate ``toolkits/`` here, and stop on any problem. Then
   one forked worker per language (``jobs`` at a time, sharing the validated data) reads and
   checks that language's translation catalogs, renders and writes its generated pages into
   ``docs/`` and writes its part of the open data (``export.write_site_pages`` with ``check``
   and ``open_data``). Their problems are reported together, and the build stops on any that
   ``mkdocs build`` would stop on. No process ever parses every language's catalogs.
2. **One MkDocs build per language**, ``jobs`` at a time, each in a fresh worker process that
   runs what static-i18n runs for a language: its own per-language build of the same
   configuration (``current_language`` set, the site folder cleaned once beforehand rather than
   by each build). The hook sees ``GREENTOOLBOX_PAGES_READY`` and does nothing but the banner of
   hand-written pages. The worker then indexes its language with Pagefind into a folder of its
   own, so no process ever holds more than one language.
3. **Meanwhile, here**: the open data files, joined toolkit by toolkit from the languages'
   parts. At the end the per-language Pagefind indexes are merged into ``site/pagefind/``:
   Pagefind names every index file after its language and its content, so the merge is the
   union of the files and of the languages listed in ``pagefind-entry.json``.

The result is the site ``mkdocs build`` makes, file for file (``tests/test_site.py``,
``test_two_builds_of_the_same_tree_are_byte_identical``).

This module imports MkDocs: like ``hooks/``, it is an adapter around the engine, not a step of it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .cache import BuildCache, put
from .export import fatal_problems, index_search_part, merge_search_parts, vm_hwm_kb, write_site_pages
from .opendata import write_open_data, write_open_data_from_parts
from .translate import LANGUAGES, expected_catalogs
from .validate import validate_tree
from .problems import format_problems

PAGES_READY = "GREENTOOLBOX_PAGES_READY"  # read by hooks/greentoolbox_hooks.py
SITEMAP_PARTS = "GREENTOOLBOX_SITEMAP_PARTS"  # ditto: where each language's sitemap goes


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def build(config_file: Path, site_dir: Path | None = None, jobs: int | None = None, strict: bool = True,
          log=print, cache: bool = True) -> dict:
    """Build the site; return figures (seconds per phase, per language) and ``ok``.

    Problems in the data and failed language builds are printed through ``log``; nothing raises
    for them. With ``cache`` (and unless ``GREENTOOLBOX_CACHE=off``), validation and each
    language's engine work are reused from the last build when their inputs are the same
    (``greentoolbox.cache``); ``stats["cache"]`` says which were.
    """
    from mkdocs.config import load_config

    jobs = jobs or default_jobs()
    start = time.perf_counter()
    config_file = Path(config_file).resolve()
    overrides = {"site_dir": str(Path(site_dir).resolve())} if site_dir else {}
    config = load_config(str(config_file), strict=strict, **overrides)
    languages, default = config_languages(config)
    stats: dict = {"jobs": jobs, "languages": languages, "ok": False}
    kept = BuildCache.for_root(config_file.parent, cache)

    # toolkits and registries here; each language's catalogs in the process that renders it
    catalog = kept.catalog() if kept else None
    stats["cache"] = {"validate": "off" if kept is None else "hit" if catalog else "miss"}
    saving = None
    if catalog is None:
        catalog = validate_tree(config_file.parent, translations=False, processes=jobs)
        if kept:
            if not catalog.problems:  # the toolkits' translatable texts, kept with the catalog
                expected_catalogs(catalog.root, catalog)  # (write_site_pages needs them next)
            saving = kept.store_catalog_in_background(catalog)
    stats["load_validate_s"] = time.perf_counter() - start
    try:
        return _build(config, config_file, languages, default, catalog, jobs, strict, kept, stats, log, start)
    finally:
        if saving is not None:
            saving.join()


def _build(config, config_file: Path, languages: list[str], default: str, catalog, jobs: int, strict: bool,
           kept: BuildCache | None, stats: dict, log, start: float) -> dict:
    """``build`` from a validated catalog on."""
    if catalog.problems:  # translations are not checked against broken toolkits (as validate_tree)
        log(format_problems(catalog.problems))
        log(f"{len(catalog.problems)} problem(s) in toolkit data: nothing built")
        return stats
    t = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="greentoolbox-build-"))
    try:
        # each language's part of the open data is written by its worker; with some languages
        # only, the parts are incomplete and the open data is made here at the end instead
        whole = set(languages) == set(LANGUAGES)
        rendered = write_site_pages(catalog, Path(config.docs_dir), config.site_url, jobs, tuple(languages),
                                    check=True, open_data=work if whole else None, cache=kept)
        stats["cache"]["languages"] = rendered.cache
        stats["pages_written"] = rendered.written
        stats["peak_render_mb"] = rendered.peak_mb
        stats["translate_render_s"] = time.perf_counter() - t
        catalog.problems = rendered.problems
        fatal = fatal_problems(catalog)
        if catalog.problems:
            log(format_problems(catalog.problems))
        if fatal:
            log(f"{len(fatal)} problem(s) in toolkit or translation data: nothing built")
            return stats
        # the open data follow from the validated tree and each language's output: one entry
        keep = (kept, kept.key("opendata", config.site_url, sorted(rendered.keys.items()))) if kept and whole else None
        if _build_languages(config, config_file, languages, default, catalog, jobs, strict, work,
                            rendered.csv_rows if whole else None, stats, log, keep):
            stats["total_s"] = time.perf_counter() - start
            stats["peak_main_mb"] = vm_hwm_kb() / 1024  # this process: the engine, the open data
            stats["ok"] = True
        return stats
    finally:
        shutil.rmtree(work, ignore_errors=True)


def config_languages(config) -> tuple[list[str], str]:
    """The languages a loaded MkDocs configuration builds, and its default one."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return ["en"], "en"
    return ([lang.locale for lang in i18n.config.languages if lang.build],
            next(lang.locale for lang in i18n.config.languages if lang.default))


def _build_languages(config, config_file: Path, languages: list[str], default: str, catalog, jobs: int,
                     strict: bool, work: Path, csv_rows: dict | None, stats: dict, log,
                     keep: tuple[BuildCache, str] | None = None) -> bool:
    """One MkDocs build and one Pagefind index per language in worker processes while the open
    data are written here (joined from the parts in ``work`` when ``csv_rows`` is given; with
    ``keep``, a cache and the open data's key, the files of the last build when the key is the
    same), then the merge. Figures go into ``stats``; returns whether every language was built."""
    import multiprocessing

    from mkdocs.utils import clean_directory

    site = Path(config.site_dir)
    t = time.perf_counter()
    site.mkdir(parents=True, exist_ok=True)
    clean_directory(str(site))  # as `mkdocs build` does (dot files such as .git stay); the workers do not
    parts = work / "search"
    # the default language first: it writes the shared files (assets, sitemap, 404) and is largest
    order = [default] + [lang for lang in languages if lang != default]
    (parts / "sitemaps").mkdir(parents=True)
    tasks = [(str(config_file), str(site), lang, default, tuple(languages), strict, str(parts)) for lang in order]
    results = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_language_worker, task): task[2] for task in tasks}
        o = time.perf_counter()
        _open_data(catalog, site, config.site_url, work, csv_rows, keep, stats)
        stats["open_data_s"] = time.perf_counter() - o
        for future, lang in futures.items():
            try:
                results.append(future.result())
            except Exception as exc:  # a worker killed (memory) or a bug: report, do not hide
                results.append({"lang": lang, "ok": False, "error": f"{type(exc).__name__}: {exc}"})
    stats["languages_s"] = time.perf_counter() - t
    for result in results:
        if not result["ok"]:
            log(f"{result['lang']}: build failed: {result['error']}")
    stats["per_language"] = {r["lang"]: {k: round(v, 2) for k, v in r.items() if k.endswith("_s")} for r in results}
    # seconds inside the workers, summed over languages (they run `jobs` at a time)
    stats["mkdocs_worker_s"] = sum(r.get("mkdocs_s", 0.0) for r in results)
    stats["search_worker_s"] = sum(r.get("search_s", 0.0) for r in results)
    stats["peak_worker_mb"] = max((r.get("peak_mb", 0.0) for r in results), default=0.0)
    stats["peak_search_mb"] = max((r.get("search_peak_mb", 0.0) for r in results), default=0.0)
    if not all(r["ok"] for r in results):
        return False
    m = time.perf_counter()
    merge_search_parts(site, [parts / lang for lang in order])
    write_sitemap(site, [(parts / "sitemaps" / f"{lang}.xml").read_text("utf-8") for lang in order])
    stats["merge_s"] = time.perf_counter() - m
    return True


def _open_data(catalog, site: Path, site_url: str, work: Path, csv_rows: dict | None,
               keep: tuple[BuildCache, str] | None, stats: dict) -> None:
    if keep is not None:
        cache, key = keep
        if cache.replay("opendata", key, lambda rel, kept: put(kept, site / rel)) is not None:
            stats["cache"]["open_data"] = "hit"
            return
        stats["cache"]["open_data"] = "miss"
    if csv_rows is not None:
        written = write_open_data_from_parts(catalog, site, site_url, work, csv_rows)
    else:
        written = write_open_data(catalog, site, site_url)
    if keep is not None:
        cache.keep("opendata", key, [(path.relative_to(site).as_posix(), path) for path in written], {"files": len(written)})


def write_sitemap(site: Path, parts: list[str]) -> None:
    """``sitemap.xml`` (and its gzip copy, as MkDocs writes them) from the sitemaps of each
    language in build order: the ``<url>`` entries of every language in one ``<urlset>``, which
    is the sitemap static-i18n leaves after building all languages in one process."""
    import gzip
    from datetime import datetime, timezone

    from mkdocs.utils import get_build_date

    def body(text: str) -> tuple[int, int]:
        start = text.index(">", text.index("<urlset")) + 1
        return start, text.rindex("</urlset>")

    first_start, first_end = body(parts[0])
    entries = "".join(part[slice(*body(part))].rstrip() for part in parts)
    text = parts[0][:first_start] + entries + "\n" + parts[0][first_end:]
    (site / "sitemap.xml").write_text(text, encoding="utf-8")
    # MkDocs stamps the gzip file with the newest page date: the build date, at midnight UTC
    stamp = int(datetime.fromisoformat(get_build_date()).replace(tzinfo=timezone.utc).timestamp())
    with open(site / "sitemap.xml.gz", "wb") as raw:
        with gzip.GzipFile(fileobj=raw, filename=str(site / "sitemap.xml.gz"), mode="wb", mtime=stamp) as gz:
            gz.write(text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# worker processes (spawned: each starts clean and holds one language at a time)

_CONFIGS: dict = {}


class _Prefix(logging.Formatter):
    lang = ""

    def format(self, record):
        return f"[{self.lang}] {record.levelname} - {record.getMessage()}"


_FORMAT = _Prefix()


def _config(config_file: str, site_dir: str, strict: bool):
    """The MkDocs configuration, loaded once per worker (static-i18n also reuses one
    configuration for all of its per-language builds)."""
    key = (config_file, site_dir, strict)
    if key not in _CONFIGS:
        from mkdocs import utils
        from mkdocs.config import load_config

        os.environ[PAGES_READY] = "1"
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_FORMAT)
        handler.setLevel(logging.WARNING)
        logger = logging.getLogger("mkdocs")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        # what static-i18n does around its own per-language builds: the folder is cleaned once
        utils.clean_directory = lambda directory: None
        config = load_config(config_file, site_dir=site_dir, strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        _CONFIGS[key] = config
    return _CONFIGS[key]


def _language_worker(task) -> dict:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import Abort, MkDocsException

    config_file, site_dir, lang, default, languages, strict, parts = task
    os.environ[SITEMAP_PARTS] = str(Path(parts) / "sitemaps")
    _FORMAT.lang = lang
    out = {"lang": lang, "ok": False}
    t = time.perf_counter()
    try:
        config = _config(config_file, site_dir, strict)
        i18n = config.plugins["i18n"]
        i18n.current_language = lang
        i18n.building = True  # one language: static-i18n must not start the others from here
        i18n.i18n_files_per_language = {}  # this language's entries only in its sitemap
        mkdocs_build(config, dirty=False)
    except (Abort, MkDocsException) as exc:
        out["error"] = str(exc)
        return out
    out["mkdocs_s"] = time.perf_counter() - t
    t = time.perf_counter()
    try:
        _summary, search_peak = index_search_part(Path(site_dir), lang, default, languages, Path(parts) / lang)
    except (OSError, RuntimeError) as exc:
        out["error"] = f"search index: {exc}"
        return out
    out["search_s"] = time.perf_counter() - t
    out["peak_mb"] = vm_hwm_kb() / 1024  # this worker (MkDocs) so far
    out["search_peak_mb"] = search_peak / 1024
    out["ok"] = True
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="greentoolbox build", description=__doc__.split("\n\n")[0].strip("`: "))
    parser.add_argument("--config", default="mkdocs.yml", help="MkDocs configuration (default: mkdocs.yml)")
    parser.add_argument("--site-dir", default=None, help="output folder (default: the configuration's, site/)")
    parser.add_argument("--jobs", type=int, default=None, help=f"languages built at once (default: the CPUs this process may use, here {default_jobs()})")
    parser.add_argument("--no-strict", action="store_true", help="do not stop on MkDocs warnings (broken links, ...)")
    parser.add_argument("--json", action="store_true", help="print the figures as one line of JSON at the end")
    parser.add_argument("--no-cache", action="store_true",
                        help="validate and render everything again instead of reusing .cache/greentoolbox (see greentoolbox.cache)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s - %(message)s")
    stats = build(Path(args.config), Path(args.site_dir) if args.site_dir else None, args.jobs, not args.no_strict,
                  log=lambda text: print(text, file=sys.stderr), cache=not args.no_cache)
    if stats["ok"]:
        print(f"built {len(stats['languages'])} language(s) into {args.site_dir or 'site'} in {stats['total_s']:.1f} s "
              f"({stats['jobs']} at a time)", file=sys.stderr)
    if args.json:
        print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in stats.items()}, sort_keys=True))
    return 0 if stats["ok"] else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

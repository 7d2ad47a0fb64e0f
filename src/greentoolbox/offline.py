"""Offline bundles: one zip per language of the built site, for work where there is no signal.

``python -m greentoolbox.offline --site site --out dist/offline`` writes
``green-toolbox-<lang>.zip`` for every language of the site. Each zip holds one folder,
``green-toolbox-<lang>/``, with

* the language's pages (English: the root pages; others: ``<lang>/``) and every file they load
  or link to (styles, scripts, images, downloads), found by following ``href``/``src`` from the pages;
* Pagefind's runtime and the index of that language only (its ``pf_meta``, ``index/<lang>_…``,
  ``fragment/<lang>_…``, ``wasm.<lang or unknown>.pagefind`` and ``gt-common.<lang>.json``;
  ``pagefind-entry.json`` lists that language only; Pagefind's own UI files are left out, the
  site uses ``assets/gt-search.js``);
* ``serve.py`` (Python standard library only: serves the folder on 127.0.0.1 and opens the
  browser), ``START-HERE.html`` and ``README.txt``.

Pages open from a file manager (``file://``): in the bundled copies, links to folders
(``toolkits/``, MkDocs' directory URLs) point at their ``index.html``, because from ``file://`` a
folder link shows a file listing. The site is built once and rewritten, not rebuilt with
``use_directory_urls: false``: one build, one Pagefind index, and the online site keeps its URLs.
Links that leave the bundle (the language switcher, "read in English" banners) point at the
online site (absolute URLs from each page's canonical link), so they work when there is signal
and never reach a file that is not there. Search needs ``serve.py``: from ``file://`` Chromium
blocks the module ``import()`` of ``pagefind.js`` (CORS, origin ``null``; measured) and
``fetch()`` of its index, so in the bundled pages the search box then says to use ``serve.py``.

Zips are deterministic: entries sorted, fixed timestamps and permissions.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import posixpath
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

SOURCE = "en"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed entry time, so two runs give the same bytes
ATTR = re.compile(r'(\s(?:href|src|action|data-pagefind)=")([^"]*)(")')
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
PAGEFIND_RUNTIME = ("pagefind.js", "pagefind-worker.js")
# From file:// the search box would say "no results" for every query (the browser blocks loading
# Pagefind); in the bundled pages it says what to do instead. Served pages are not affected.
FILE_NOTE = (
    '<script>if (location.protocol === "file:") {{ var gt = document.querySelector("[data-gt-search]");'
    ' if (gt) gt.dataset.none = gt.dataset.initializer = {note}; }}</script>\n</body>'
).format(note=json.dumps("Search works when this folder is opened with serve.py: see START-HERE.html."))


# ---------------------------------------------------------------------------------------------
# What a language's bundle holds


def languages(site: Path) -> list[str]:
    """The languages of the built site, source first, from Pagefind's language map."""
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    langs = sorted(entry["languages"])
    return sorted(langs, key=lambda lang: lang != SOURCE)


def pages_of(site: Path, lang: str, langs: list[str]) -> list[str]:
    """Site-relative paths of the HTML pages of one language."""
    if lang != SOURCE:
        return sorted(p.relative_to(site).as_posix() for p in (site / lang).rglob("*.html"))
    others = set(langs) - {SOURCE}
    return sorted(
        rel for rel in (p.relative_to(site).as_posix() for p in site.rglob("*.html"))
        if rel.split("/", 1)[0] not in others and rel != "404.html"
    )


def pagefind_files(site: Path, lang: str) -> dict[str, bytes]:
    """Pagefind's runtime and this language's index, with an entry file that lists it alone."""
    base = site / "pagefind"
    entry = json.loads((base / "pagefind-entry.json").read_text("utf-8"))
    info = entry["languages"][lang]
    own = {**entry, "languages": {lang: info}}
    files = {"pagefind/pagefind-entry.json": json.dumps(own, sort_keys=True, separators=(",", ":")).encode()}
    names = [*PAGEFIND_RUNTIME, f"pagefind.{info['hash']}.pf_meta", f"wasm.{info['wasm'] or 'unknown'}.pagefind"]
    if (base / f"gt-common.{lang}.json").is_file():  # the words gt-search.js leaves out of queries
        names.append(f"gt-common.{lang}.json")
    for name in names:
        files[f"pagefind/{name}"] = (base / name).read_bytes()
    # Pagefind prefixes each language's index and fragment chunks with the language code.
    for sub in ("index", "fragment"):
        for path in sorted((base / sub).glob(f"{lang}_*")):
            files[f"pagefind/{sub}/{path.name}"] = path.read_bytes()
    return files


def _target(page: str, url: str, site_path: str) -> tuple[str, str, str, bool] | None:
    """(site-relative path, query, fragment, was absolute) of a URL on a page, for URLs into the
    site: relative ones and absolute paths under the site's path (the switcher on home pages
    uses those); None for others."""
    parts = urlsplit(html.unescape(url))
    if parts.scheme or parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):
        if not parts.path.startswith(site_path):
            return None
        return posixpath.normpath(parts.path[len(site_path):] or "."), parts.query, parts.fragment, True
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
    return joined, parts.query, parts.fragment, False


def _resolve(files: set[str], path: str) -> str | None:
    """The bundle file a site path names: itself, or its folder's index.html."""
    if path in files:
        return path
    index = "index.html" if path == "." else f"{path}/index.html"
    return index if index in files else None


def rewrite_page(page: str, text: str, pages: set[str], site_files: set[str], online: str,
                 site_path: str = "/") -> tuple[str, set[str]]:
    """A page's bundled HTML, and the non-page site files it needs.

    Links to folders get ``index.html``, links into the site become relative; links to pages
    outside the bundle become absolute URLs of the online site; links to other files (styles,
    scripts, downloads) stay and the files are returned, to go into the bundle.
    """
    needs: set[str] = set()
    here = posixpath.dirname(page) or "."

    def fix(match: re.Match) -> str:
        url = match.group(2)
        target = _target(page, url, site_path)
        if target is None:
            return match.group(0)
        path, query, fragment, absolute = target
        found = None
        if path != ".." and not path.startswith("../"):
            found = _resolve(pages, path)
            if not found and path in site_files and not path.endswith(".html"):
                found = path
                needs.add(path)
        if found is None:
            return match.group(1) + html.escape(urljoin(online, html.unescape(url))) + match.group(3)
        if found != path or absolute:  # a folder: name its index.html, relative to this page
            rel = posixpath.relpath(found, here)
            url = html.escape(urlunsplit(("", "", rel, query, fragment)))
        return match.group(1) + url + match.group(3)

    text = ATTR.sub(fix, text)
    if "data-gt-search" in text:
        head, sep, tail = text.rpartition("</body>")
        text = head + FILE_NOTE + tail if sep else text
    return text, needs


# ---------------------------------------------------------------------------------------------
# The files written beside the pages


SERVE_PY = r'''#!/usr/bin/env python3
"""Green Toolbox offline: serve this folder on this computer only and open it in the browser.

Run:  python3 serve.py          (Windows: double-click serve.py, or: py serve.py)
Options: --port N (default 8000; a free port is taken if it is busy), --no-browser.
Python 3.8 or newer, standard library only. Stop with Ctrl+C.
"""
import argparse
import functools
import http.server
import os
import sys
import webbrowser

START = "__START__"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm",
         ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain; charset=utf-8",
         ".csv": "text/csv; charset=utf-8", ".pagefind": "application/octet-stream",
         ".pf_meta": "application/octet-stream", ".pf_index": "application/octet-stream",
         ".pf_fragment": "application/octet-stream"}


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser closing a tab is not news
            super().handle_error(request, client_address)


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def log_message(self, *args):
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the Green Toolbox offline bundle on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=None, help="port (default 8000, or a free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open the browser")
    args = parser.parse_args(argv)
    handler = functools.partial(Handler, directory=os.path.dirname(os.path.abspath(__file__)))
    try:
        server = Server(("127.0.0.1", 8000 if args.port is None else args.port), handler)
    except OSError:
        if args.port is not None:
            raise
        server = Server(("127.0.0.1", 0), handler)
    url = "http://127.0.0.1:%d/%s" % (server.server_address[1], START)
    print("Green Toolbox is at " + url + "  (only on this computer; Ctrl+C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

README_TXT = """Green Toolbox - offline copy ({lang})
{line}

Everything is in this folder; nothing is fetched from the internet.

1. Reading: double-click START-HERE.html (or open {home}).
   Pages open straight from the folder, on a computer or a phone.

2. Search needs a small local server, because browsers do not run
   search from files opened directly. With Python 3.8 or newer:

       python3 serve.py        (Windows: double-click serve.py, or: py serve.py)

   It opens http://127.0.0.1:8000/{start} in your browser (another port
   if 8000 is taken; it prints the address). It serves this folder to
   this computer only. Stop it with Ctrl+C.
   Options: --port 8080 to choose the port, --no-browser.

Links to other languages and to outside sources go to the internet and work
only with a connection. The online site: {site}
Content: CC BY 4.0. Code: MIT.
"""

START_HTML = """<!doctype html>
<html lang="{lang}"{dir}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
a.go{{display:inline-block;padding:.6rem 1rem;background:#4caf50;color:#fff;border-radius:.3rem;text-decoration:none;font-size:1.2rem}}
code{{background:#eee;padding:0 .3rem}}</style></head>
<body>
<h1>{title}</h1>
<p><a class="go" href="{home}">{home_label}</a></p>
<ul>{links}</ul>
<div lang="en" dir="ltr">
<h2>Offline copy</h2>
<p>Everything is in this folder; nothing is fetched from the internet. Pages open straight from the folder.</p>
<p><strong>Search</strong> needs a small local server: run <code>python3 serve.py</code> in this folder
(Windows: double-click <code>serve.py</code>). It opens the site at <code>http://127.0.0.1:8000/</code>,
for this computer only. Ctrl+C stops it. See README.txt.</p>
<p>Links to other languages and to sources go to the internet and need a connection.
Online: <a href="{site}">{site}</a></p>
</div>
</body></html>
"""


def _title(text: str, pattern: re.Pattern = TITLE) -> str:
    match = pattern.search(text)
    if not match:
        return ""
    text = re.sub(r'<a [^>]*class="headerlink".*?</a>', "", match.group(1), flags=re.S)  # the ¶ permalink
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def start_files(lang: str, home: str, pages: dict[str, str], site_url: str) -> dict[str, bytes]:
    """START-HERE.html, README.txt and serve.py. The page's own-language words are the built
    pages' titles (translated with the site), the instructions are English."""
    home_text = pages[home]
    site_name = _title(home_text).split(" - ")[-1] or "Green Toolbox"
    prefix = "" if lang == SOURCE else f"{lang}/"

    def link(page: str) -> str:
        label = _title(pages[page], H1) or _title(pages[page]).split(" - ")[0]
        return f'<li><a href="{html.escape(page)}">{html.escape(label)}</a></li>'

    catalog = f"{prefix}toolkits/index.html"
    toolkits = [p for p in sorted(pages) if p.startswith(f"{prefix}toolkits/") and p.count("/") == catalog.count("/") + 1]
    top = [p for p in sorted(pages) if p not in (home, catalog) and p[len(prefix):].count("/") == 1]
    links = ([link(catalog)[:-5] + "<ul>" + "".join(map(link, toolkits)) + "</ul></li>"] if catalog in pages else [])
    links += [link(p) for p in top]  # then the other top pages: standards/, about/ …
    direction = ' dir="rtl"' if lang in ("ar", "fa", "he", "ur") else ""
    start = START_HTML.format(
        lang=lang, dir=direction, title=html.escape(site_name), home=html.escape(home),
        home_label=html.escape(_title(home_text, H1) or site_name), links="".join(links), site=html.escape(site_url),
    )
    readme = README_TXT.format(lang=lang, line="=" * (32 + len(lang)), home=home, start=prefix, site=site_url)
    return {
        "START-HERE.html": start.encode("utf-8"),
        "README.txt": readme.replace("\n", "\r\n").encode("utf-8"),  # readable in Windows Notepad too
        "serve.py": SERVE_PY.replace("__START__", prefix).encode("utf-8"),
    }


# ---------------------------------------------------------------------------------------------
# Building and writing


def bundle_files(site: Path, lang: str, langs: list[str] | None = None) -> dict[str, bytes]:
    """Bundle-relative path -> bytes, for one language."""
    site = Path(site)
    langs = langs or languages(site)
    site_files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    names = pages_of(site, lang, langs)
    page_set = set(names)
    root_text = (site / "index.html").read_text("utf-8")
    site_url = CANONICAL.search(root_text).group(1)
    site_path = urlsplit(site_url).path or "/"
    files: dict[str, bytes] = {}
    texts: dict[str, str] = {}
    needs: set[str] = set()
    for name in names:
        text = (site / name).read_text("utf-8")
        match = CANONICAL.search(text)
        online = match.group(1) if match else urljoin(site_url, name)
        texts[name], more = rewrite_page(name, text, page_set, site_files, online, site_path)
        needs |= more
    for name in sorted(needs):
        files[name] = (site / name).read_bytes()
    files.update(pagefind_files(site, lang))
    files.update({name: text.encode("utf-8") for name, text in texts.items()})
    home = "index.html" if lang == SOURCE else f"{lang}/index.html"
    if lang != SOURCE:  # opening the folder's root (or the served root) leads to the language
        files["index.html"] = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0; url={lang}/index.html"><link rel="icon" href="data:,">'
            f'<title>Green Toolbox</title></head>'
            f'<body><a href="{lang}/index.html">Green Toolbox</a></body></html>\n'
        ).encode("utf-8")
    files.update(start_files(lang, home, texts, site_url))
    return files


def write_zip(path: Path, folder: str, files: dict[str, bytes]) -> None:
    """A deterministic zip: sorted entries, fixed time, fixed modes, one top folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the modes below are read
            info.external_attr = (0o100755 if name == "serve.py" else 0o100644) << 16
            archive.writestr(info, files[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def build(site: Path, out: Path, only: list[str] | None = None) -> dict[str, Path]:
    """Write one zip per language; returns language -> zip path."""
    site, out = Path(site), Path(out)
    langs = languages(site)
    written = {}
    for lang in only or langs:
        if lang not in langs:
            raise ValueError(f"{lang}: not a language of {site}")
        path = out / f"green-toolbox-{lang}.zip"
        write_zip(path, f"green-toolbox-{lang}", bundle_files(site, lang, langs))
        written[lang] = path
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m greentoolbox.offline", description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=Path("site"), help="the built site (make build)")
    parser.add_argument("--out", type=Path, default=Path("dist/offline"), help="folder for the zips")
    parser.add_argument("--lang", action="append", help="only this language (repeatable)")
    args = parser.parse_args(argv)
    if not (args.site / "pagefind" / "pagefind-entry.json").is_file():
        print(f"{args.site}: no built site with a search index here; run make build first", file=sys.stderr)
        return 2
    for lang, path in build(args.site, args.out, args.lang).items():
        with zipfile.ZipFile(path) as archive:
            count = len(archive.namelist())
        print(f"{path}  {path.stat().st_size / 1024:8.0f} KiB  {count} files  ({lang})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

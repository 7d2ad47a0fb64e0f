"""Offline bundles (greentoolbox.offline): one zip per language of the real site, opening from
files and, with its own serve.py, searching without any request outside the bundle."""

from __future__ import annotations

import json
import os
import posixpath
import re
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from greentoolbox import offline

pytestmark = [pytest.mark.site]
LANGS = ("en", "zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi")
SLUGS = ("mangrove-aquaculture", "solar-cold-storage")
CHROMIUM = "/usr/bin/chromium"
ATTR = re.compile(r'\s(?:href|src|action|data-pagefind)="([^"]*)"')


@pytest.fixture(scope="module")
def bundles(real_site, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("offline")
    assert offline.main(["--site", str(real_site), "--out", str(out)]) == 0
    return {lang: out / f"green-toolbox-{lang}.zip" for lang in LANGS}


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def test_ten_zips_with_the_language_its_assets_and_its_search_index_only(bundles, real_site):
    entry = json.loads((real_site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    for lang, path in bundles.items():
        assert path.is_file(), lang
        top = f"green-toolbox-{lang}/"
        files = names(path)
        assert all(n.startswith(top) for n in files) and files == sorted(files)
        rel = {n[len(top):] for n in files}
        prefix = "" if lang == "en" else f"{lang}/"
        for must in ("index.html", "START-HERE.html", "README.txt", "serve.py", "assets/gt-search.js",
                     "assets/greentoolbox.css", f"{prefix}index.html", f"{prefix}toolkits/index.html",
                     "pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-entry.json"):
            assert must in rel, (lang, must)
        for slug in SLUGS:
            assert f"{prefix}toolkits/{slug}/index.html" in rel, (lang, slug)
        # no page of another language, and no other language's search files
        others = set(LANGS) - {lang}
        assert not [r for r in rel if r.split("/", 1)[0] in others], lang
        search = [r for r in rel if r.startswith("pagefind/") and r not in (
            "pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-entry.json")]
        info = entry["languages"][lang]
        assert f"pagefind/pagefind.{info['hash']}.pf_meta" in search
        assert f"pagefind/wasm.{info['wasm'] or 'unknown'}.pagefind" in search
        assert f"pagefind/gt-common.{lang}.json" in search  # the words the search script leaves out
        chunks = [r for r in search if r.startswith(("pagefind/index/", "pagefind/fragment/"))]
        assert chunks and all(posixpath.basename(r).startswith(f"{lang}_") for r in chunks), lang
        assert len(search) == 3 + len(chunks), (lang, search)
        with zipfile.ZipFile(path) as archive:
            own = json.loads(archive.read(top + "pagefind/pagefind-entry.json"))
            assert list(own["languages"]) == [lang]
            mode = archive.getinfo(top + "serve.py").external_attr >> 16
            assert mode & 0o111, "serve.py is executable"


def test_every_link_in_a_bundle_resolves_inside_it_or_goes_online(bundles, tmp_path):
    """From file:// a folder link would show a file listing and a link out of the folder would
    find nothing: every relative URL names a file of the bundle, the rest are absolute."""
    for lang in ("en", "ar"):
        with zipfile.ZipFile(bundles[lang]) as archive:
            archive.extractall(tmp_path)
        root = tmp_path / f"green-toolbox-{lang}"
        pages = sorted(root.rglob("*.html"))
        assert len(pages) > 10
        online = 0
        for page in pages:
            for url in ATTR.findall(page.read_text("utf-8")):
                parts = urlsplit(url.replace("&amp;", "&"))
                if parts.scheme or not parts.path:
                    online += parts.scheme == "https"
                    continue
                target = (page.parent / parts.path).resolve()
                assert target.is_file(), (page.relative_to(root), url)
                assert target.is_relative_to(root.resolve()), (page.relative_to(root), url)
        assert online, "links to other languages point at the online site"
    switcher = (tmp_path / "green-toolbox-ar" / "ar" / "toolkits" / "mangrove-aquaculture" / "index.html").read_text("utf-8")
    assert 'href="https://greentoolbox.github.io/green-toolbox/zh/toolkits/mangrove-aquaculture/" hreflang="zh"' in switcher


def test_two_runs_give_identical_zips(bundles, real_site, tmp_path):
    again = offline.build(real_site, tmp_path, ["zh", "en"])
    for lang, path in again.items():
        assert path.read_bytes() == bundles[lang].read_bytes(), lang
    sizes = {lang: round(p.stat().st_size / 1024) for lang, p in bundles.items()}
    print("offline bundle sizes (KiB):", sizes)


def test_cli_refuses_a_folder_without_a_built_site(tmp_path):
    result = subprocess.run([sys.executable, "-m", "greentoolbox.offline", "--site", str(tmp_path), "--out",
                             str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "make build" in result.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# In the browser: the zh bundle, unzipped, served by its own serve.py, and opened from files




@pytest.fixture(scope="module")
def zh_folder(bundles, tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(bundles["zh"]) as archive:
        archive.extractall(base)
    return base / "green-toolbox-zh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(zh_folder):
    """The bundle's own serve.py, run as a reader would, in the unzipped folder."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "serve.py", "--port", str(port), "--no-browser"], cwd=zh_folder,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        line = proc.stdout.readline()  # printed once the socket listens
        assert f"{base}zh/" in line, line + proc.stderr.read()
        for path, mime in (("pagefind/pagefind.js", "text/javascript"), ("pagefind/wasm.unknown.pagefind",
                                                                          "application/octet-stream")):
            with urllib.request.urlopen(base + path, timeout=10) as response:  # module scripts need a JS type
                assert response.headers["Content-Type"].split(";")[0] == mime, path
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def recorded_context(browser):
    """A context that records every request (pages and workers) and blocks any to another host."""
    context = browser.new_context()
    context.requests, context.failed = [], []
    context.on("request", lambda r: context.requests.append(r.url))
    context.on("requestfailed", lambda r: context.failed.append(r.url))
    context.on("response", lambda r: r.status >= 400 and context.failed.append(f"{r.status} {r.url}"))
    return context


@pytest.mark.browser
def test_served_bundle_searches_chinese_without_leaving_the_bundle(browser, served):
    context = recorded_context(browser)
    outside = []

    def guard(route):
        if route.request.url.startswith(served):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(served + "zh/")
    assert page.inner_text("h1")
    page.keyboard.press("/")
    page.fill(".md-search__input", "红树林")
    page.wait_for_function("q => document.querySelector('[data-gt-search]').dataset.doneQuery === q",
                           arg="红树林", timeout=20000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert served + "zh/toolkits/mangrove-aquaculture/" in hrefs, hrefs
    page.goto(hrefs[0])
    assert "红树林" in page.inner_text("h1")
    loaded = context.requests
    context.close()
    assert any("/pagefind/index/zh_" in u for u in loaded) and any(u.endswith(".pf_meta") for u in loaded)
    assert not outside, outside
    assert all(u.startswith(served) for u in loaded), [u for u in loaded if not u.startswith(served)]
    assert not context.failed, context.failed


@pytest.mark.browser
def test_pages_open_from_files_and_search_says_to_use_serve_py(browser, zh_folder):
    context = recorded_context(browser)
    page = context.new_page()
    root = zh_folder.resolve().as_uri() + "/"
    page.goto(root + "START-HERE.html")
    assert page.inner_text("a[href='zh/toolkits/mangrove-aquaculture/index.html']").startswith("红树林")
    page.click("a.go")
    assert page.url == root + "zh/index.html"
    page.goto(root + "zh/toolkits/index.html")
    page.click(".gt-card h2 a[href^='mangrove-aquaculture/']")
    assert page.url == root + "zh/toolkits/mangrove-aquaculture/index.html"
    assert "红树林" in page.inner_text("h1")
    assert page.eval_on_selector(".md-header", "e => getComputedStyle(e).position") == "sticky"  # Material's CSS
    page.keyboard.press("/")
    page.fill(".md-search__input", "红树林")
    page.wait_for_function("q => document.querySelector('[data-gt-search]').dataset.doneQuery === q",
                           arg="红树林", timeout=20000)
    assert "serve.py" in page.inner_text(".md-search-result__meta")
    loaded = context.requests
    context.close()
    assert loaded and all(u.startswith(root) for u in loaded), [u for u in loaded if not u.startswith(root)]

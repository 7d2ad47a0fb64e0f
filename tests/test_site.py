"""Real site builds: the flagships' pages, nothing lost, links resolve, no third-party request."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from greentoolbox.export import page_texts, write_pages
from greentoolbox.validate import validate_tree

from conftest import GOOD, REPO, make_site, make_tree, mkdocs_build, parse_page
from inventory import missing_leaves

pytestmark = pytest.mark.site
FLAGSHIPS = ("mangrove-aquaculture", "solar-cold-storage")


def test_flagship_pages_exist(real_site):
    for slug in FLAGSHIPS:
        assert (real_site / "toolkits" / slug / "index.html").is_file()
    catalog = parse_page(real_site / "toolkits" / "index.html")
    for slug in FLAGSHIPS:
        assert f"{slug}/" in catalog.hrefs


@pytest.mark.parametrize("slug", FLAGSHIPS)
def test_every_leaf_value_of_a_flagship_is_on_its_page(real_site, slug):
    catalog = validate_tree(REPO)
    page = parse_page(real_site / "toolkits" / slug / "index.html")
    assert missing_leaves(page, catalog.toolkits[slug].data, catalog.registry) == []


def test_every_leaf_value_of_the_demo_toolkit_is_on_its_page(demo_site, tmp_path):
    catalog = validate_tree(make_tree(tmp_path))
    page = parse_page(demo_site / "toolkits" / "demo-solar" / "index.html")
    assert missing_leaves(page, catalog.toolkits["demo-solar"].data, catalog.registry) == []


def test_standards_index_lists_citing_toolkits_and_stages(real_site):
    catalog = validate_tree(REPO)
    page = parse_page(real_site / "standards" / "index.html")
    for key, entry in catalog.registry.standards.items():
        assert key in page.ids, key
    tk = catalog.toolkits["solar-cold-storage"].data
    for cited in tk["standards"]:
        assert cited["standard"] in page.ids
    assert "../toolkits/solar-cold-storage/" in page.hrefs
    text = page.text
    assert "IEC 62446-1" in text and "ISO 5149-4" in text


def _internal_targets(site: Path):
    for html in sorted(site.rglob("*.html")):
        page = parse_page(html)
        for href in page.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("mailto:"):
                continue
            yield html, href, page


SITE_PATH = urlsplit(re.search(r'site_url: !ENV \[SITE_URL, "([^"]+)"\]', (REPO / "mkdocs.yml").read_text("utf-8")).group(1)).path


def test_no_broken_internal_links_or_anchors(real_site):
    """Every internal href (Markdown or raw HTML) and #anchor resolves, on every page."""
    broken = []
    ids_cache: dict[Path, set[str]] = {}
    for html, href, page in _internal_targets(real_site):
        parts = urlsplit(href)
        if parts.path.startswith("/"):  # absolute links (404 page) carry the site_url path
            if not parts.path.startswith(SITE_PATH):
                broken.append(f"{html.relative_to(real_site)} -> {href} (outside {SITE_PATH})")
                continue
            target = (real_site / unquote(parts.path[len(SITE_PATH):])).resolve()
            if target.is_dir():
                target = target / "index.html"
        elif parts.path:
            target = (html.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
        else:
            target = html
        if not target.is_file() or real_site.resolve() not in target.parents and target != real_site.resolve():
            broken.append(f"{html.relative_to(real_site)} -> {href}")
            continue
        if parts.fragment and target.suffix == ".html":
            ids = ids_cache.setdefault(target, parse_page(target).ids)
            if unquote(parts.fragment) not in ids:
                broken.append(f"{html.relative_to(real_site)} -> {href} (no such anchor)")
    assert broken == []


def test_no_third_party_requests_in_pages(real_site):
    """Nothing the browser loads by itself (scripts, styles, fonts, images) comes from another host."""
    offenders = []
    for html in real_site.rglob("*.html"):
        page = parse_page(html)
        for tag, attrs in page.elements:
            attrs = dict(attrs)
            url = attrs.get("src") if tag in ("script", "img", "iframe", "source", "audio", "video") else None
            if tag == "link" and (attrs.get("rel") or "") in ("stylesheet", "preconnect", "preload", "dns-prefetch", "icon", "modulepreload"):
                url = attrs.get("href")
            if url and urlsplit(url).netloc:
                offenders.append(f"{html.relative_to(real_site)}: <{tag}> {url}")
    assert offenders == []
    css = "\n".join(p.read_text("utf-8", errors="replace") for p in real_site.rglob("*.css"))
    assert "fonts.googleapis.com" not in css and "@import url(http" not in css


def test_heading_anchors_are_stable_and_meaningful(real_site):
    page = parse_page(real_site / "toolkits" / "solar-cold-storage" / "index.html")
    for anchor in ("overview", "specifications", "standards", "lifecycle", "lifecycle-installation",
                   "lifecycle-end-of-life", "indicators", "costs", "risks", "cases", "references"):
        assert anchor in page.ids
    assert not any(re.fullmatch(r"_\d+", i) for i in page.ids)


def test_bad_toolkit_fails_the_build_with_its_location(tmp_path):
    text = GOOD.read_text("utf-8").replace("unit: m3", "unit: m4")
    base = make_site(tmp_path, {"demo-solar": text})
    result = mkdocs_build(base)
    out = result.stdout + result.stderr
    assert result.returncode == 1
    assert re.search(r"toolkits/demo-solar/toolkit\.yaml:\d+:\d+: GT206 specifications\[0\]\.unit", out), out
    assert "Traceback" not in out
    assert not (base / "site" / "toolkits" / "demo-solar" / "index.html").exists()


def test_generated_pages_are_written_only_when_changed(tmp_path):
    catalog = validate_tree(make_tree(tmp_path))
    docs = tmp_path / "docs"
    first = write_pages(catalog, docs)
    assert {p.relative_to(docs).as_posix() for p in first} == set(page_texts(catalog))
    stamps = {p: p.stat().st_mtime_ns for p in first}
    time.sleep(0.01)
    assert write_pages(catalog, docs) == []
    assert all(p.stat().st_mtime_ns == stamps[p] for p in first)
    # a generated page whose toolkit is gone is removed
    stale = docs / "toolkits" / "old-kit" / "index.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", "utf-8")
    write_pages(catalog, docs)
    assert not stale.exists() and not stale.parent.exists()

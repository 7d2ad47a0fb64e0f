"""Real site builds: the flagships' pages, nothing lost, links resolve, no third-party request."""

from __future__ import annotations

import html as html_lib
import re
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from greentoolbox.export import page_texts, write_pages
from greentoolbox.validate import validate_tree

from conftest import GOOD, REPO, differences, make_site, make_tree, mkdocs_build, parse_page, site_build
from inventory import missing_leaves

pytestmark = pytest.mark.site
FLAGSHIPS = ("mangrove-aquaculture", "solar-cold-storage")
SHIPPED = tuple(sorted(p.parent.name for p in (REPO / "toolkits").glob("*/toolkit.yaml")))


@pytest.fixture(scope="module")
def repo_catalog():
    """The repository's toolkits and catalogs, validated once for this module (read only)."""
    return validate_tree(REPO)


def test_flagship_pages_exist(real_site):
    for slug in FLAGSHIPS:
        assert (real_site / "toolkits" / slug / "index.html").is_file()
    catalog = parse_page(real_site / "toolkits" / "index.html")
    for slug in FLAGSHIPS:
        assert f"{slug}/" in catalog.hrefs


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_leaf_value_of_a_shipped_toolkit_is_on_its_page(real_site, slug, repo_catalog):
    catalog = repo_catalog
    page = parse_page(real_site / "toolkits" / slug / "index.html")
    assert missing_leaves(page, catalog.toolkits[slug].data, catalog.registry) == []


def test_every_leaf_value_of_the_demo_toolkit_is_on_its_page(demo_site, tmp_path):
    catalog = validate_tree(make_tree(tmp_path))
    page = parse_page(demo_site / "toolkits" / "demo-solar" / "index.html")
    assert missing_leaves(page, catalog.toolkits["demo-solar"].data, catalog.registry) == []


def test_links_between_toolkits_show_on_both_pages(real_site, repo_catalog):
    """A typed link is listed on the page that makes it and, turned round, on the page it names:
    the composite village lists its parts without repeating their links in its own file."""
    catalog = repo_catalog
    links = [(tid, link["relation"], link["toolkit"]) for tid, tk in catalog.toolkits.items() for link in tk.data.get("related", [])]
    assert any(relation == "part_of" for _, relation, _ in links)
    turned = {"part_of": "Includes", "requires": "Required by", "pairs_with": "Pairs with"}
    for source, relation, target in links:
        assert f"../{target}/" in parse_page(real_site / "toolkits" / source / "index.html").hrefs
        back = (real_site / "toolkits" / target / "index.html").read_text("utf-8")
        own = {link["toolkit"] for link in catalog.toolkits[target].data.get("related", [])}
        if source not in own:  # already listed by the target's own link otherwise
            assert re.search(rf'<li>{turned[relation]}: <a href="\.\./{source}/">', back), (source, relation, target)


def test_standards_index_lists_citing_toolkits_and_stages(real_site, repo_catalog):
    catalog = repo_catalog
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


def test_toolkit_pages_have_their_title_and_table_of_contents(real_site, repo_catalog):
    """Generated pages skip Markdown (the hook hands their HTML over); the browser title, the
    header title and the table of contents must still come from their headings. Before, a
    toolkit page's <title> was "Index - Green Toolbox" (its h1 was not the first element)."""
    for lang in ("", "zh/", "ar/"):
        html = (real_site / lang / "toolkits" / "solar-cold-storage" / "index.html").read_text("utf-8")
        h1 = re.search(r'<h1 id="solar-cold-storage">(.*?)<a class="headerlink"', html, re.S).group(1)
        assert re.search(r"<title>(.*?)</title>", html).group(1) == f"{h1} - Green Toolbox", lang
        assert h1 in re.search(r'<div class="md-header__topic" data-md-component="header-topic">(.*?)</div>', html, re.S).group(1)
        toc = html[html.index('md-nav--secondary'):html.index('class="md-content"')]
        links = re.findall(r'<a href="#([^"]+)" class="md-nav__link">', toc)
        assert links[:2] == ["overview", "components"] and "cases" in links, (lang, links)
        stages = toc[toc.index('href="#lifecycle"'):toc.index('href="#indicators"')]
        assert 'href="#lifecycle-installation"' in stages and "<nav" in stages  # nested under its section
    title = repo_catalog.toolkits["solar-cold-storage"].data["title"]
    assert f"<title>{html_lib.escape(title, quote=False)} - Green Toolbox</title>" in (real_site / "toolkits" / "solar-cold-storage" / "index.html").read_text("utf-8")


def test_heading_permalinks_are_named_in_the_page_language(real_site):
    """The ¶ link after each heading is named by its title (what a screen reader says): in the
    page's language on generated pages (the engine writes them) and on hand-written ones (the
    hook gives the toc extension the title), never English on a Chinese or Arabic page."""
    expected = {"": "Permanent link", "zh/": "永久链接", "ar/": "رابط دائم"}
    for lang, title in expected.items():
        for page in ("toolkits/solar-cold-storage/", "toolkits/", "about/", ""):
            html = (real_site / lang / page / "index.html").read_text("utf-8")
            titles = set(re.findall(r'<a class="headerlink" href="#[^"]*" title="([^"]*)"', html))
            assert titles == {title}, (lang, page, titles)


def test_adjacent_cells_and_items_are_separated_for_text_extractors(real_site):
    """Pagefind (and copy and paste) read "</dt><dd>" as no break: "Where" and the place became
    one word in the index. The engine's pages put a space between such elements."""
    joint = re.compile(r"</(td|th|dt|dd|li)><(td|th|dt|dd|li)\b")
    for lang in ("", "zh/", "ar/"):
        for slug in SHIPPED:
            text = (real_site / lang / "toolkits" / slug / "index.html").read_text("utf-8")
            article = text[text.index("<article"):text.index("</article>")]
            assert not joint.search(article), (lang, slug, joint.search(article).group())
        catalog = (real_site / lang / "toolkits" / "index.html").read_text("utf-8")
        assert not joint.search(catalog[catalog.index("<article"):catalog.index("</article>")]), lang


@pytest.mark.parametrize("build", [mkdocs_build, site_build], ids=["mkdocs-build", "greentoolbox-build"])
def test_bad_toolkit_fails_the_build_with_its_location(tmp_path, build):
    text = GOOD.read_text("utf-8").replace("unit: m3", "unit: m4")
    base = make_site(tmp_path, {"demo-solar": text})
    result = build(base)
    out = result.stdout + result.stderr
    assert result.returncode == 1
    assert re.search(r"toolkits/demo-solar/toolkit\.yaml:\d+:\d+: GT206 specifications\[0\]\.unit", out), out
    assert "Traceback" not in out
    assert not (base / "site" / "toolkits" / "demo-solar" / "index.html").exists()
    if build is site_build:  # it stops before MkDocs starts
        assert "nothing built" in out
        assert not (base / "site").exists()


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


LANGS = ("zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi")


@pytest.mark.parametrize("lang", LANGS)
def test_every_toolkit_page_exists_translated_in_every_language(real_site, lang, repo_catalog):
    from greentoolbox.export import translation_status

    catalog = repo_catalog
    rows = {r["domain"]: r for r in translation_status(REPO, catalog) if r["lang"] == lang}
    for slug, tk in catalog.toolkits.items():
        page = parse_page(real_site / lang / "toolkits" / slug / "index.html")
        html = (real_site / lang / "toolkits" / slug / "index.html").read_text("utf-8")
        assert f'<html lang="{lang}"' in html
        status = rows[f"toolkits/{slug}"]["status"]
        assert f'data-status="{status}"' in html  # the banner tells the same as the status page
        assert status in ("machine", "reviewed"), (slug, status)  # every shipped toolkit is translated
        h1 = html_lib.unescape(re.search(r"<h1[^>]*>(.*?)(?:<a class=\"headerlink\"|</h1>)", html, re.S).group(1)).strip()
        assert h1 and h1 != tk.data["title"]
        assert tk.data["summary"] not in page.text


def test_arabic_pages_are_right_to_left(real_site):
    html = (real_site / "ar" / "toolkits" / "solar-cold-storage" / "index.html").read_text("utf-8")
    assert 'dir="rtl"' in html and '<html lang="ar"' in html


def test_sitemap_lists_every_page_with_hreflang_alternates(real_site):
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    tree = ET.parse(real_site / "sitemap.xml")
    urls = {}
    for url in tree.getroot().findall("s:url", ns):
        loc = url.find("s:loc", ns).text
        urls[loc] = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
    base = next(iter(urls)).split("toolkits/")[0].split("standards/")[0]
    pages = {p.parent.relative_to(real_site).as_posix() for p in real_site.rglob("index.html")} - {"."}
    listed = {urlsplit(u).path.split("/green-toolbox/", 1)[1].rstrip("/") for u in urls}
    assert pages - {""} <= listed | {""}, sorted(pages - listed)[:10]
    solar = [alts for loc, alts in urls.items() if loc.endswith("/toolkits/solar-cold-storage/") and "/zh/" not in loc]
    assert solar and set(solar[0]) >= {"en", "zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi"}


def test_translation_status_page_tells_the_truth(real_site, repo_catalog):
    from greentoolbox.export import translation_status

    rows = translation_status(REPO, repo_catalog)
    html = (real_site / "translation-status" / "index.html").read_text("utf-8")
    for row in rows:
        assert f'<tr data-lang="{row["lang"]}" data-domain="{row["domain"]}" data-status="{row["status"]}">' in html
    assert len(rows) == 9 * (2 + len(SHIPPED))  # nine languages x (UI, registry, each toolkit)


def test_two_builds_of_the_same_tree_are_byte_identical(tmp_path):
    """Deterministic output, and the same site from `mkdocs build` (one process, languages one
    after another) as from `greentoolbox build` (languages in parallel processes, their search
    indexes and sitemaps joined). The only input that may differ between builds is the date in
    sitemap.xml, fixed here as CI can with SOURCE_DATE_EPOCH (the commit time)."""
    import os

    (tmp_path / "tree").mkdir()
    base = make_site(tmp_path / "tree", real_toolkits=True)
    env = {"SOURCE_DATE_EPOCH": "1795000000"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        first = mkdocs_build(base, "--site-dir", str(tmp_path / "one"))
        second = site_build(base, "--site-dir", str(tmp_path / "two"), "--jobs", "3")
    finally:
        for key, value in old.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    assert first.returncode == 0 and second.returncode == 0, first.stdout + first.stderr + second.stderr
    assert differences(tmp_path / "one", tmp_path / "two") == []


def test_search_index_covers_exactly_the_pages_of_each_language(real_site):
    """Pagefind's per-language page counts equal the HTML pages of that language (nothing
    dropped, nothing extra), and the sitemap lists every one of them."""
    import json

    entry = json.loads((real_site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    counts = {lang: data["page_count"] for lang, data in entry["languages"].items()}
    langs = ("en",) + LANGS
    assert set(counts) == set(langs)
    for lang in langs:
        base = real_site if lang == "en" else real_site / lang
        pages = [p for p in base.rglob("index.html")
                 if not (lang == "en" and p.relative_to(real_site).parts[0] in LANGS)
                 and p.relative_to(real_site).parts[0] not in ("api", "pagefind", "assets")]
        assert counts[lang] == len(pages), (lang, counts[lang], len(pages))
    sitemap = (real_site / "sitemap.xml").read_text("utf-8")
    for lang in langs:
        prefix = "" if lang == "en" else f"{lang}/"
        assert f"/green-toolbox/{prefix}toolkits/solar-cold-storage/</loc>" in sitemap


@pytest.mark.parametrize("page", ["index", "about", "contribute"])
def test_hand_written_pages_exist_in_every_language(page):
    for lang in LANGS:
        path = REPO / "docs" / f"{page}.{lang}.md"
        assert path.is_file(), path
        assert path.read_text("utf-8").startswith("---\ntranslation: ")


@pytest.mark.parametrize("lang", LANGS)
def test_every_translated_text_appears_on_its_language_page(real_site, lang, repo_catalog):
    """Nothing a translator wrote is lost: each current msgstr of a toolkit catalog is visible."""
    from babel.messages.pofile import read_po

    from greentoolbox.render import prose
    from greentoolbox.translate import catalog_path

    catalog = repo_catalog
    missing = []
    for slug in catalog.toolkits:
        page = parse_page(real_site / lang / "toolkits" / slug / "index.html")
        po = read_po(catalog_path(REPO, lang, f"toolkits/{slug}").open("rb"))
        for message in po:
            if not message.id or not message.string or message.fuzzy:
                continue
            if message.context == "description":
                shown = parse_page_text(str(prose(message.string)))
            else:
                shown = " ".join(message.string.split())
            if shown not in page.text:
                missing.append((slug, message.context, shown[:60]))
    assert missing == []


def parse_page_text(html: str) -> str:
    from conftest import PageParser

    parser = PageParser()
    parser.feed(html)
    return parser.text


@pytest.mark.parametrize("slug", SHIPPED)
def test_shipped_toolkit_meets_the_library_bar(slug, repo_catalog):
    """Each toolkit cites at least three registry standards or guidelines and at least one case
    whose source can be followed (a URL or DOI); every registry entry says how it was checked."""
    catalog = repo_catalog
    data = catalog.toolkits[slug].data
    cited = {s["standard"] for s in data["standards"]}
    assert len(cited) >= 3 and cited <= set(catalog.registry.standards), cited
    refs = {r["id"]: r for r in data["references"]}
    assert any(refs[c["source"]].get("url") or refs[c["source"]].get("doi") for c in data["case_studies"])
    for key in cited:
        entry = catalog.registry.standards[key]
        assert isinstance(entry["verified"], bool) and entry.get("verification"), key


def _fragments(site: Path, lang: str) -> dict[str, dict]:
    """Pagefind's stored page records of one language by URL (gzip files: a signature, then JSON)."""
    import gzip
    import json

    out = {}
    for path in (site / "pagefind" / "fragment").glob(f"{lang}_*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        record = json.loads(raw[raw.index(b"{"):])
        out[record["url"]] = record
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_search_indexes_what_a_toolkit_says_not_its_page_furniture(real_site, lang):
    """What a toolkit says is searchable (summary, checklist items, standard IDs, the titles of
    its references); what every page repeats (the field labels and signature line of each
    checklist item, the translation banner, 'About this page') and what only points elsewhere
    (reference URLs, other toolkits' titles under 'Related toolkits') is left out of the search
    index: those words would match every page and make each search download their long lists of
    positions. Checklist items were once missing: Pagefind drops <label> elements."""
    prefix = "" if lang == "en" else f"{lang}/"
    records = _fragments(real_site, lang)
    record = next(r for url, r in records.items() if url.endswith(f"/{prefix}toolkits/solar-cold-storage/"))
    def squash(value: str) -> str:  # Pagefind separates Chinese words with zero-width spaces
        return re.sub(r"[\s\u200b]+", "", value)

    text = squash(record["content"])
    page = (real_site / prefix / "toolkits" / "solar-cold-storage" / "index.html").read_text("utf-8")

    def first(pattern: str) -> str:
        match = re.search(pattern, page, re.S)
        assert match, pattern
        return html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()

    said = [first(r'<p class="gt-lead">(.*?)</p>'), first(r'<p class="gt-item" id="check-[^"]+">(.*?)</p>'),
            first(r'<a href="\.\./\.\./standards/#[^"]+">([^<]+)</a>'), first(r'<cite>(.*?)</cite>')]
    furniture = [first(r'<p class="gt-sign"[^>]*>(.*?)</p>'), first(r'<span class="gt-k"[^>]*>(.*?)</span>'),
                 first(r'<a class="gt-url"[^>]*>(.*?)</a>'), first(r'<p class="gt-muted gt-about"[^>]*>(.*?)</p>')[:40],
                 first(r'<ul class="gt-related">\s*<li>.*?<a [^>]*>(.*?)</a>')]
    if lang != "en":
        furniture.append(first(r'<div class="admonition [^"]*gt-provenance"[^>]*>.*?</p>\s*<p>(.*?)</p>')[:40])
    for piece in said:
        assert squash(piece) in text, piece
    for piece in furniture:
        assert piece and squash(piece) not in text, piece

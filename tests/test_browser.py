"""Browser tests: headless Debian Chromium through Playwright, against the real site served on
loopback under a GitHub Pages-like sub-path (/green-toolbox/)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import REPO, serve

pytestmark = [pytest.mark.browser, pytest.mark.site]
CHROMIUM = "/usr/bin/chromium"
SLUGS = {"M": "mangrove-aquaculture", "S": "solar-cold-storage", "G": "community-pv-microgrid",
         "B": "micro-energy-storage", "W": "decentralised-wastewater", "D": "desert-restoration",
         "R": "rainforest-restoration", "I": "solar-drip-irrigation", "J": "juncao",
         "P": "coastal-plastic-recycling", "Q": "biogas-digesters", "Z": "zero-carbon-village"}
LANGS = ("en", "zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi")
QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text("utf-8"))


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def lang_path(lang: str) -> str:
    return "" if lang == "en" else f"{lang}/"


def search(page, query: str) -> list[str]:
    page.fill(".md-search__input", query)
    page.wait_for_function("q => document.querySelector('[data-gt-search]').dataset.doneQuery === q", arg=query, timeout=10000)
    return page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.parametrize("lang", LANGS)
def test_search_recall_in_each_language_only_that_language(page, base_url, lang):
    page.goto(base_url + lang_path(lang))
    page.wait_for_load_state("networkidle")
    assert not [u for u in page.requests if "/pagefind/" in u], "search files loaded before searching"
    page.keyboard.press("/")  # the keyboard shortcut opens the search box
    page.wait_for_function("document.activeElement.classList.contains('md-search__input')", timeout=5000)
    misses = []
    for query, expected in QUERIES[lang]:
        hrefs = search(page, query)
        paths = [urlsplit(h).path for h in hrefs]
        want = f"/green-toolbox/{lang_path(lang)}toolkits/{SLUGS[expected]}/"
        if want not in paths[:3]:
            misses.append((query, paths[:3]))
        for path in paths:
            rest = path.removeprefix("/green-toolbox/")
            first = rest.split("/", 1)[0]
            if lang == "en":
                assert first not in LANGS, f"{query!r}: result {path} is not English"
            else:
                assert first == lang, f"{query!r}: result {path} is not in {lang}"
    assert len(QUERIES[lang]) >= 10
    assert not misses, misses


def test_search_excerpts_and_localized_strings(page, base_url):
    page.goto(base_url)
    page.keyboard.press("/")
    search(page, "mangrove")
    assert page.eval_on_selector_all(".md-search-result__item mark", "els => els.length") > 0
    assert "matching documents" in page.inner_text(".md-search-result__meta")
    page.goto(base_url + "zh/")
    page.keyboard.press("/")
    search(page, "红树林")
    excerpts = page.eval_on_selector_all(".md-search-result__item p", "els => els.map(e => e.textContent)")
    assert excerpts and all(excerpts)  # Pagefind does not mark CJK hits, but gives the excerpt
    meta = page.inner_text(".md-search-result__meta")
    assert meta and "matching" not in meta  # Material's zh strings, not English


def test_common_words_are_left_out_of_a_longer_query(browser, real_site, base_url, tmp_path):
    # The build lists, per language, the words on nine pages in ten that fill a search chunk alone
    # (gt-common.<lang>.json; none on a site this small, so the list here is the one a large
    # site would have): the search script leaves them out when the query has other words.
    assert json.loads((real_site / "pagefind" / "gt-common.en.json").read_text("utf-8")) == []
    copy = tmp_path / "green-toolbox"
    copy.mkdir()
    for item in real_site.iterdir():
        if item.name != "pagefind":
            (copy / item.name).symlink_to(item, target_is_directory=item.is_dir())
    (copy / "pagefind").mkdir()
    for item in (real_site / "pagefind").iterdir():
        if item.name != "gt-common.en.json":
            (copy / "pagefind" / item.name).symlink_to(item, target_is_directory=item.is_dir())
    (copy / "pagefind" / "gt-common.en.json").write_text('["the", "and"]', encoding="utf-8")
    server = serve(tmp_path)
    listed = f"http://127.0.0.1:{server.server_address[1]}/green-toolbox/"

    def run(base: str, query: str) -> tuple[list[str], set[str]]:
        context = browser.new_context()
        page = context.new_page()
        seen: list[str] = []
        page.on("request", lambda r: seen.append(r.url))
        page.goto(base)
        page.keyboard.press("/")
        hrefs = search(page, query)
        page.wait_for_load_state("networkidle")
        context.close()
        return [urlsplit(h).path for h in hrefs], {u.rsplit("/", 1)[1] for u in seen if u.endswith(".pf_index")}

    try:
        alone, alone_chunks = run(listed, "mangrove")
        longer, longer_chunks = run(listed, "the mangrove and")
        unlisted, unlisted_chunks = run(base_url, "the mangrove and")
        only_common, _ = run(listed, "the and")
    finally:
        server.shutdown()
    assert alone and longer == alone and longer_chunks == alone_chunks
    assert unlisted_chunks > alone_chunks  # without the list, the chunks of "the" and "and" come too
    assert unlisted[0] == alone[0]
    assert only_common  # a query of common words alone is searched as typed


def shipped_toolkits() -> dict[str, dict]:
    """id -> data of the toolkits in the repository (what real_site is built from)."""
    return {p.parent.name: yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "toolkits").glob("*/toolkit.yaml"))}


@pytest.mark.parametrize("lang", ["en", "zh", "ar", "sw"])
def test_a_standard_id_finds_every_toolkit_that_cites_it(page, base_url, lang):
    # What an engineer types: the ID without its edition ("IEC 62446-1"); every toolkit that
    # cites it (in its standards table or a checklist item) is among the results.
    from collections import defaultdict

    from greentoolbox.validate import validate_tree

    registry = validate_tree(REPO, translations=False).registry
    cited = defaultdict(set)
    for tid, data in shipped_toolkits().items():
        for entry in data.get("standards", []):
            cited[entry["standard"]].add(tid)
        for items in data.get("lifecycle", {}).values():
            for item in items:
                for key in item.get("standards", []):
                    cited[key].add(tid)
    page.goto(base_url + lang_path(lang))
    page.keyboard.press("/")
    for key in ("iec-62446-1", "iec-62109-1", "iec-ts-62257-6", "iec-61427-1"):
        query = registry.standards[key]["id"].split(":")[0]
        paths = [urlsplit(h).path for h in search(page, query)]
        want = {f"/green-toolbox/{lang_path(lang)}toolkits/{tid}/" for tid in cited[key]}
        assert len(want) >= 3 and want <= set(paths), (query, sorted(want - set(paths)), paths)


def test_catalog_filters_narrow_and_the_url_restores_them(page, base_url):
    toolkits = shipped_toolkits()
    food = sorted(f"{tid}/" for tid, tk in toolkits.items() if "food-loss" in tk["challenges"])
    assert 0 < len(food) < len(toolkits)  # the filter must narrow the list for this test to mean anything
    page.goto(base_url + "toolkits/")
    assert page.is_visible("form.gt-facets")
    assert page.eval_on_selector_all(".gt-card:not([hidden])", "e => e.length") == len(toolkits)
    page.check("input[name=challenge][value=food-loss]")
    visible = page.eval_on_selector_all(".gt-card:not([hidden]) h2 a", "els => els.map(e => e.getAttribute('href'))")
    assert sorted(visible) == food
    assert "challenge=food-loss" in page.url
    count = page.inner_text("label:has(input[name=challenge][value=food-loss]) .gt-count")
    assert count == f"({len(food)})"
    shared = page.url
    page.goto(shared)
    assert page.is_checked("input[name=challenge][value=food-loss]")
    assert page.eval_on_selector_all(".gt-card:not([hidden])", "e => e.length") == len(food)
    page.click("form.gt-facets button[type=reset]")
    page.wait_for_timeout(100)
    assert page.eval_on_selector_all(".gt-card:not([hidden])", "e => e.length") == len(toolkits)
    assert "challenge=" not in page.url


def test_site_works_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "fr/toolkits/")
    assert not page.is_visible("form.gt-facets")
    links = page.eval_on_selector_all(".gt-card h2 a", "els => els.map(e => e.href)")
    assert len(links) == len(shipped_toolkits())
    for link in links:
        response = page.goto(link)
        assert response.status == 200
        assert page.inner_text("h1")
    context.close()


def test_arabic_is_right_to_left(page, base_url, tmp_path):
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(base_url + "ar/toolkits/solar-cold-storage/")
    assert page.get_attribute("html", "lang") == "ar"
    assert page.evaluate("getComputedStyle(document.querySelector('article')).direction") == "rtl"
    h1 = page.eval_on_selector("article h1", "e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }")
    article = page.eval_on_selector("article", "e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }")
    assert abs(h1[1] - article[1]) < 60, (h1, article)  # the heading starts at the right edge
    first_th = page.eval_on_selector("#specifications ~ .gt-table th", "e => e.getBoundingClientRect().right")
    last_th = page.eval_on_selector_all("#specifications ~ .gt-table th", "els => els[els.length - 1].getBoundingClientRect().right")
    assert first_th > last_th  # table columns run right to left
    shot = tmp_path / "ar.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10000


def test_swahili_pages_show_no_english_theme_string(page, base_url):
    page.goto(base_url + "sw/toolkits/solar-cold-storage/")
    chrome = page.evaluate("""() => [document.querySelector('.md-search__input').placeholder,
        ...[...document.querySelectorAll('.md-header [aria-label], .md-footer [aria-label], .md-nav__title, .md-skip, .md-top')]
            .map(e => (e.getAttribute('aria-label') || e.textContent).trim())].filter(Boolean)""")
    theme_english = {"Search", "Skip to content", "Table of contents", "Back to top", "Header", "Footer", "Navigation",
                     "Select language", "Go to repository", "Clear", "Share", "Previous", "Next"}
    assert not [t for t in chrome if t in theme_english], chrome
    assert page.get_attribute("html", "lang") == "sw"


def test_language_switcher_lands_on_the_same_page(page, base_url):
    page.goto(base_url + "zh/toolkits/solar-cold-storage/")
    links = page.eval_on_selector_all(".md-select__link", "els => els.map(e => [e.getAttribute('hreflang'), e.href, e.textContent.trim()])")
    names = {lang: name for lang, _, name in links}
    assert names["zh"] == "中文" and names["ar"] == "العربية" and names["fr"] == "Français"
    fr = next(href for lang, href, _ in links if lang == "fr")
    page.goto(fr)
    assert urlsplit(page.url).path == "/green-toolbox/fr/toolkits/solar-cold-storage/"
    assert page.get_attribute("html", "lang") == "fr"


@pytest.mark.parametrize("lang", ["en", "zh", "ar"])
@pytest.mark.parametrize("path", ["", "toolkits/", "toolkits/mangrove-aquaculture/"])
def test_zero_third_party_requests(page, base_url, lang, path):
    page.goto(base_url + lang_path(lang) + path)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    page.fill(".md-search__input", "ISO")
    page.wait_for_timeout(800)
    host = urlsplit(base_url).netloc
    outside = [u for u in page.requests if urlsplit(u).netloc not in (host, "") and not u.startswith("data:")]
    assert outside == []


@pytest.mark.parametrize("lang", LANGS)
def test_map_page_renders_in_every_language(page, base_url, lang, tmp_path):
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(base_url + lang_path(lang) + "map/")
    svg = page.query_selector("svg.gt-worldmap")
    assert svg is not None and svg.bounding_box()["width"] > 500
    shot = tmp_path / f"map-{lang}.png"
    svg.screenshot(path=str(shot))
    colours = page.evaluate("""async (src) => {
        const img = new Image(); img.src = src; await img.decode();
        const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data; const seen = new Set();
        for (let i = 0; i < d.length; i += 40) seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
        return seen.size; }""", "data:image/png;base64," + __import__("base64").b64encode(shot.read_bytes()).decode())
    assert colours > 5  # grey countries, green ones, borders, background: not a blank image
    links = page.eval_on_selector_all("svg.gt-worldmap a", "els => els.map(e => e.getAttribute('href'))")
    assert "#country-vn" in links and "#country-ng" in links
    names = page.eval_on_selector_all("svg.gt-worldmap a title", "els => els.map(e => e.textContent)")
    from babel import Locale

    assert any(Locale.parse(lang).territories["VN"] in n for n in names)  # country names in the page's language
    page.focus("svg.gt-worldmap a[href='#country-vn']")  # keyboard: small countries are hard to hit
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#country-vn'", timeout=5000)
    row = page.inner_text("#country-vn")
    assert row.strip()


def test_page_script_replaces_material_bundle(page, base_url):
    """Material's JavaScript bundle is not loaded (a third of a toolkit page's weight);
    gt-page.js and greentoolbox.css do the parts the site used: the table of contents marks the
    section being read and scrolls within the window, and the back-to-top button works."""
    page.set_viewport_size({"width": 1400, "height": 800})
    page.goto(base_url + "toolkits/solar-cold-storage/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in page.requests if "/javascripts/bundle." in u]
    assert page.evaluate("!document.documentElement.classList.contains('no-js')")
    toc = ".md-sidebar--secondary .md-sidebar__scrollwrap"
    size = page.eval_on_selector(toc, "e => [e.clientHeight, e.scrollHeight, e.getBoundingClientRect().bottom]")
    assert 0 < size[0] < size[1] and size[2] <= 800, size  # a long TOC scrolls inside the window
    page.eval_on_selector("#cases", "e => window.scrollTo(0, e.getBoundingClientRect().top + window.pageYOffset - 60)")
    page.wait_for_function("document.querySelector('.md-sidebar--secondary a.md-nav__link--active')")
    assert page.eval_on_selector_all(".md-sidebar--secondary a.md-nav__link--active", "els => els.map(e => e.hash)") == ["#cases"]
    assert page.eval_on_selector(".md-top", "e => e.hidden")  # scrolling down: no button
    page.mouse.wheel(0, -300)
    page.wait_for_function("!document.querySelector('.md-top').hidden")
    page.click(".md-top")
    page.wait_for_function("window.pageYOffset === 0")


def test_clicking_a_checklist_item_ticks_its_box(page, base_url):
    # The item's text is a paragraph naming its box (aria-labelledby), not a <label>, which
    # Pagefind leaves out of the search index; gt-page.js makes the text tick the box as a label would.
    page.goto(base_url + "ar/toolkits/solar-cold-storage/")
    page.wait_for_load_state("networkidle")
    item = page.locator(".gt-checklist .gt-item").nth(2)
    box = page.locator("#" + item.get_attribute("id").removesuffix("-item"))
    assert box.get_attribute("aria-labelledby") == item.get_attribute("id")
    assert not box.is_checked()
    item.click()
    assert box.is_checked()
    item.click()
    assert not box.is_checked()
    box.click()  # the box itself, as before
    assert box.is_checked()
    assert page.get_by_role("checkbox", name=item.inner_text().strip()).count() == 1  # its accessible name is the text

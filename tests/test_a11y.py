"""Accessibility: zero axe-core violations of the WCAG 2.1 A and AA rules on the home page, the catalog and a
toolkit page in English, Chinese and Arabic, and with the search box open on a query (issue 7).

axe-core is the copy bundled in the PyPI package axe-playwright-python (no network), run in Debian's Chromium on
the real site served on loopback. No rule is disabled.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from test_browser import search

pytestmark = [pytest.mark.browser, pytest.mark.site]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGS = ("en", "zh", "ar")
PAGES = ("", "toolkits/", "toolkits/solar-cold-storage/")
QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text("utf-8"))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line per element."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}) {node['target']}: {v['help']}"
            for v in result.response["violations"] for node in v["nodes"]]


def test_axe_runs_and_finds_a_violation_when_there_is_one(page, base_url):  # noqa: F811
    """The check itself works: an image without a text alternative is reported."""
    page.goto(base_url)
    page.evaluate("document.querySelector('article').insertAdjacentHTML('beforeend', '<img src=x.png>')")
    assert any(v.startswith("image-alt ") for v in violations(page))


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", LANGS)
def test_no_wcag_violations(page, base_url, lang, path):  # noqa: F811
    page.goto(base_url + ("" if lang == "en" else f"{lang}/") + path)
    page.wait_for_load_state("networkidle")
    found = violations(page)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", LANGS)
def test_no_wcag_violations_with_the_search_box_open(page, base_url, lang):  # noqa: F811
    page.goto(base_url + ("" if lang == "en" else f"{lang}/") + "toolkits/solar-cold-storage/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    page.wait_for_function("document.activeElement.classList.contains('md-search__input')", timeout=5000)
    assert search(page, QUERIES[lang][0][0]), "the query found nothing: results were not checked"
    found = violations(page)
    assert not found, "\n".join(found)

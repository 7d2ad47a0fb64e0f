"""Translations: nothing lost when the English changes, honest fallback, CLDR locale data."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from greentoolbox import translate
from greentoolbox.export import page_texts, translation_status
from greentoolbox.registry import country_codes
from greentoolbox.render import Context, _helpers, language_name
from greentoolbox.validate import validate_tree

from conftest import GOOD, REPO, cli, make_tree


@pytest.fixture
def tree(tmp_path):
    """The demo tree with every catalog made, nothing translated yet."""
    base = make_tree(tmp_path)
    translate.update_all(base, validate_tree(base, translations=False))
    return base


def _translate(tree, lang: str, context: str, english: str, text: str):
    """Translate one entry of the demo toolkit's catalog in ``lang``; return the catalog path."""
    path = translate.catalog_path(tree, lang, "toolkits/demo-solar")
    po = read_po(path.open("rb"))
    po.get(english, context=context).string = text
    translate.write_if_changed(path, translate.po_text(po))
    return path


def test_changed_english_keeps_translation_marks_it_fuzzy_and_page_says_so(tree):
    _translate(tree, "fr", "title", "Demo solar water heater", "Chauffe-eau solaire de démonstration")
    pages = page_texts(validate_tree(tree), ("fr",))
    assert '<h1 id="demo-solar">Chauffe-eau solaire de démonstration<a class="headerlink"' in pages["toolkits/demo-solar/index.fr.md"]

    # the English title changes
    yaml_path = tree / "toolkits" / "demo-solar" / "toolkit.yaml"
    yaml_path.write_text(GOOD.read_text("utf-8").replace("title: Demo solar water heater", "title: Demo solar water heating kit"), "utf-8")
    stale = cli("--root", str(tree), "i18n", "check")
    assert stale.returncode == 1 and "GT406" in stale.stdout
    assert cli("--root", str(tree), "i18n", "update").returncode == 0
    assert cli("--root", str(tree), "i18n", "check").returncode == 0

    po = read_po(translate.catalog_path(tree, "fr", "toolkits/demo-solar").open("rb"))
    entry = po.get("Demo solar water heating kit", context="title")
    assert entry.string == "Chauffe-eau solaire de démonstration"  # kept
    assert entry.fuzzy  # and marked
    text = translate.catalog_path(tree, "fr", "toolkits/demo-solar").read_text("utf-8")
    assert "# Previous English: Demo solar water heater" in text  # the previous English is recorded
    # a second update changes nothing (no comment pile-up)
    before = text
    assert cli("--root", str(tree), "i18n", "update").returncode == 0
    assert translate.catalog_path(tree, "fr", "toolkits/demo-solar").read_text("utf-8") == before

    page = page_texts(validate_tree(tree), ("fr",))["toolkits/demo-solar/index.fr.md"]
    assert '<h1 id="demo-solar">Demo solar water heating kit<a class="headerlink"' in page  # the fuzzy text is not shown
    assert 'data-status="outdated"' in page
    rows = {r["domain"]: r for r in translation_status(tree, validate_tree(tree)) if r["lang"] == "fr"}
    assert rows["toolkits/demo-solar"]["fuzzy"] == 1


def test_removed_english_text_is_kept_as_obsolete(tree):
    path = _translate(tree, "es", "costs.note", "Excluding land.", "Sin incluir el terreno.")
    yaml_path = tree / "toolkits" / "demo-solar" / "toolkit.yaml"
    yaml_path.write_text(GOOD.read_text("utf-8").replace("  note: Excluding land.\n", ""), "utf-8")
    translate.update_all(tree, validate_tree(tree, translations=False))
    text = path.read_text("utf-8")
    assert '#~ msgstr "Sin incluir el terreno."' in text


def test_status_values(tree):
    pages = page_texts(validate_tree(tree), ("en", "sw"))
    assert 'data-status="source"' in pages["toolkits/demo-solar/index.md"]
    assert 'data-status="missing"' in pages["toolkits/demo-solar/index.sw.md"]
    assert "Kiswahili" in pages["toolkits/demo-solar/index.sw.md"] or "English" in pages["toolkits/demo-solar/index.sw.md"]
    # every toolkit x language page exists, and the catalog, standards and status pages too
    all_pages = page_texts(validate_tree(tree))
    for lang in translate.LANGUAGES:
        suffix = "" if lang == "en" else f".{lang}"
        for page in ("toolkits/demo-solar", "toolkits", "standards", "translation-status"):
            assert f"{page}/index{suffix}.md" in all_pages


def test_numbers_dates_countries_follow_the_locale():
    fr = _helpers(Context(lang="fr"))
    assert fr["num"](1234.5) == "1\u202f234,5"
    assert fr["figure"]({"min": 1000, "max": 2500.5}) == "1\u202f000–2\u202f500,5"
    assert fr["country"]("KE") == "Kenya"
    assert fr["day"]("2026-11-23") == "23 novembre 2026"
    zh = _helpers(Context(lang="zh"))
    assert zh["country"]("VN") == "越南"
    ar = _helpers(Context(lang="ar"))
    assert ar["dir"] == "rtl" and _helpers(Context(lang="sw"))["dir"] == "ltr"
    assert language_name("zh") == "中文" and language_name("ar") == "العربية" and language_name("vi") == "Tiếng Việt"
    assert "VN" in country_codes() and "EU" not in country_codes()


def test_every_catalog_exists_and_is_current_in_the_repository():
    result = cli("--root", str(REPO), "i18n", "check")
    assert result.returncode == 0, result.stdout[-3000:]


def test_extracted_templates_are_not_taken_for_a_language(tree):
    assert cli("--root", str(tree), "i18n", "update").returncode == 0
    assert cli("--root", str(tree), "i18n", "extract").returncode == 0
    assert (tree / "locales" / "templates" / "messages.pot").is_file()
    result = cli("--root", str(tree), "i18n", "check")
    assert result.returncode == 0 and "GT402" not in result.stdout, result.stdout


def test_a_moved_text_keeps_its_translation_without_becoming_fuzzy(tree):
    path = _translate(tree, "fr", "indicators[0].name", "Households served", "Ménages desservis")
    # a new indicator is inserted first: the old one moves to indicators[1]
    text = GOOD.read_text("utf-8").replace("indicators:\n", "indicators:\n  - name: Panels installed\n    unit: people\n    method: Count.\n    value: 3\n    basis: typical-design-value\n", 1)
    (tree / "toolkits" / "demo-solar" / "toolkit.yaml").write_text(text, "utf-8")
    translate.update_all(tree, validate_tree(tree, translations=False))
    po = read_po(path.open("rb"))
    moved = po.get("Households served", context="indicators[1].name")
    assert moved.string == "Ménages desservis" and not moved.fuzzy
    assert po.get("Panels installed", context="indicators[0].name").string == ""


def test_update_refuses_a_broken_catalog_with_its_location_not_a_traceback(tree):
    path = translate.catalog_path(tree, "fr", "toolkits/demo-solar")
    path.write_text(path.read_text("utf-8") + '\nmsgid "x"\nmsgstr "unterminated\n', "utf-8")
    before = path.read_bytes()
    result = cli("--root", str(tree), "i18n", "update")
    assert result.returncode == 1
    assert result.stdout.startswith("locales/fr/toolkits/demo-solar.po:") and "GT401" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert path.read_bytes() == before  # nothing a translator wrote is overwritten


def test_unit_symbols_that_are_words_are_translated_on_every_page():
    """'25 years' must not appear on a Chinese page: word symbols go through registry.po, SI
    symbols (kWh, m³) stay as they are."""
    catalog = validate_tree(REPO, translations=False)
    words = {u["symbol"] for u in catalog.registry.units.values() if translate.symbol_is_words(u["symbol"])}
    assert {"years", "people", "per kWh"} <= words and "kWh" not in words and "m³" not in words
    pages = page_texts(catalog)
    done = {(r["lang"], r["domain"]) for r in translation_status(REPO, catalog) if r["status"] in ("machine", "reviewed")}
    for lang in translate.LANGUAGES[1:]:
        po = translate.load_po(REPO, lang, "registry")
        untranslated = {u["symbol"] for k, u in catalog.registry.units.items() if u["symbol"] in words
                        and (po.get(u["symbol"], context=f"units.{k}.symbol") is None
                             or po.get(u["symbol"], context=f"units.{k}.symbol").string in ("", u["symbol"]))}
        for path, text in pages.items():
            if path.endswith(f".{lang}.md") and path.count("/") == 2 and (lang, path.rsplit("/", 1)[0]) in done:
                shown = set(re.findall(r"\d (" + "|".join(map(re.escape, sorted(words - untranslated, key=len, reverse=True))) + r")\b", text))
                assert not shown, (path, shown)

"""Open data (src/greentoolbox/opendata.py): the files a researcher downloads without a token.

The files are written by ``write_open_data`` into a temporary directory from the repository's own
toolkits, then read back the way a user would: JSON parsers, the csv module, the JSON Schemas
with jsonschema, the Data Package rules of the spec (checked by hand), and the
PO files read independently of the engine. The schema.org script is parsed with html.parser.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from hypothesis import given, settings, strategies as st

from greentoolbox.opendata import (API, CSV_FIELDS, LICENSE, LICENSE_URL, jsonld, open_data_files, page_url,
                                   toolkit_jsonld, write_open_data)
from greentoolbox.translate import LANGUAGES, STATUSES, catalog_path, read_catalog
from greentoolbox.validate import schema, validate_tree

from conftest import REPO, corpus

SITE_URL = "https://example.org/green-toolbox/"
SCHEMA_DIR = REPO / "src" / "greentoolbox" / "schema"
HOSTILE = "</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def catalog():
    return validate_tree(REPO)


@pytest.fixture(scope="module")
def site(catalog, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("open-data-site")
    written = write_open_data(catalog, out, SITE_URL)
    assert written == sorted(written) and all(p.is_file() for p in written)
    return out


@pytest.fixture(scope="module")
def api(site) -> Path:
    return site / API


@pytest.fixture(scope="module")
def published(api) -> dict:
    return json.loads((api / "toolkits.json").read_text("utf-8"))


def expected_text(catalog, lang: str, tid: str, context: str) -> str:
    """What a translated text must be, read from the PO file without the engine's lookup:
    the translation when present and not fuzzy, otherwise the English."""
    english = catalog.toolkits[tid].data[context]
    if lang == "en":
        return english
    path = catalog_path(REPO, lang, f"toolkits/{tid}")
    if not path.is_file():
        return english
    po, problems = read_catalog(path)
    assert not problems, problems
    message = po.get(english, context=context)
    if message is None or not message.string or message.fuzzy:
        return english
    return message.string


# ---------------------------------------------------------------------------------------------
# JSON


def test_every_json_file_parses_and_nothing_else_is_written(site):
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert "schema/toolkit.schema.json" in files and f"{API}/toolkits.csv" in files
    for rel in files:
        assert rel.startswith((f"{API}/", "schema/")), rel
        if rel.endswith(".json"):
            json.loads((site / rel).read_text("utf-8"))


def test_each_toolkit_in_every_language_is_published(catalog, published, api):
    assert published["languages"] == list(LANGUAGES)
    assert [t["id"] for t in published["toolkits"]] == sorted(catalog.toolkits)
    for record in published["toolkits"]:
        tid = record["id"]
        assert list(record["languages"]) == sorted(LANGUAGES)  # keys sorted: JSON objects have no order
        assert record["url"] == f"{SITE_URL}toolkits/{tid}/"
        assert record["data_url"] == f"{SITE_URL}{API}/toolkits/{tid}.json"
        assert urlsplit(record["data_url"]).path.endswith(f"/{API}/toolkits/{tid}.json")
        assert json.loads((api / "toolkits" / f"{tid}.json").read_text("utf-8")) == record
        for lang, entry in record["languages"].items():
            assert entry["status"] in STATUSES
            assert entry["url"] == (f"{SITE_URL}toolkits/{tid}/" if lang == "en" else f"{SITE_URL}{lang}/toolkits/{tid}/")
        assert record["languages"]["en"]["status"] == "source"
        # English is the YAML itself, unchanged
        assert record["languages"]["en"]["toolkit"] == json.loads(json.dumps(catalog.toolkits[tid].data))


def test_data_validates_against_the_published_schema(published, api):
    """English as the brief asks, and every translation too: datapackage.json promises it."""
    toolkit_schema = json.loads((api / "schema" / "toolkit.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(toolkit_schema, format_checker=jsonschema.FormatChecker())
    for record in published["toolkits"]:
        for lang, entry in record["languages"].items():
            errors = [f"{list(e.absolute_path)}: {e.message[:80]}" for e in validator.iter_errors(entry["toolkit"])]
            assert not errors, (record["id"], lang, errors[:3])


def test_translated_data_keeps_the_structure(published):
    """Only texts change between languages: keys, numbers, codes and list lengths are the same."""

    def shape(node):
        if isinstance(node, dict):
            return {k: shape(v) for k, v in node.items()}
        if isinstance(node, list):
            return [shape(v) for v in node]
        return type(node).__name__

    for record in published["toolkits"]:
        english = record["languages"]["en"]["toolkit"]
        for lang, entry in record["languages"].items():
            data = entry["toolkit"]
            assert shape(data) == shape(english), (record["id"], lang)
            for key in ("id", "countries", "challenges", "sectors", "climate_zones", "maturity", "last_reviewed",
                        "license", "references", "maintainers"):
                if key == "maturity":
                    assert data[key]["trl"] == english[key]["trl"]
                else:
                    assert data[key] == english[key], (record["id"], lang, key)


def test_titles_and_statuses_follow_the_po_files(catalog, published):
    translated_somewhere = False
    for record in published["toolkits"]:
        tid = record["id"]
        for lang, entry in record["languages"].items():
            for context in ("title", "summary"):
                want = expected_text(catalog, lang, tid, context)
                assert entry["toolkit"][context] == want, (tid, lang, context)
                translated_somewhere |= want != catalog.toolkits[tid].data[context]
            has_po = catalog_path(REPO, lang, f"toolkits/{tid}").is_file()
            if lang != "en" and not has_po:
                assert entry["status"] == "missing"
            assert (entry["status"] == "source") == (lang == "en")
    assert translated_somewhere, "no translated title or summary: the PO files were not used"


def test_licence_is_stated(published, api):
    assert published["license"] == LICENSE == "CC-BY-4.0"
    assert published["license_url"] == LICENSE_URL
    assert published["generated_from"] == "toolkits/ in the Green Toolbox repository"
    for record in published["toolkits"]:
        assert record["license"] == LICENSE
        assert all(e["toolkit"]["license"] == LICENSE for e in record["languages"].values())
    package = json.loads((api / "datapackage.json").read_text("utf-8"))
    assert package["licenses"] == [{"name": "CC-BY-4.0", "path": LICENSE_URL,
                                    "title": "Creative Commons Attribution 4.0 International"}]


# ---------------------------------------------------------------------------------------------
# CSV


def test_csv_round_trips_the_main_fields(catalog, api):
    raw = (api / "toolkits.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n"), "RFC 4180 line ends"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert list(rows[0]) == [name for name, _, _ in CSV_FIELDS]
    assert [(r["id"], r["lang"]) for r in rows] == [(t, l) for t in sorted(catalog.toolkits) for l in LANGUAGES]
    for row in rows:
        tid, lang = row["id"], row["lang"]
        data = catalog.toolkits[tid].data
        assert row["title"] == expected_text(catalog, lang, tid, "title")
        assert row["summary"] == expected_text(catalog, lang, tid, "summary")
        assert row["countries"].split(";") == data["countries"]
        assert row["challenges"].split(";") == data["challenges"]
        assert int(row["trl"]) == data["maturity"]["trl"]
        standards = [catalog.registry.standards[s["standard"]]["id"] for s in data["standards"]]
        assert row["standards"].split(";") == standards
        assert int(row["n_standards"]) == len(standards)
        assert int(row["n_specifications"]) == len(data["specifications"])
        assert int(row["n_case_studies"]) == len(data["case_studies"])
        assert row["currency"] == data["costs"]["currency"] and int(row["cost_year"]) == data["costs"]["year"]
        assert row["cost_tier"] == data["costs"].get("tier", "")
        assert row["last_reviewed"] == data["last_reviewed"] and row["license"] == LICENSE
        assert row["url"] == page_url(SITE_URL, lang, tid)
        assert row["status"] in STATUSES
    # a standard id with "+" and ":" survives (IEC 62446-1:2016+AMD1:2018 in solar-cold-storage)
    if "solar-cold-storage" in catalog.toolkits:
        solar = next(r for r in rows if r["id"] == "solar-cold-storage")
        assert "IEC 62446-1:2016+AMD1:2018" in solar["standards"].split(";")


def test_csv_quotes_hostile_and_multiline_text(catalog, tmp_path):
    """A title with commas, quotes, semicolons, a newline and a BOM-like character round-trips."""
    tricky = 'A, "quoted"; title\nwith a line break \ufeff and =1+1'
    changed = copy.deepcopy(catalog)  # a validated catalog is never changed in place: edit a copy
    changed.translations.clear()  # the memos hold the original's texts
    changed.entries.clear()
    tid = sorted(changed.toolkits)[0]
    changed.toolkits[tid].data["title"] = tricky
    files = open_data_files(changed, SITE_URL)
    rows = list(csv.DictReader(io.StringIO(files[f"{API}/toolkits.csv"].decode("utf-8"), newline="")))
    assert next(r for r in rows if r["id"] == tid and r["lang"] == "en")["title"] == tricky


# ---------------------------------------------------------------------------------------------
# Schemas and registries


def test_schemas_are_published_unchanged(site, api):
    shipped = sorted(SCHEMA_DIR.glob("*.schema.json"))
    assert {p.name for p in shipped} >= {"toolkit.schema.json", "standards.schema.json", "units.schema.json",
                                         "vocabularies.schema.json"}
    for path in shipped:
        assert (api / "schema" / path.name).read_bytes() == path.read_bytes()
    assert (site / "schema" / "toolkit.schema.json").read_bytes() == (SCHEMA_DIR / "toolkit.schema.json").read_bytes()


def test_registries_validate_against_their_schemas(catalog, api):
    for path in sorted((api / "registry").glob("*.json")):
        name = path.stem
        errors = list(jsonschema.Draft202012Validator(schema(name), format_checker=jsonschema.FormatChecker())
                      .iter_errors(json.loads(path.read_text("utf-8"))))
        assert not errors, (name, [e.message for e in errors[:3]])
    standards = json.loads((api / "registry" / "standards.json").read_text("utf-8"))["standards"]
    assert {s["key"] for s in standards} == set(catalog.registry.standards)


# ---------------------------------------------------------------------------------------------
# Data Package


def test_datapackage_follows_the_spec(api):
    """The rules of https://datapackage.org/standard/data-package/ and data-resource/ (v2),
    table-schema/ for the CSV: checked by hand."""
    package = json.loads((api / "datapackage.json").read_text("utf-8"))
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert re.fullmatch(r"[a-z0-9._-]+", package["name"])
    assert package["title"] and package["homepage"] == SITE_URL
    for licence in package["licenses"]:
        assert isinstance(licence, dict) and ("name" in licence or "path" in licence)
    assert isinstance(package["resources"], list) and package["resources"]
    names = [r["name"] for r in package["resources"]]
    assert len(names) == len(set(names))
    paths = set()
    for resource in package["resources"]:
        assert re.fullmatch(r"[a-z0-9._-]+", resource["name"])
        assert ("path" in resource) != ("data" in resource)
        path = resource["path"]
        assert not path.startswith("/") and ".." not in path.split("/") and "\\" not in path
        data = (api / path).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert re.fullmatch(r"[^/]+/[^/]+", resource["mediatype"])
        assert resource.get("type", "table") == "table"  # the only value v2 defines
        paths.add(path)
    assert {"toolkits.json", "toolkits.csv", "schema/toolkit.schema.json"} <= paths

    table = next(r for r in package["resources"] if r["path"] == "toolkits.csv")
    assert table["type"] == "table"
    fields = table["schema"]["fields"]
    allowed = {"string", "number", "integer", "boolean", "object", "array", "list", "date", "time", "datetime",
               "year", "yearmonth", "duration", "geopoint", "geojson", "any"}
    assert all(f["type"] in allowed for f in fields)
    header = next(csv.reader(io.StringIO((api / "toolkits.csv").read_text("utf-8"), newline="")))
    assert [f["name"] for f in fields] == header  # fieldsMatch "exact" (the default)
    assert set(table["schema"]["primaryKey"]) <= set(header)
    for field in fields:
        if field["type"] == "list":
            assert field["delimiter"] == ";" and field["itemType"] == "string"


def test_output_is_deterministic_and_has_no_local_paths(catalog, site, tmp_path):
    again = tmp_path / "again"
    write_open_data(catalog, again, SITE_URL)
    first = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second
    local = [str(REPO).encode(), str(site).encode(), str(Path.home()).encode() + b"/", b"file://"]
    for rel, data in first.items():
        for marker in local:
            assert marker not in data, (rel, marker)


def test_site_url_without_slash_and_stale_files(catalog, tmp_path):
    stale = tmp_path / API / "toolkits" / "removed-toolkit.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    unrelated = tmp_path / "toolkits" / "index.html"
    unrelated.parent.mkdir(parents=True)
    unrelated.write_text("page", encoding="utf-8")
    write_open_data(catalog, tmp_path, SITE_URL.rstrip("/"))
    assert not stale.exists() and unrelated.read_text("utf-8") == "page"
    data = json.loads((tmp_path / API / "toolkits.json").read_text("utf-8"))
    assert data["toolkits"][0]["url"].startswith(SITE_URL + "toolkits/")
    with pytest.raises(ValueError):
        write_open_data(catalog, tmp_path / "x", "")


def test_urls_name_pages_of_the_built_site(catalog, real_site):
    """Every page URL in the data is a page the real build produced (English and /<lang>/)."""
    files = open_data_files(catalog, SITE_URL)
    published = json.loads(files[f"{API}/toolkits.json"])
    for record in published["toolkits"]:
        for entry in record["languages"].values():
            rel = entry["url"][len(SITE_URL):]
            assert (real_site / rel / "index.html").is_file(), entry["url"]
    if (real_site / API / "datapackage.json").is_file():  # once the hook writes the files
        for name in ("toolkits.csv", "datapackage.json"):
            assert (real_site / API / name).is_file()
        assert (real_site / "schema" / "toolkit.schema.json").is_file()


# ---------------------------------------------------------------------------------------------
# schema.org JSON-LD


class ScriptParser(HTMLParser):
    """Elements and script contents, as a browser's tokenizer splits them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse_jsonld(markup: str) -> dict:
    parser = ScriptParser()
    parser.feed(f"<html><head>{markup}</head><body><p>after</p></body></html>")
    parser.close()
    scripts = [(t, a) for t, a in parser.elements if t == "script"]
    assert scripts == [("script", [("type", "application/ld+json")])], parser.elements
    assert [t for t, _ in parser.elements] == ["html", "head", "script", "body", "p"]
    return json.loads(parser.scripts[0])


def sample(catalog) -> dict:
    return json.loads(json.dumps(catalog.toolkits[sorted(catalog.toolkits)[0]].data))


def test_jsonld_escapes_a_script_breakout(catalog):
    data = sample(catalog)
    data["title"] = HOSTILE
    data["summary"] = "<!-- <script> & ]]> \u2028"
    data["references"][0]["title"] = "</SCRIPT ><img src=x onerror=alert(1)>"
    markup = jsonld(data, "en", "https://example.org/x/")
    body = markup[len('<script type="application/ld+json">'):-len("</script>")]
    assert "<" not in body and ">" not in body and "&" not in body
    doc = parse_jsonld(markup)
    assert doc["name"] == doc["headline"] == HOSTILE
    assert doc["description"] == data["summary"]
    assert doc["citation"][0]["name"] == data["references"][0]["title"]


def test_jsonld_of_a_real_page(catalog):
    for tid, tk in sorted(catalog.toolkits.items()):
        for lang in ("en", "ar", "zh"):
            doc = parse_jsonld(toolkit_jsonld(catalog, tid, lang, SITE_URL))
            assert doc["@context"] == "https://schema.org" and doc["@type"] == "TechArticle"
            assert doc["url"] == doc["@id"] == page_url(SITE_URL, lang, tid)
            assert doc["inLanguage"] == lang and doc["license"] == LICENSE_URL
            assert doc["name"] == expected_text(catalog, lang, tid, "title")
            assert doc["description"] == expected_text(catalog, lang, tid, "summary")
            assert doc["dateModified"] == tk.data["last_reviewed"]
            assert [p["identifier"] for p in doc["spatialCoverage"]] == tk.data["countries"]
            assert all(p["@type"] == "Country" and p["name"] and p["name"] != p["identifier"]
                       for p in doc["spatialCoverage"])
            assert len(doc["keywords"]) == len(tk.data["challenges"])
            assert len(doc["citation"]) == len(tk.data["references"])
            for citation, ref in zip(doc["citation"], tk.data["references"]):
                assert citation["name"] == ref["title"] and citation["datePublished"] == str(ref["year"])
                assert citation.get("url") == (ref.get("url") or (f"https://doi.org/{ref['doi']}" if ref.get("doi") else None))
            if lang == "en":
                terms = catalog.registry.terms["challenges"]
                assert doc["keywords"] == [terms[k]["label"] for k in tk.data["challenges"]]
    if "solar-cold-storage" in catalog.toolkits:
        en = parse_jsonld(toolkit_jsonld(catalog, "solar-cold-storage", "en", SITE_URL))
        assert en["spatialCoverage"][0] == {"@type": "Country", "name": "Nigeria", "identifier": "NG"}


def test_jsonld_survives_the_hostile_corpora(catalog):
    data = sample(catalog)
    strings = corpus()
    for text in strings:
        data["title"] = text
        assert parse_jsonld(jsonld(data, "en", "https://example.org/x/"))["name"] == text, text
    print(f"jsonld: {len(strings)} hostile strings round-tripped")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_jsonld_round_trips_any_text(text):
    data = {"title": text, "summary": text, "last_reviewed": "2026-01-01", "countries": ["VN"], "challenges": [],
            "references": [{"title": text, "publisher": text, "year": 2020}]}
    doc = parse_jsonld(jsonld(data, "vi", "https://example.org/x/"))
    assert doc["name"] == doc["description"] == doc["citation"][0]["name"] == text


def test_joined_from_per_language_parts_the_files_are_byte_identical(catalog, site, tmp_path):
    """`greentoolbox build` writes each language's part in the process that renders it and joins
    them toolkit by toolkit; the result must be the files written from one process."""
    from greentoolbox.opendata import write_language_part, write_open_data_from_parts

    parts = tmp_path / "parts"
    parts.mkdir()
    rows = {lang: write_language_part(catalog, lang, SITE_URL, parts) for lang in LANGUAGES}
    joined = tmp_path / "joined"
    (joined / API / "toolkits").mkdir(parents=True)
    (joined / API / "toolkits" / "deleted-toolkit.json").write_text("{}", "utf-8")  # stale: removed
    written = write_open_data_from_parts(catalog, joined, SITE_URL, parts, rows)
    expected = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert sorted(p.relative_to(joined).as_posix() for p in written) == expected
    assert sorted(p.relative_to(joined).as_posix() for p in joined.rglob("*") if p.is_file()) == expected
    for rel in expected:
        assert (joined / rel).read_bytes() == (site / rel).read_bytes(), rel

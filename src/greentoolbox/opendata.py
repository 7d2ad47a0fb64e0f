"""Open data: every toolkit, in every language, as JSON and CSV, with its schemas and licence.

``write_open_data(catalog, site_dir, site_url)`` writes into a *built* site (no token, no server
code; plain static files):

    api/v1/toolkits.json             all toolkits, all languages
    api/v1/toolkits/<id>.json        one toolkit, all languages (one element of the above)
    api/v1/toolkits.csv              one row per toolkit and language: the main fields, flattened
    api/v1/registry/<name>.json      the registries the toolkits point at (standards, units, ...)
    api/v1/schema/<name>.schema.json the JSON Schemas, as shipped in src/greentoolbox/schema/
    api/v1/datapackage.json          a Frictionless Data Package (v2) describing all of the above
    schema/toolkit.schema.json       the toolkit schema again, at a stable URL for editors

A language's toolkit is the English data with every translatable text replaced by its current
translation (fuzzy and empty ones stay English), exactly as the pages show it; ``status`` says
which (source, reviewed, machine, outdated, missing). Output is deterministic: keys sorted,
toolkits by id, languages in site order, no time stamps and no local paths.

``jsonld(data, lang, url)`` is the schema.org markup of a toolkit page, safe to put in HTML.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

from babel import Locale
from markupsafe import Markup

from .registry import VOCABULARIES
from .export import translated_toolkit
from .translate import LANGUAGES, SOURCE, STATUSES, load_po
from .validate import Catalog, schema

API = "api/v1"
LICENSE = "CC-BY-4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_TITLE = "Creative Commons Attribution 4.0 International"
GENERATED_FROM = "toolkits/ in the Green Toolbox repository"
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LIST_DELIMITER = ";"

# (name, Table Schema type, description): the columns of toolkits.csv, in order.
CSV_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("id", "string", "Toolkit id; also the last part of its page URL."),
    ("lang", "string", "Language of the texts in this row."),
    ("status", "string", "Translation status: source (English), reviewed or machine (fully translated), "
                         "outdated (some texts in English), missing (all texts in English)."),
    ("title", "string", "Title, in the row's language where translated."),
    ("summary", "string", "Summary, in the row's language where translated."),
    ("challenges", "list", "Challenge keys (api/v1/registry/vocabularies.json)."),
    ("sectors", "list", "Sector keys (api/v1/registry/vocabularies.json)."),
    ("climate_zones", "list", "Climate zone keys (api/v1/registry/vocabularies.json)."),
    ("countries", "list", "Countries with documented use, ISO 3166-1 alpha-2."),
    ("trl", "integer", "Technology readiness level, 1 to 9."),
    ("cost_tier", "string", "Investment for one typical site: low, medium or high (empty if not given)."),
    ("currency", "string", "ISO 4217 code of the toolkit's cost figures."),
    ("cost_year", "integer", "Price year of the cost figures."),
    ("n_specifications", "integer", "Number of technical specifications."),
    ("n_standards", "integer", "Number of applicable standards."),
    ("standards", "list", "Identifiers of the applicable standards as their publishers write them."),
    ("n_case_studies", "integer", "Number of documented case studies."),
    ("last_reviewed", "date", "Date of the last full review of the toolkit."),
    ("license", "string", "Licence of the content (SPDX identifier)."),
    ("url", "string", "Address of the toolkit's page in the row's language."),
)


# ---------------------------------------------------------------------------------------------
# Content


def _base(site_url: str) -> str:
    if not site_url or "://" not in site_url:
        raise ValueError(f"site_url must be an absolute URL, got {site_url!r}")
    return site_url if site_url.endswith("/") else site_url + "/"


def page_url(site_url: str, lang: str, tid: str) -> str:
    """Absolute address of a toolkit page: English at the root, other languages under /<lang>/."""
    prefix = "" if lang == SOURCE else f"{lang}/"
    return f"{_base(site_url)}{prefix}toolkits/{tid}/"


def toolkit_record(catalog: Catalog, tid: str, site_url: str) -> dict:
    """One toolkit in every language, as published in toolkits.json and toolkits/<id>.json."""
    return {**_record_head(tid, site_url), "languages": {lang: language_entry(catalog, tid, lang, site_url) for lang in LANGUAGES}}


def _record_head(tid: str, site_url: str) -> dict:
    return {"id": tid, "url": page_url(site_url, SOURCE, tid), "data_url": f"{_base(site_url)}{API}/toolkits/{tid}.json",
            "license": LICENSE, "license_url": LICENSE_URL}


def language_entry(catalog: Catalog, tid: str, lang: str, site_url: str) -> dict:
    """``languages.<lang>`` of a toolkit's record."""
    data, status, _lookup = translated_toolkit(catalog, tid, lang)
    return {"status": status, "url": page_url(site_url, lang, tid), "toolkit": data}


def csv_rows(catalog: Catalog, records: list[dict]) -> list[dict[str, Any]]:
    """The flattened main fields, one row per toolkit and language."""
    return [csv_row(catalog, lang, entry) for record in records for lang, entry in record["languages"].items()]


def csv_row(catalog: Catalog, lang: str, entry: dict) -> dict[str, Any]:
    tk = entry["toolkit"]
    costs = tk.get("costs", {})
    standards = [catalog.registry.standards.get(s["standard"], {}).get("id", s["standard"]) for s in tk["standards"]]
    return {
        "id": tk["id"], "lang": lang, "status": entry["status"], "title": tk["title"], "summary": tk["summary"],
        "challenges": _join(tk["challenges"]), "sectors": _join(tk["sectors"]),
        "climate_zones": _join(tk["climate_zones"]), "countries": _join(tk["countries"]),
        "trl": tk["maturity"]["trl"], "cost_tier": costs.get("tier", ""), "currency": costs.get("currency", ""),
        "cost_year": costs.get("year", ""), "n_specifications": len(tk["specifications"]),
        "n_standards": len(tk["standards"]), "standards": _join(standards),
        "n_case_studies": len(tk["case_studies"]), "last_reviewed": tk["last_reviewed"],
        "license": tk.get("license", LICENSE), "url": entry["url"],
    }


def _join(items: list[str]) -> str:
    for item in items:
        if LIST_DELIMITER in item:  # the list could not be split back: refuse rather than mislead
            raise ValueError(f"{item!r} contains the CSV list delimiter {LIST_DELIMITER!r}")
    return LIST_DELIMITER.join(items)


def csv_text(rows: list[dict[str, Any]]) -> str:
    """RFC 4180 CSV (CRLF line ends, quotes where needed), UTF-8 without BOM when encoded."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=[name for name, _, _ in CSV_FIELDS], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def registry_files(catalog: Catalog) -> dict[str, dict]:
    """The registries in the shape of their YAML files, so the shipped schemas validate them."""
    reg = catalog.registry
    out = {
        "standards": {"standards": [reg.standards[k] for k in sorted(reg.standards)]},
        "units": {"units": [reg.units[k] for k in sorted(reg.units)]},
        "vocabularies": {v: [reg.terms[v][k] for k in sorted(reg.terms[v])] for v in VOCABULARIES},
    }
    if reg.benefit:
        out["benefit-index"] = {"dimensions": list(reg.benefit)}  # ordered: the order is the index's
    return out


def schema_files() -> dict[str, bytes]:
    """file name -> bytes of every JSON Schema shipped with the engine."""
    folder = resources.files("greentoolbox").joinpath("schema")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir(), key=lambda p: p.name) if p.name.endswith(".schema.json")}


def table_schema() -> dict:
    fields = []
    for name, kind, description in CSV_FIELDS:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if kind == "list":
            field.update(delimiter=LIST_DELIMITER, itemType="string")
        if name in ("id", "lang", "status", "title", "summary", "trl", "last_reviewed", "license", "url"):
            field["constraints"] = {"required": True}
        if name == "lang":
            field["constraints"]["enum"] = list(LANGUAGES)
        if name == "status":
            field["constraints"]["enum"] = list(STATUSES)
        if name == "url":
            field["format"] = "uri"
        fields.append(field)
    return {"fields": fields, "primaryKey": ["id", "lang"], "missingValues": [""]}


def _keywords(catalog: Catalog) -> list[str]:
    """English labels of the challenges the toolkits address."""
    used = {key for tk in catalog.toolkits.values() for key in tk.data.get("challenges", [])}
    terms = catalog.registry.terms["challenges"]
    return sorted(terms[key]["label"] for key in used if key in terms)


def datapackage(site_url: str, files: dict[str, Any], keywords: list[str] = ()) -> dict:
    """The Data Package descriptor for the files under api/v1/ (paths relative to it); ``files``
    gives each file's bytes, or its (size, SHA-256) when it was written piece by piece."""

    def resource(name: str, path: str, title: str, description: str, mediatype: str, **extra: Any) -> dict:
        size, digest = _digest(files[path])
        return {"name": name, "path": path, "title": title, "description": description,
                "format": path.rsplit(".", 1)[-1], "mediatype": mediatype, "encoding": "utf-8",
                "bytes": size, "hash": "sha256:" + digest, **extra}

    resources_ = [
        resource("toolkits", "toolkits.json", "All toolkits, all languages",
                 "Each toolkit's full data in every site language, with its translation status. Each "
                 "languages.<lang>.toolkit object is valid against schema/toolkit.schema.json.",
                 "application/json"),
        resource("toolkits-table", "toolkits.csv", "Main fields, one row per toolkit and language",
                 "A flattening of toolkits.json for spreadsheets. Lists are joined with ';'.", "text/csv",
                 type="table", dialect={"delimiter": ",", "quoteChar": '"', "header": True, "lineTerminator": "\r\n"},
                 schema=table_schema()),
        resource("toolkit-schema", "schema/toolkit.schema.json", "JSON Schema of a toolkit",
                 "The schema every toolkits/<id>/toolkit.yaml is validated against (JSON Schema 2020-12).",
                 "application/schema+json"),
    ]
    for path in sorted(p for p in files if p.startswith("registry/")):
        name = path[len("registry/"):-len(".json")]
        resources_.append(resource(f"registry-{name}", path, f"Registry: {name}",
                                   f"Entries toolkits refer to by key; valid against schema/{name}.schema.json.",
                                   "application/json"))
    return {
        "$schema": DATAPACKAGE_PROFILE,
        "name": "green-toolbox-toolkits",
        "title": "Green Toolbox toolkits",
        "description": "Solution packages for small green projects: components, specifications, standards, "
                       "lifecycle checklists, indicators, costs, financing, risks and case studies, with sources, "
                       f"in {len(LANGUAGES)} languages.",
        "homepage": _base(site_url),
        "keywords": list(keywords),
        "licenses": [{"name": LICENSE, "path": LICENSE_URL, "title": LICENSE_TITLE}],
        "sources": [{"title": GENERATED_FROM}],
        "resources": resources_,
    }


# ---------------------------------------------------------------------------------------------
# Writing


def _json(data: Any, compact: bool = False) -> bytes:
    """Sorted keys, UTF-8 text; the large data files compact (a quarter smaller), the rest indented."""
    if compact:
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def open_data_files(catalog: Catalog, site_url: str) -> dict[str, bytes]:
    """Relative path under the site -> bytes, for every open-data file."""
    records = [toolkit_record(catalog, tid, site_url) for tid in sorted(catalog.toolkits)]
    api: dict[str, bytes] = {
        "toolkits.json": _json({
            "license": LICENSE, "license_url": LICENSE_URL, "generated_from": GENERATED_FROM,
            "languages": list(LANGUAGES), "schema_url": f"{_base(site_url)}{API}/schema/toolkit.schema.json",
            "toolkits": records,
        }, compact=True),
        "toolkits.csv": csv_text(csv_rows(catalog, records)).encode("utf-8"),
    }
    for record in records:
        api[f"toolkits/{record['id']}.json"] = _json(record, compact=True)
    return _with_shared_files(catalog, site_url, api)


def _with_shared_files(catalog: Catalog, site_url: str, api: dict[str, bytes],
                       streamed: dict[str, tuple[int, str]] | None = None) -> dict[str, bytes]:
    """``api`` (paths under api/v1/ -> bytes) with the registries, the schemas and the Data
    Package descriptor added, as paths under the site. ``streamed``: files already written piece
    by piece, as (size, SHA-256), for the descriptor."""
    for name, data in registry_files(catalog).items():
        api[f"registry/{name}.json"] = _json(data)  # exactly the YAML's shape: its schema validates it
    for name, data in schema_files().items():
        api[f"schema/{name}"] = data
    api["datapackage.json"] = _json(datapackage(site_url, {**api, **(streamed or {})}, _keywords(catalog)))
    files = {f"{API}/{path}": data for path, data in api.items()}
    files["schema/toolkit.schema.json"] = api["schema/toolkit.schema.json"]
    return files


def write_open_data(catalog: Catalog, site_dir: Path, site_url: str) -> list[Path]:
    """Write the open-data files into the built site and remove files under api/v1/ that are no
    longer produced (a deleted toolkit). Returns the paths written, sorted."""
    return _write_files(Path(site_dir), open_data_files(catalog, site_url), [])


def _write_files(site_dir: Path, files: dict[str, bytes], streamed: list[str]) -> list[Path]:
    """Write ``files`` (paths under the site), remove what else is under api/v1/ but the
    ``streamed`` files, written already; return every path, sorted."""
    written = []
    for rel, data in sorted(files.items()):
        target = site_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    keep = set(files) | set(streamed)
    for path in sorted((site_dir / API).rglob("*"), reverse=True):  # api/v1/ belongs to this module
        if path.is_file() and path.relative_to(site_dir).as_posix() not in keep:
            path.unlink()
    return sorted(written + [site_dir / rel for rel in streamed])


def _digest(data: Any) -> tuple[int, str]:
    return data if isinstance(data, tuple) else (len(data), hashlib.sha256(data).hexdigest())


# The same files from parts written by the processes that render each language
# (``export.write_site_pages`` with ``open_data``): no process holds every language at once.


def write_language_part(catalog: Catalog, lang: str, site_url: str, folder: Path) -> list[dict[str, Any]]:
    """Write ``<folder>/<lang>.jsonl``: the ``languages.<lang>`` entry of every toolkit's record,
    one line per toolkit in id order, exactly as it appears in toolkits.json. Returns the
    toolkits' CSV rows in this language."""
    rows = []
    with open(Path(folder) / f"{lang}.jsonl", "wb") as out:
        for tid in sorted(catalog.toolkits):
            entry = language_entry(catalog, tid, lang, site_url)
            out.write(_json(entry, compact=True))
            rows.append(csv_row(catalog, lang, entry))
    return rows


def write_open_data_from_parts(catalog: Catalog, site_dir: Path, site_url: str, folder: Path,
                               rows: dict[str, list[dict[str, Any]]]) -> list[Path]:
    """``write_open_data`` from the parts of every language (``write_language_part``; ``rows``:
    language -> its CSV rows), byte for byte the same files, written toolkit by toolkit."""
    site_dir = Path(site_dir)
    base = site_dir / API
    (base / "toolkits").mkdir(parents=True, exist_ok=True)
    head = _json({"license": LICENSE, "license_url": LICENSE_URL, "generated_from": GENERATED_FROM,
                  "languages": list(LANGUAGES), "schema_url": f"{_base(site_url)}{API}/schema/toolkit.schema.json",
                  "toolkits": []}, compact=True)
    head, tail = head[:-len(b"]}\n")], head[-len(b"]}\n"):]
    whole = hashlib.sha256(head)
    size = len(head)
    streamed: list[str] = []  # written here already
    parts = {lang: open(Path(folder) / f"{lang}.jsonl", "rb") for lang in LANGUAGES}
    try:
        with open(base / "toolkits.json", "wb") as out:
            out.write(head)
            for n, tid in enumerate(sorted(catalog.toolkits)):
                # sorted keys, as _json writes them: the record's fields around its languages
                entries = {lang: parts[lang].readline().rstrip(b"\n") for lang in LANGUAGES}
                fields = _record_head(tid, site_url)
                first = _json({k: v for k, v in fields.items() if k < "languages"}, compact=True)
                last = _json({k: v for k, v in fields.items() if k > "languages"}, compact=True)
                record = (first[:-2] + b',"languages":{'
                          + b",".join(json.dumps(lang).encode() + b":" + entries[lang] for lang in sorted(LANGUAGES))
                          + b"}," + last[1:])
                (base / "toolkits" / f"{tid}.json").write_bytes(record)
                streamed.append(f"{API}/toolkits/{tid}.json")
                piece = (b"," if n else b"") + record[:-1]
                out.write(piece)
                whole.update(piece)
                size += len(piece)
            out.write(tail)
            whole.update(tail)
            size += len(tail)
    finally:
        for handle in parts.values():
            handle.close()
    table = [row for tid_rows in zip(*(rows[lang] for lang in LANGUAGES)) for row in tid_rows]
    files = _with_shared_files(catalog, site_url, {"toolkits.csv": csv_text(table).encode("utf-8")},
                               {"toolkits.json": (size, whole.hexdigest())})
    return _write_files(site_dir, files, streamed + [f"{API}/toolkits.json"])


# ---------------------------------------------------------------------------------------------
# schema.org markup for a toolkit page

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def jsonld(data: dict, lang: str, url: str, keywords: list[str] | None = None) -> Markup:
    """``<script type="application/ld+json">`` with schema.org TechArticle markup for a toolkit page.

    TechArticle (an Article, so a CreativeWork) fits a page of specifications, standards and
    checklists; HowTo would claim ordered steps the page does not have. ``keywords`` are the
    challenge labels in the page's language (the challenge keys if not given). ``<``, ``>`` and
    ``&`` are written as JSON escapes, so no contributed text can end the script element.
    """
    territories = Locale.parse(lang).territories
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "TechArticle",
        "@id": url,
        "url": url,
        "name": data["title"],
        "headline": data["title"],
        "description": data["summary"],
        "inLanguage": lang,
        "license": LICENSE_URL,
        "isAccessibleForFree": True,
        "dateModified": data["last_reviewed"],
        "keywords": list(keywords) if keywords is not None else list(data.get("challenges", [])),
        "spatialCoverage": [{"@type": "Country", "name": territories.get(code, code), "identifier": code}
                            for code in data.get("countries", [])],
        "citation": [_citation(ref) for ref in data.get("references", [])],
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    for char, escape in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return Markup(f'<script type="application/ld+json">{text}</script>')


def _citation(ref: dict) -> dict:
    # "publisher" in a toolkit reference may be an author, a publisher or a journal: creditText
    # says exactly that (text crediting the people or organisations behind the work).
    out: dict[str, Any] = {"@type": "CreativeWork", "name": ref["title"], "creditText": ref["publisher"],
                           "datePublished": str(ref["year"])}
    if ref.get("doi"):
        out["sameAs"] = f"https://doi.org/{ref['doi']}"
    if ref.get("url") or ref.get("doi"):
        out["url"] = ref.get("url") or out["sameAs"]
    return out


def toolkit_jsonld(catalog: Catalog, tid: str, lang: str, site_url: str, registry=None) -> Markup:
    """The JSON-LD of one toolkit page, translated as the page is, challenge labels included.
    ``registry``: the registry in ``lang`` (``export``'s translated registry), when the caller
    already has it, as the page renderer does."""
    from .export import translated_registry

    data, _status, _lookup = translated_toolkit(catalog, tid, lang)
    if registry is None:
        registry = translated_registry(catalog.registry, load_po(catalog.root, lang, "registry"))
    terms = registry.terms["challenges"]
    keywords = [terms[k]["label"] if k in terms else k for k in data["challenges"]]
    return jsonld(data, lang, page_url(site_url, lang, tid), keywords)

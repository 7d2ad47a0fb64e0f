"""Validate the toolkit tree: every file against its schema, then every cross-reference.

``validate_tree(root)`` loads ``toolkits/`` once and returns a :class:`Catalog` holding the
registries, the toolkits and *all* problems found, so a contributor sees every mistake at once.
"""

from __future__ import annotations

import difflib
import json
import multiprocessing
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import markdown

from .load import Document, field_name, load_file
from .problems import Problem
from .registry import REGISTRY_DIR, VOCABULARIES, Registry, country_codes

TOOLKIT_FILE = "toolkit.yaml"
SAFE_SCHEMES = ("http://", "https://", "mailto:")


@dataclass
class Toolkit:
    """One toolkit as loaded from toolkits/<id>/toolkit.yaml."""

    id: str
    path: str
    data: dict
    doc: Document


@dataclass
class Catalog:
    """The validated tree. ``ok`` is true when no problem was found."""

    root: Path
    registry: Registry = field(default_factory=Registry)
    toolkits: dict[str, Toolkit] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # (toolkit id, language) -> (translated data, status, Lookup); filled by export.translated_toolkit.
    # A catalog is never changed once validated (a changed tree gives a new catalog), so the
    # memos never go stale; code that edits a copy (tests) clears both.
    translations: dict = field(default_factory=dict, repr=False, compare=False)
    # toolkit id -> its translatable texts (translate.entries_of), the same in every language
    entries: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------------------------------
# Schemas


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    """A JSON Schema shipped with the engine: toolkit, standards, units or vocabularies."""
    text = resources.files("greentoolbox").joinpath("schema", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


# Keywords that only annotate: where a field and the shared definition it refers to both have
# one, the field's own wins (as its own description is the one a contributor should read).
_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})


def _inline(node: Any, defs: dict) -> Any:
    """``node`` with every local ``{"$ref": "#/$defs/name"}`` replaced by that definition (its
    other keywords merged in, or kept beside it in an ``allOf`` where both constrain the same
    keyword). Validation means the same; jsonschema no longer resolves a reference for each of
    the hundreds of thousands of values a large tree has (a fifth of the time validation took).
    A problem inside a shared definition now quotes the description of the field that is wrong
    (a checklist item's evidence) rather than that of the field referring to the definition."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: (value if key == "$defs" else _inline(value, defs)) for key, value in node.items()}
    ref = out.get("$ref")
    if not (isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs):
        return out
    target = _inline(defs[ref[8:]], defs)
    own = {key: value for key, value in out.items() if key != "$ref"}
    if isinstance(target, dict) and not (set(own) & set(target)) - _ANNOTATIONS:
        return {**target, **own}
    return {**own, "allOf": [*own.get("allOf", []), target]}


@lru_cache(maxsize=None)
def _inlined(name: str) -> dict:
    """The schema with its local references inlined (``_inline``); the shipped file keeps them."""
    root = schema(name)
    return _inline(root, root.get("$defs", {}))


@lru_cache(maxsize=None)
def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_inlined(name), format_checker=jsonschema.FormatChecker())


_TYPE_NAMES = {"string": "text", "number": "a number", "integer": "a whole number", "array": "a list",
               "object": "a mapping of fields", "boolean": "true or false", "null": "empty"}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing"


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _own_description(error: jsonschema.ValidationError) -> str:
    """The description of the field itself, not of its parent or of a shared $defs entry."""
    root = getattr(error, "_gt_root", {})
    node = root
    for part in error.absolute_schema_path:
        if part == "$ref" or not isinstance(node, (dict, list)):
            break
        if part == "allOf" and isinstance(node, dict) and node.get("description"):
            break  # a field with its own description beside an inlined definition (``_inline``)
        if isinstance(node, dict) and part not in node or isinstance(node, list) and not isinstance(part, int):
            break
        node = node[part]
    if isinstance(node, dict) and not node.get("description") and isinstance(node.get("$ref"), str):
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
    if isinstance(node, dict) and node.get("description"):
        return node["description"]
    return error.schema.get("description", "") if isinstance(error.schema, dict) else ""


def schema_problems(doc: Document, name: str) -> list[Problem]:
    """Every schema violation in ``doc``, located at its line and column."""
    out = []
    for error in _validator(name).iter_errors(doc.data):
        error._gt_root = _inlined(name)
        out.extend(_map_error(doc, error))
    return out


def _map_error(doc: Document, error: jsonschema.ValidationError) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    kind = error.validator
    instance = error.instance
    desc = _own_description(error)
    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(instance, dict) and k not in instance]
        for name in missing:
            line, col = doc.locate(path)
            yield Problem(doc.path, line, col, "GT101", field_name(path + (name,)), f"required field {name!r} is missing")
        return
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = list(error.schema.get("properties", {}))
        for name in instance:
            if name in known:
                continue
            line, col = doc.locate(path + (name,), key=True)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "allowed here: " + ", ".join(known)
            yield Problem(doc.path, line, col, "GT102", field_name(path + (name,)), f"unknown field {name!r}", hint)
        return
    line, col = doc.locate(path)
    where = (doc.path, line, col)
    fname = field_name(path)
    empty = instance is None or instance == "" or instance == [] or instance == {}
    if empty:
        yield Problem(*where, "GT105", fname, "is empty", f"fill in: {desc}" if desc else "")
    elif kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        yield Problem(*where, "GT103", fname, f"expected {wanted}, found {_describe(instance)}", desc)
    elif kind == "format" and error.validator_value == "date":
        yield Problem(*where, "GT106", fname, f"{_short(instance)} is not a real date in the form YYYY-MM-DD")
    elif kind == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        yield Problem(*where, "GT104", fname, f"{_short(instance)} is not one of: {allowed}")
    elif kind == "const":
        yield Problem(*where, "GT104", fname, f"must be {error.validator_value!r}, found {_short(instance)}")
    elif kind == "pattern":
        yield Problem(*where, "GT104", fname, f"{_short(instance)} does not have the expected form", desc)
    elif kind == "uniqueItems":
        yield Problem(*where, "GT104", fname, "lists the same entry twice")
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        yield Problem(*where, "GT104", fname, f"{instance!r} is out of range ({kind} {error.validator_value})", desc)
    elif kind in ("maxLength", "maxItems"):
        yield Problem(*where, "GT104", fname, f"is too long ({kind} {error.validator_value})")
    else:
        yield Problem(*where, "GT104", fname, error.message, desc)


# ---------------------------------------------------------------------------------------------
# The tree


def _load_toolkit(job: tuple[Path, str]) -> tuple[Document | None, list[Problem]]:
    """One toolkit file read, parsed and checked against the schema (a unit of parallel work)."""
    path, display = job
    doc, problems = load_file(path, display)
    if doc is not None:
        problems = problems + schema_problems(doc, "toolkit")
    return doc, problems


# Below this many toolkits, starting processes costs more than it saves.
PARALLEL_FROM = 64


def _load_toolkits(jobs: list[tuple[Path, str]], processes: int) -> list[tuple[Document | None, list[Problem]]]:
    """``_load_toolkit`` for every job, in order; in ``processes`` forked workers when there are
    enough files (loading and schema checks are most of a large tree's validation time)."""
    if processes <= 1 or len(jobs) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return [_load_toolkit(job) for job in jobs]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(_load_toolkit, jobs, chunksize=max(1, len(jobs) // (processes * 8)))


def validate_tree(root: Path, translations: bool = True, processes: int = 1) -> Catalog:
    """Load and validate every registry and toolkit under ``root/toolkits``, then (when the
    toolkits are sound) every translation catalog under ``root/locales``.

    ``processes`` > 1 loads the toolkit files in that many forked processes: for a caller that
    has no threads running (``greentoolbox build``), not for one inside a server."""
    root = Path(root)
    catalog = Catalog(root)
    base = root / "toolkits"
    catalog.problems += _stray_files(root, base)
    _load_registry(root, base / REGISTRY_DIR, catalog)
    folders = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))) if base.is_dir() else []
    folders = [folder for folder in folders if (folder / TOOLKIT_FILE).is_file()]
    jobs = [(folder / TOOLKIT_FILE, _display(root, folder / TOOLKIT_FILE)) for folder in folders]
    seen: dict[str, Document] = {}
    for folder, (path, display), (doc, problems) in zip(folders, jobs, _load_toolkits(jobs, processes)):
        catalog.problems += problems
        if doc is None:
            continue
        folded = unicodedata.normalize("NFC", folder.name).casefold()
        if folded in seen:
            other_doc = seen[folded]
            line, col = doc.locate(("id",))
            other_line, other_col = other_doc.locate(("id",))
            catalog.problems.append(Problem(display, line, col, "GT202", "id", f"folder {folder.name!r} collides with {other_doc.path}:{other_line} (same name up to case or Unicode form)"))
            catalog.problems.append(Problem(other_doc.path, other_line, other_col, "GT202", "id", f"folder collides with {display}:{line} (same name up to case or Unicode form)"))
            continue
        seen[folded] = doc
        tid = doc.data.get("id") if isinstance(doc.data.get("id"), str) else folder.name
        if tid != folder.name:
            line, col = doc.locate(("id",))
            catalog.problems.append(Problem(display, line, col, "GT201", "id", f"id {_short(tid)} differs from folder name {folder.name!r}"))
        catalog.toolkits[folder.name] = Toolkit(folder.name, display, doc.data, doc)
    for toolkit in catalog.toolkits.values():
        catalog.problems += list(_cross_references(toolkit, catalog))
    if translations and not catalog.problems:
        from .translate import check_all

        catalog.problems += check_all(root, catalog)
    catalog.problems = sorted(set(catalog.problems))
    return catalog


def _display(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _stray_files(root: Path, base: Path) -> list[Problem]:
    """YAML files the build would never read: report them rather than ignore them."""
    out = []
    if not base.is_dir():
        return out
    for path in sorted(base.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        rel = path.relative_to(base).parts
        expected = (
            (len(rel) == 2 and rel[1] == TOOLKIT_FILE and not rel[0].startswith(("_", ".")))
            or rel in ((REGISTRY_DIR, "units.yaml"), (REGISTRY_DIR, "vocabularies.yaml"), (REGISTRY_DIR, "benefit-index.yaml"))
            or (len(rel) == 3 and rel[:2] == (REGISTRY_DIR, "standards") and path.suffix == ".yaml")
        )
        if not expected:
            out.append(Problem(_display(root, path), 1, 1, "GT214", "", "this file is not read by the build"))
    return out


def _load_registry(root: Path, regdir: Path, catalog: Catalog) -> None:
    reg = catalog.registry
    sources = [("units", regdir / "units.yaml"), ("vocabularies", regdir / "vocabularies.yaml")]
    sources += [("standards", p) for p in sorted((regdir / "standards").glob("*.yaml"))]
    if (regdir / "benefit-index.yaml").is_file():  # optional: without it no index is computed
        sources.append(("benefit-index", regdir / "benefit-index.yaml"))
    for kind, path in sources:
        display = _display(root, path)
        if not path.is_file():
            catalog.problems.append(Problem(display, 1, 1, "GT101", "", f"registry file {display} is missing"))
            continue
        doc, problems = load_file(path, display)
        catalog.problems += problems
        if doc is None:
            continue
        catalog.problems += schema_problems(doc, kind)
        if kind == "benefit-index":
            dims = doc.data.get("dimensions")
            reg.benefit = [d for d in dims if isinstance(d, dict)] if isinstance(dims, list) else []
            for i, dim in enumerate(reg.benefit):
                reg.where[("benefit", str(dim.get("key")))] = (doc, ("dimensions", i, "key"))
            continue
        groups = VOCABULARIES if kind == "vocabularies" else (kind,)
        for group in groups:
            entries = doc.data.get(group)
            target = reg.terms[group] if kind == "vocabularies" else getattr(reg, kind)
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
                    continue
                key = entry["key"]
                if key in target:
                    # name both places, on both files, so neither can be filtered out
                    first_doc, first_path = reg.where[(group, key)]
                    line, col = doc.locate((group, i, "key"))
                    first_line, first_col = first_doc.locate(first_path)
                    catalog.problems.append(Problem(display, line, col, "GT202", field_name((group, i, "key")), f"key {key!r} is also defined at {first_doc.path}:{first_line}"))
                    catalog.problems.append(Problem(first_doc.path, first_line, first_col, "GT202", field_name(first_path), f"key {key!r} is also defined at {display}:{line}"))
                    continue
                target[key] = entry
                reg.where[(group, key)] = (doc, (group, i, "key"))
    for dim in reg.benefit:
        if isinstance(dim.get("unit"), str) and reg.units and dim["unit"] not in reg.units:
            doc, path = reg.where[("benefit", str(dim.get("key")))]
            line, col = doc.locate(path[:-1] + ("unit",))
            catalog.problems.append(Problem(doc.path, line, col, "GT206", field_name(path[:-1] + ("unit",)), f"unknown unit {dim['unit']!r}"))
    for key, entry in reg.standards.items():
        doc, path = reg.where[("standards", key)]
        successor = entry.get("superseded_by")
        line, col = doc.locate(path[:-1] + ("superseded_by",))
        if successor is not None and successor not in reg.standards:
            catalog.problems.append(Problem(doc.path, line, col, "GT203", field_name(path[:-1] + ("superseded_by",)), f"superseded_by names unknown standard {successor!r}"))
        if entry.get("status") == "superseded" and not successor:
            line, col = doc.locate(path[:-1] + ("status",))
            catalog.problems.append(Problem(doc.path, line, col, "GT104", field_name(path[:-1] + ("status",)), "a superseded standard must name superseded_by"))


# ---------------------------------------------------------------------------------------------
# Cross-references inside one toolkit


def _items(data: Any, *path: Any) -> Iterator[tuple[tuple, Any]]:
    """(path, item) for each dict in the list at ``path``; tolerant of wrong types."""
    node = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict):
                yield (*path, i), item


def _cross_references(tk: Toolkit, catalog: Catalog) -> Iterator[Problem]:
    data, doc, reg = tk.data, tk.doc, catalog.registry

    def problem(path: tuple, code: str, message: str, hint: str = "") -> Problem:
        line, col = doc.locate(path)
        return Problem(doc.path, line, col, code, field_name(path), message, hint)

    # vocabulary terms
    for vocab in VOCABULARIES:
        terms = data.get(vocab)
        for i, term in enumerate(terms if isinstance(terms, list) else []):
            if isinstance(term, str) and term not in reg.terms[vocab]:
                yield problem((vocab, i), "GT205", f"unknown {vocab.replace('_', ' ')} term {_short(term)}", _suggest(term, reg.terms[vocab]))
    # countries
    countries = data.get("countries")
    for i, code in enumerate(countries if isinstance(countries, list) else []):
        if isinstance(code, str) and code not in country_codes():
            yield problem(("countries", i), "GT209", f"{_short(code)} is not an ISO 3166-1 alpha-2 country code")
    for path, case in _items(data, "case_studies"):
        code = case.get("country")
        if isinstance(code, str) and code not in country_codes():
            yield problem(path + ("country",), "GT209", f"{_short(code)} is not an ISO 3166-1 alpha-2 country code")
    # references
    ref_ids: dict[str, tuple] = {}
    for path, ref in _items(data, "references"):
        rid = ref.get("id")
        if isinstance(rid, str):
            if rid in ref_ids:
                yield problem(path + ("id",), "GT202", f"reference id {rid!r} is used twice (first at line {doc.locate(ref_ids[rid])[0]})")
            ref_ids.setdefault(rid, path + ("id",))
    # figures: value / range, unit, basis and source
    for group in (("specifications",), ("indicators",), ("costs", "items")):
        for path, item in _items(data, *group):
            yield from _figure(item, path, group[-1], reg, problem)
    dims = {d.get("key"): d for d in reg.benefit}
    for path, item in _items(data, "indicators"):
        key = item.get("benefit")
        if not isinstance(key, str) or not key:
            continue
        if key not in dims:
            yield problem(path + ("benefit",), "GT205", f"unknown benefit-index dimension {key!r}", _suggest(key, dims))
        elif item.get("unit") != dims[key].get("unit"):
            yield problem(path + ("unit",), "GT215", f"the {key!r} dimension counts {dims[key].get('unit')!r}, not {item.get('unit')!r}")
    for path, item in _items(data, "training"):
        unit = item.get("duration", {}).get("unit") if isinstance(item.get("duration"), dict) else None
        if isinstance(unit, str) and unit not in reg.units:
            yield problem(path + ("duration", "unit"), "GT206", f"unknown unit {unit!r}", _suggest(unit, reg.units))
    for group in ("specifications", "indicators", "financing", "risks", "case_studies", "training"):
        for path, item in _items(data, group):
            yield from _source(item, path, ref_ids, problem)
    for path, item in _items(data, "costs", "items"):
        yield from _source(item, path, ref_ids, problem)
    # standards
    for path, item in _items(data, "standards"):
        yield from _standard(item.get("standard"), path + ("standard",), reg, problem)
    lifecycle = data.get("lifecycle") if isinstance(data.get("lifecycle"), dict) else {}
    for stage in lifecycle:
        for path, item in _items(data, "lifecycle", stage):
            keys = item.get("standards")
            for i, key in enumerate(keys if isinstance(keys, list) else []):
                yield from _standard(key, path + ("standards", i), reg, problem)
    # related toolkits
    for path, item in _items(data, "related"):
        other = item.get("toolkit")
        if isinstance(other, str) and (other not in catalog.toolkits or other == tk.id):
            what = "a toolkit cannot relate to itself" if other == tk.id else f"no toolkit with id {other!r}"
            yield problem(path + ("toolkit",), "GT207", what, _suggest(other, catalog.toolkits))
    # links inside long text
    if isinstance(data.get("description"), str):
        for href in _links(data["description"]):
            if not href.lower().startswith(SAFE_SCHEMES):
                yield problem(("description",), "GT213", f"link target {_short(href)} is not an http(s) or mailto address")


def _figure(item: dict, path: tuple, group: str, reg: Registry, problem) -> Iterator[Problem]:
    value, low, high = item.get("value"), item.get("min"), item.get("max")
    numbers = [x for x in (value, low, high) if isinstance(x, (int, float)) and not isinstance(x, bool)]
    if value is not None and (low is not None or high is not None):
        yield problem(path + ("value",), "GT210", "give either value or min/max, not both")
    elif value is None and low is None and high is None and "value" not in item:
        yield problem(path, "GT210", "no value, min or max given")
    elif isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
        yield problem(path + ("min",), "GT210", f"min {low} is greater than max {high}")
    unit = item.get("unit")
    if numbers and unit is None and group == "specifications":
        yield problem(path, "GT211", "a number needs a unit")
    if isinstance(unit, str) and unit and unit not in reg.units:
        yield problem(path + ("unit",), "GT206", f"unknown unit {unit!r}", _suggest(unit, reg.units))


def _source(item: dict, path: tuple, ref_ids: dict, problem) -> Iterator[Problem]:
    source = item.get("source")
    basis = item.get("basis")
    needs_source = basis in ("measured", "reported", "standard") or (basis == "estimate" and not item.get("note"))
    if source is None and needs_source:
        what = "a source, or a note saying who estimated it and how" if basis == "estimate" else "a source"
        yield problem(path, "GT212", f"basis {basis!r} needs {what}")
    elif isinstance(source, str) and source and source not in ref_ids:
        yield problem(path + ("source",), "GT208", f"no reference with id {source!r}", _suggest(source, ref_ids))


def _standard(key: Any, path: tuple, reg: Registry, problem) -> Iterator[Problem]:
    if not isinstance(key, str) or not key:
        return
    entry = reg.standards.get(key)
    if entry is None:
        yield problem(path, "GT203", f"standard {key!r} is not in the registry", _suggest(key, reg.standards))
    elif entry.get("status") in ("superseded", "withdrawn"):
        successor = reg.standards.get(entry.get("superseded_by") or "", {})
        hint = f"cite {entry['superseded_by']} ({successor.get('id', '?')})" if successor else ""
        yield problem(path, "GT204", f"{entry.get('id', key)} is {entry['status']}", hint)


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=3)
    return ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""


class _HrefCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.hrefs.append(value)


def _links(text: str) -> list[str]:
    """Link and image targets in a Markdown text, as Python-Markdown would produce them."""
    collector = _HrefCollector()
    collector.feed(markdown.markdown(text))
    return collector.hrefs

"""Translations: PO catalogs for UI strings, registries and toolkit content.

Layout (documented in docs/contribute.md):

    locales/<lang>/messages.po             UI strings (page labels, banners, filters)
    locales/<lang>/registry.po             vocabulary labels, unit names, standard titles
    locales/<lang>/toolkits/<slug>.po      one toolkit's text

* msgctxt is a stable field path (``specifications[2].parameter``); translator comments come
  from the schema's field descriptions.
* ``update`` never loses work: when the English of a field changes, the old translation is
  kept, marked fuzzy, and the previous English is recorded in a comment
  (``# Previous English: …``; Babel cannot round-trip multi-line ``#|`` records); fields that
  disappear are kept as obsolete entries (``#~``) until a translator removes them.
* Provenance is a header comment line, ``# Translation-Status: machine`` or ``reviewed``
  (Babel keeps header comments but drops unknown header fields). A page's status is then:
  source (English), reviewed or machine (every text translated and current), outdated
  (some texts fuzzy or untranslated: shown in English), missing (no translation).
* Fuzzy and empty translations are never shown; the English is shown instead, and the page's
  banner says so.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from .load import field_name
from .problems import Problem
from .registry import VOCABULARIES

LANGUAGES = ("en", "zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi")
SOURCE = "en"
STATUSES = ("source", "reviewed", "machine", "outdated", "missing")
PROVENANCE = ("machine", "reviewed")
_STATUS_LINE = re.compile(r"^#\s*Translation-Status:\s*(\S*)\s*$", re.M)
# Fields whose text is not translated: bibliographic data and identifiers.
UNTRANSLATED = {"references", "maintainers"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
PREVIOUS = "Previous English: "
_MARKUP = re.compile(r"<[A-Za-z/!][^>]*>|\]\(|javascript:", re.I)


def _may_have_markup(text: str) -> bool:
    """False when ``_MARKUP`` cannot match (no ``<``, ``](`` or ``:``): most texts, found without a scan."""
    return "<" in text or "](" in text or ":" in text


@dataclass(frozen=True)
class Entry:
    """One translatable text: its context (field path), English text and translator note."""

    context: str
    text: str
    comment: str = ""
    max_length: int | None = None  # the field's maxLength in the schema; translations must fit too


# ---------------------------------------------------------------------------------------------
# What is translatable


def toolkit_entries(data: dict, schema: dict) -> list[Entry]:
    """Every translatable string of a toolkit, in file order."""
    return [Entry(field_name(path), value, note, limit) for path, value, note, limit in _walk(data, schema, schema, ())]


def entries_of(catalog, tid: str) -> list[Entry]:
    """``toolkit_entries`` of a validated catalog's toolkit, found once per catalog: every language
    translates the same texts (finding them took about a fifth of a language's rendering)."""
    if tid not in catalog.entries:
        from .validate import schema

        catalog.entries[tid] = toolkit_entries(catalog.toolkits[tid].data, schema("toolkit"))
    return catalog.entries[tid]


def _resolve(node: dict, root: dict) -> tuple[dict, str]:
    """(schema node with $ref followed, the $defs name it pointed at)."""
    ref_name = ""
    while isinstance(node, dict) and "$ref" in node:
        ref_name = node["$ref"].rsplit("/", 1)[-1]
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node, ref_name


def _walk(data: Any, node: dict, root: dict, path: tuple) -> Iterator[tuple[tuple, str, str, int | None]]:
    node, ref_name = _resolve(node, root)
    if isinstance(data, dict):
        for key, value in data.items():
            if not path and key in UNTRANSLATED:
                continue
            child = node.get("properties", {}).get(key)
            if child is not None:
                yield from _walk(value, child, root, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk(value, node.get("items", {}), root, path + (i,))
    elif isinstance(data, str) and data.strip() and (ref_name in ("line", "prose") or path[-1:] == ("value",)):
        yield path, data, node.get("description", ""), node.get("maxLength")


_WORD = re.compile(r"[a-z]{3,}")


def symbol_is_words(symbol: str) -> bool:
    """A unit symbol that is (or contains) a word, such as 'days', 'per crate per day' or
    'plants/ha', is translated; SI symbols such as 'kWh/d', 'm³' or 't CO₂e/a' are not."""
    return bool(_WORD.search(symbol or ""))


def registry_entries(registry) -> list[Entry]:
    """Vocabulary labels and descriptions, unit names, standard titles."""
    out = []
    for vocab in VOCABULARIES:
        for key, term in registry.terms[vocab].items():
            out.append(Entry(f"{vocab}.{key}.label", term["label"], f"Label of a {vocab.replace('_', ' ')} term"))
            out.append(Entry(f"{vocab}.{key}.description", term["description"], f"What the term {term['label']!r} covers"))
    for key, unit in registry.units.items():
        out.append(Entry(f"units.{key}.label", unit["label"], f"Name of the unit {unit['symbol'] or key}"))
        if symbol_is_words(unit["symbol"]):
            out.append(Entry(f"units.{key}.symbol", unit["symbol"],
                             f"Shown after numbers, as in '25 {unit['symbol']}' ({unit['label']}): translate the words, keep it short, keep any SI symbol"))
    for dim in registry.benefit:
        out.append(Entry(f"benefit.{dim['key']}.label", dim["label"], "Name of a dimension of the benefit index"))
        out.append(Entry(f"benefit.{dim['key']}.rationale", dim["rationale"], f"Why the reference value of {dim['label']!r} was chosen"))
    for key, std in registry.standards.items():
        out.append(Entry(
            f"standards.{key}.title", std["title"],
            f"Title of {std['id']}. Use the publisher's official translation if one exists; otherwise leave empty to show the original title.",
        ))
    return out


def ui_entries(package_dir: Path | None = None) -> list[Entry]:
    """UI strings extracted with Babel from the page templates and the renderer."""
    package_dir = package_dir or Path(__file__).parent
    method_map = [("templates/**.j2", "jinja2"), ("**.py", "python")]
    options = {"templates/**.j2": {"trim_blocks": "true", "lstrip_blocks": "true"}}
    seen: dict[str, Entry] = {}
    for _file, _line, message, comments, _ctx in extract_from_dir(
        str(package_dir), method_map, options_map=options, keywords={"_": None}, comment_tags=("TRANSLATORS:",)
    ):
        if isinstance(message, str) and message not in seen:
            seen[message] = Entry("", message, " ".join(comments))
    return sorted(seen.values(), key=lambda e: e.text)


# ---------------------------------------------------------------------------------------------
# Catalog files


def catalog_path(root: Path, lang: str, domain: str) -> Path:
    return Path(root) / "locales" / lang / f"{domain}.po"


# a line that is neither blank, a comment, nor a (keyword and) complete quoted string
_PO_BAD_LINE = re.compile(  # the quoted string unrolled ("[^"\\]*(\\.[^"\\]*)*"): twice as fast as (a|b)*
    r'^(?![ \t]*(?:#|$))(?![ \t]*(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+)?"[^"\\\n]*(?:\\.[^"\\\n]*)*"[ \t]*$).*$',
    re.M)


def _po_syntax(raw: bytes, display: str) -> list[Problem]:
    """Babel is lenient (an unterminated string silently loses the msgstr): check each line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return [Problem(display, line, 1, "GT401", "", "the catalog is not UTF-8")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _PO_BAD_LINE.search(text)
    if bad is None:
        return []
    number = text.count("\n", 0, bad.start()) + 1
    stripped = bad.group().strip()
    return [Problem(display, number, 1, "GT401", "", f"not a PO line: {stripped[:60]!r} (a missing quote, or a keyword typo)")]


def read_catalog(path: Path, display: str | None = None) -> tuple[Catalog | None, list[Problem]]:
    """A PO file, or a GT401 problem with its line."""
    display = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [_unreadable(display, exc)]
    syntax = _po_syntax(raw, display)
    return (None, syntax) if syntax else _babel_catalog(raw, display)


def _unreadable(display: str, exc: Exception) -> Problem:
    line = getattr(exc, "lineno", 1) or 1
    return Problem(display, line, 1, "GT401", "", f"cannot read PO file: {' '.join(str(exc).split())[:200]}")


def _babel_catalog(raw: bytes, display: str) -> tuple[Catalog | None, list[Problem]]:
    """Babel's reading of a PO file that passed ``_po_syntax``, or a GT401 problem with its line."""
    try:
        return read_po(io.BytesIO(raw), abort_invalid=True), []
    except Exception as exc:  # Babel raises PoFileError, UnicodeDecodeError, ValueError...
        return None, [_unreadable(display, exc)]


_PO_ESCAPE = re.compile(r'\\([\\trn"])')  # Babel's unescape: these five escapes, any other backslash kept
_PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}


def _po_piece(piece: str) -> str:
    """One quoted piece of a PO string (stripped, quotes included), unescaped as Babel does."""
    piece = piece[1:-1]
    return _PO_ESCAPE.sub(lambda m: _PO_ESCAPES[m[1]], piece) if "\\" in piece else piece


def _po_string(pieces: list[str]) -> str:
    """A PO string from its quoted pieces, joined as Babel joins them."""
    return _po_piece(pieces[0]) if len(pieces) == 1 else "".join(map(_po_piece, pieces))


def _read_plain_po(raw: bytes) -> "PoCatalog | None":
    """The ``PoCatalog`` of a catalog that passed ``_po_syntax``, read as Babel's ``read_po``
    reads it, for the plain catalogs the engine writes: a header entry first, then singular
    entries with or without context, in UTF-8. Anything else (plural forms, obsolete ``#~``
    entries, ``#|`` lines, duplicate entries, a header that is not first or names another
    charset, a ``msgstr`` without its ``msgid``...) gives None, and Babel reads the file. The
    header entry, with its comment, is always read by Babel: its comment as Babel gives it and
    its fields checked as Babel checks them. Babel took 2.4 s for the 1,000 French catalogs of
    the benchmark; this, 1.1 s (``tests/test_po_reader.py`` compares both)."""
    text = raw.decode("utf-8")
    lines = text.split("\n")
    messages: dict[tuple[str, str | None], PoMessage] = {}
    msgid = msgstr = context = current = None
    fuzzy = False
    offset = 0
    header_end = None

    def finish(number: int) -> bool:
        """The entry read so far into ``messages``; False if Babel should read the file."""
        nonlocal msgid, msgstr, context, current, fuzzy, header_end
        if msgstr is None:
            return False  # a msgid without msgstr: Babel reports it
        text_id = _po_string(msgid)
        text_context = _po_string(context) if context is not None else None
        if text_id == "":
            if messages or header_end is not None or text_context is not None:
                return False  # a second header, or a header with a context
            header_end = number
        else:
            if header_end is None or (text_id, text_context) in messages:
                return False  # no header first, or a duplicate (Babel merges them)
            messages[(text_id, text_context)] = PoMessage(text_id, _po_string(msgstr), text_context, offset + 1, fuzzy)
        msgid = msgstr = context = current = None
        fuzzy = False
        return True

    for number, line in enumerate(lines):
        line = line.strip(" \t\r\x0b\x0c")  # as Babel strips each line (bytes, ASCII blanks)
        if not line:
            continue
        if "\r" in line:
            return None  # a carriage return inside a line
        first = line[0]
        if first == "#":
            if line[:2] in ("#~", "#|") or (line[:2] == "#:" and ("\u2068" in line or "\u2069" in line)):
                return None
            if msgid is not None and not finish(number):
                return None
            if line[:2] == "#," and any(flag.strip() == "fuzzy" for flag in line[2:].lstrip().split(",")):
                fuzzy = True
            continue
        if first == '"':
            if current is None:
                return None
            current.append(line)
            continue
        keyword, _, arg = line.partition(" ")
        if keyword == "msgid":
            if msgid is not None and not finish(number):
                return None
            offset = number
            msgid = current = [arg.strip()]
        elif keyword == "msgctxt":
            if (msgid is not None and not finish(number)) or context is not None:
                return None
            context = current = [arg.strip()]
        elif keyword == "msgstr" and msgid is not None and msgstr is None:
            msgstr = current = [arg.strip()]
        else:
            return None  # plural forms, a misplaced msgstr, a tab after a keyword...
    if (msgid is not None and not finish(len(lines))) or context is not None or header_end is None:
        return None
    try:
        head = read_po(io.BytesIO("\n".join(lines[:header_end]).encode("utf-8")), abort_invalid=True)
    except Exception:  # Babel reads the whole file again and reports it with its line
        return None
    if head.charset.lower() != "utf-8":
        return None
    return PoCatalog.of(head.header_comment, messages)


TEMPLATES = "templates"  # locales/templates/: the POT files `greentoolbox i18n extract` writes


@dataclass(frozen=True, slots=True)
class PoMessage:
    """What the engine reads of one catalog entry."""

    id: str
    string: str | tuple
    context: str | None
    lineno: int | None
    fuzzy: bool


class PoCatalog:
    """A parsed catalog as the engine reads it: its header comment, and its entries in file
    order, found by English text and context as Babel finds them. Babel's own objects hold each
    entry's locations, flags and comments in a dictionary of their own: at 1,000 toolkits a
    language's catalogs took 340 MB that way, which every language worker of a build held."""

    __slots__ = ("header_comment", "_messages")

    def __init__(self, catalog: Catalog) -> None:
        self.header_comment = catalog.header_comment
        self._messages = {(m.id, m.context): PoMessage(m.id, m.string, m.context, m.lineno, m.fuzzy)
                          for m in catalog if m.id}

    @classmethod
    def of(cls, header_comment: str, messages: dict[tuple[str, str | None], PoMessage]) -> "PoCatalog":
        catalog = cls.__new__(cls)
        catalog.header_comment = header_comment
        catalog._messages = messages
        return catalog

    def __iter__(self) -> Iterator[PoMessage]:
        return iter(self._messages.values())

    def __len__(self) -> int:
        return len(self._messages)

    def get(self, id: str, context: str | None = None) -> PoMessage | None:
        return self._messages.get((id, context))


_PO_MEMO: dict[tuple[Path, str], tuple[bytes, PoCatalog | None, list[Problem]]] = {}


def read_catalog_once(path: Path, display: str | None = None) -> tuple[PoCatalog | None, list[Problem]]:
    """``read_catalog``, parsed once per content of the file (keyed by a hash of its bytes, so an
    edit within one file-system clock tick is still seen) and kept as a ``PoCatalog``: a build
    checks every catalog and uses each for many pages."""
    key = (Path(path), display or str(path))
    try:
        raw = Path(path).read_bytes()
    except OSError:
        catalog, problems = read_catalog(path, display)
        return (PoCatalog(catalog) if catalog is not None else None), problems
    stamp = hashlib.sha1(raw).digest()
    cached = _PO_MEMO.get(key)
    if cached is None or cached[0] != stamp:
        problems = _po_syntax(raw, display or str(path))
        plain = None if problems else _read_plain_po(raw)
        if plain is None and not problems:  # not a plain catalog: Babel reads it
            catalog, problems = _babel_catalog(raw, display or str(path))
            plain = PoCatalog(catalog) if catalog is not None else None
        cached = (stamp, plain, problems)
        _PO_MEMO[key] = cached
    return cached[1], cached[2]


def load_po(root: Path, lang: str, domain: str) -> PoCatalog | None:
    """The catalog of ``domain`` in ``lang``, or None for English, a missing or broken file
    (broken files are reported by check_all, GT401). Memoized like ``read_catalog_once``."""
    if lang == SOURCE:
        return None
    path = catalog_path(root, lang, domain)
    if not path.is_file():
        return None
    return read_catalog_once(path, path.relative_to(root).as_posix() if path.is_relative_to(root) else None)[0]


def provenance(catalog: Catalog | PoCatalog | None) -> str | None:
    """The Translation-Status header comment: 'machine', 'reviewed', or None."""
    if catalog is None:
        return None
    match = _STATUS_LINE.search(catalog.header_comment or "")
    return match.group(1) if match else None


def new_catalog(lang: str, domain: str, status: str = "machine") -> Catalog:
    name = Locale.parse(lang).get_display_name("en")
    catalog = Catalog(locale=lang, project="Green Toolbox", version="1", copyright_holder="Green Toolbox contributors",
                      msgid_bugs_address="https://github.com/greentoolbox/green-toolbox/issues",
                      creation_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
                      revision_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
                      last_translator="Green Toolbox contributors", language_team=f"{name} <translators>")
    catalog.fuzzy = False
    catalog.header_comment = (
        f"# Green Toolbox: {domain}, {name} ({lang}).\n"
        "# Content licence: CC BY 4.0.\n"
        "# The status line below says machine or reviewed. Change it to reviewed (and add your\n"
        "# name below) only after a person has checked the whole file against the English.\n"
        f"# Translation-Status: {status}\n"
        "# Reviewed-By:"
    )
    return catalog


def update_catalog(old: Catalog | None, entries: list[Entry], lang: str, domain: str) -> tuple[Catalog, dict[str, int]]:
    """A catalog holding exactly ``entries``; old translations kept (fuzzy when the English changed)."""
    new = new_catalog(lang, domain, provenance(old) or "machine")
    if old is not None:
        new.header_comment = old.header_comment
        new.creation_date, new.revision_date = old.creation_date, old.revision_date
        new.last_translator, new.language_team = old.last_translator, old.language_team
    by_context: dict[str, Message] = {}
    by_text: dict[str, Message] = {}  # the same English moved to another field path (list reordered)
    if old is not None:
        for message in list(old) + list(old.obsolete.values()):
            if message.id:
                by_context.setdefault(message.context or message.id, message)
                if message.string and not message.fuzzy:
                    by_text.setdefault(message.id, message)
    stats = {"kept": 0, "fuzzy": 0, "added": 0, "obsolete": 0}

    def notes(message: Message, previous_text: str | None = None) -> list[str]:
        # drop Babel's mangled "#|" records and our old previous-English notes, then add one
        kept = [c for c in message.user_comments if not c.startswith(("|", PREVIOUS))]
        if previous_text is not None:
            flat = " ".join(previous_text.split())
            kept.append(PREVIOUS + (flat if len(flat) <= 400 else flat[:400] + "…"))
        return kept

    used = set()
    new_texts = {e.text for e in entries}  # an old text still present elsewhere has moved, not changed
    for entry in entries:
        key = entry.context or entry.text
        previous = by_context.get(key)
        if (previous is None or previous.id != entry.text) and entry.text in by_text:
            previous = by_text[entry.text]  # moved, not changed: its translation is still current
        comments = [entry.comment] if entry.comment else []
        if previous is not None and previous.id == entry.text:
            used.add(previous.context or previous.id)
            still = previous.fuzzy and [c for c in previous.user_comments if c.startswith(PREVIOUS)]
            new.add(entry.text, previous.string, context=entry.context or None, auto_comments=comments,
                    user_comments=notes(previous) + (still[-1:] if still else []),
                    flags=previous.flags - {"python-format"})
            stats["kept"] += 1
        elif previous is not None and previous.string and previous.id not in new_texts:
            new.add(entry.text, previous.string, context=entry.context or None, auto_comments=comments,
                    user_comments=notes(previous, previous.id), flags={"fuzzy"})
            stats["fuzzy"] += 1
        else:
            new.add(entry.text, "", context=entry.context or None, auto_comments=comments)
            stats["added"] += 1
        used.add(key)
    if old is not None:
        for key, message in by_context.items():
            if key not in used and message.string:
                new.obsolete[(message.id, message.context) if message.context else message.id] = message
                stats["obsolete"] += 1
    return new, stats


def po_text(catalog: Catalog) -> str:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_previous=False, sort_output=False, no_location=True)
    return buffer.getvalue().decode("utf-8")


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it holds it already; a new file replaces the old one
    (never written in place: the build cache keeps generated files by hard link)."""
    data = text.encode("utf-8")
    try:
        if os.path.getsize(path) == len(data) and path.read_bytes() == data:
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


# ---------------------------------------------------------------------------------------------
# Using catalogs


@dataclass
class Lookup:
    """Translations of one catalog, ignoring fuzzy and empty entries."""

    catalog: Catalog | PoCatalog | None = None
    used: int = 0
    fuzzy: int = 0
    missing: int = 0
    total: int = 0

    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def get(self, text: str, context: str | None = None) -> str:
        self.total += 1
        found = self._memo.get((text, context))
        if found is None:
            found = self._memo[(text, context)] = self._find(text, context)
        outcome, result = found
        setattr(self, outcome, getattr(self, outcome) + 1)
        return result

    def _find(self, text: str, context: str | None) -> tuple[str, str]:
        """(which counter, text to show) for one text; a Lookup memoizes it."""
        message = self.catalog.get(text, context=context) if self.catalog is not None else None
        if message is None or not message.string:
            return "missing", text
        if message.fuzzy or not _placeholders_match(text, message.string):
            return "fuzzy", text  # a broken translation is shown in English, never formatted
        return "used", message.string

    def gettext(self, text: str) -> str:
        return self.get(text)


def translate_toolkit(data: dict, schema: dict, catalog: Catalog | PoCatalog | None,
                      entries: list[Entry] | None = None) -> tuple[dict, Lookup]:
    """A copy of ``data`` with every translatable text replaced where a current translation exists
    (``entries``: its ``toolkit_entries``, when the caller has them)."""
    lookup = Lookup(catalog)
    out = _copy(data)
    for entry in toolkit_entries(data, schema) if entries is None else entries:
        _set(out, entry.context, lookup.get(entry.text, entry.context))
    lookup._memo.clear()  # each context is looked up once; the caller keeps the counts
    return out, lookup


def _placeholders_match(source: str, translated: str) -> bool:
    if "%(" not in source and "{" not in source and "%(" not in translated and "{" not in translated:
        return True  # no placeholder on either side (most texts)
    return sorted(m.group() for m in _PLACEHOLDER.finditer(source)) == sorted(m.group() for m in _PLACEHOLDER.finditer(translated))


def status_of(lang: str, lookup: Lookup, catalog: Catalog | PoCatalog | None) -> str:
    if lang == SOURCE:
        return "source"
    if catalog is None or (lookup.used == 0 and lookup.fuzzy == 0):
        return "missing"  # nothing translated yet (an outdated translation is "outdated")
    if lookup.fuzzy or lookup.missing:
        return "outdated"
    return "reviewed" if provenance(catalog) == "reviewed" else "machine"


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _set(data: Any, context: str, value: str) -> None:
    parts = [int(i) if i else k for k, i in _PART.findall(context)]
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


# ---------------------------------------------------------------------------------------------
# Checks on translations


def check_message(message: Message | PoMessage, display: str, lang: str) -> list[Problem]:
    """Problems in one translated entry: placeholders, markup that the English does not have."""
    if not message.id or not message.string or not isinstance(message.string, str):
        return []
    out = []
    line = getattr(message, "lineno", 1) or 1
    where = (display, line, 1)
    field = message.context or ""
    if not _placeholders_match(message.id, message.string):
        wanted = sorted(m.group() for m in _PLACEHOLDER.finditer(message.id))
        found = sorted(m.group() for m in _PLACEHOLDER.finditer(message.string))
        out.append(Problem(*where, "GT404", field, f"placeholders {found} do not match the English {wanted}",
                           "copy each %(name)s from the English exactly"))
    if _may_have_markup(message.string) and _MARKUP.search(message.string) and not _MARKUP.search(message.id):
        out.append(Problem(*where, "GT405", field, "the translation contains markup or a link the English does not have",
                           "translate the text only; it is shown exactly as written"))
    from .load import forbidden_characters

    allowed_rtl = {"\u200e", "\u200f", "\u061c"} if lang == "ar" else set()
    for index, name in forbidden_characters(message.string):
        if message.string[index] not in allowed_rtl:
            out.append(Problem(*where, "GT003", field, f"{name} is not allowed in a translation"))
    return out


# ---------------------------------------------------------------------------------------------
# Whole-tree operations used by the command line and the tests


def expected_catalogs(root: Path, catalog) -> dict[str, list[Entry]]:
    """domain -> entries, for every catalog each language should have."""
    domains = {"messages": ui_entries(), "registry": registry_entries(catalog.registry)}
    for tid in sorted(catalog.toolkits):
        domains[f"toolkits/{tid}"] = entries_of(catalog, tid)
    return domains


class CatalogError(Exception):
    """A catalog cannot be updated because it cannot be read; ``problems`` say where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].text())
        self.problems = problems


def update_all(root: Path, catalog, languages: tuple[str, ...] = LANGUAGES[1:]) -> dict[str, dict[str, int]]:
    """Bring every catalog of every language in line with the English; return changes per file."""
    report = {}
    expected = expected_catalogs(root, catalog)  # the same English for every language
    for lang in languages:
        for domain, entries in expected.items():
            path = catalog_path(root, lang, domain)
            display = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            old, problems = read_catalog(path, display) if path.is_file() else (None, [])
            if problems:
                raise CatalogError(problems)
            new, stats = update_catalog(old, entries, lang, domain)
            if write_if_changed(path, po_text(new)):
                report[str(path.relative_to(root))] = stats
    return report


def check_all(root: Path, catalog) -> list[Problem]:
    """Problems that make catalogs unusable or stale (missing translations are not problems)."""
    root = Path(root)
    base = root / "locales"
    if not base.is_dir():
        return []
    problems = stray_language_folders(root)
    expected = expected_catalogs(root, catalog)
    for lang in LANGUAGES[1:]:
        problems += check_language(root, lang, expected)
    return sorted(set(problems))


def stray_language_folders(root: Path) -> list[Problem]:
    """GT402: a folder under locales/ that is not a site language (nor the templates)."""
    base = Path(root) / "locales"
    if not base.is_dir():
        return []
    return [Problem(f"locales/{folder.name}", 1, 1, "GT402", "", f"{folder.name!r} is not one of the site languages ({', '.join(LANGUAGES[1:])})")
            for folder in sorted(p for p in base.iterdir() if p.is_dir())
            if folder.name != TEMPLATES and (folder.name not in LANGUAGES or folder.name == SOURCE)]


def check_language(root: Path, lang: str, expected: dict[str, list[Entry]]) -> list[Problem]:
    """``check_all`` for the catalogs of one language (``expected`` from ``expected_catalogs``):
    each language can be checked in a process of its own, the one that then uses its catalogs."""
    root = Path(root)
    problems: list[Problem] = []
    folder = root / "locales" / lang
    if not (root / "locales").is_dir():
        return problems
    for path in sorted(folder.rglob("*.po")) if folder.is_dir() else []:
        rel = path.relative_to(folder).with_suffix("").as_posix()
        display = path.relative_to(root).as_posix()
        if rel not in expected:
            problems.append(Problem(display, 1, 1, "GT403", "", "no toolkit or catalog matches this file", "remove it, or rename it after an existing toolkit id"))
            continue
        po, read_problems = read_catalog_once(path, display)
        problems += read_problems
        if po is None:
            continue
        if provenance(po) not in PROVENANCE:
            problems.append(Problem(display, 1, 1, "GT407", "", "the header comment needs a line 'Translation-Status: machine' or 'reviewed'"))
        limits = {e.context: e.max_length for e in expected[rel] if e.max_length}
        for message in po:
            problems += check_message(message, display, lang)
            limit = limits.get(message.context or "")
            if limit and isinstance(message.string, str) and len(message.string) > limit:
                problems.append(Problem(display, message.lineno or 1, 1, "GT408", message.context or "",
                                        f"the translation has {len(message.string)} characters; the field allows {limit}"))
        wanted = {(e.context or None, e.text) for e in expected[rel]}
        have = {(m.context, m.id) for m in po if m.id}
        for context, text in sorted(wanted - have, key=str):
            problems.append(Problem(display, 1, 1, "GT406", context or "", f"no entry for the English text {text[:50]!r}", "run: greentoolbox i18n update"))
        for message in po:
            if message.id and (message.context, message.id) not in wanted:
                problems.append(Problem(display, message.lineno or 1, 1, "GT406", message.context or "", "entry for an English text that no longer exists", "run: greentoolbox i18n update"))
    for domain in expected:
        if not catalog_path(root, lang, domain).is_file():
            problems.append(Problem(f"locales/{lang}/{domain}.po", 1, 1, "GT406", "", "catalog file is missing", "run: greentoolbox i18n update"))
    return sorted(set(problems))

"""Strict YAML loading with a line and column for everything.

PyYAML's ``safe_load`` is safe from code execution but not from much else: it expands alias
bombs, keeps the last of two duplicate keys, turns ``no`` into False and ``010`` into 8, and
raises bare errors without a line (shared/DESIGN.md, fact 7). This loader:

1. checks size and encoding on the bytes, before parsing;
2. walks the *event* stream (nothing is expanded yet) and rejects anchors, aliases, tags and
   nesting over the depth limit;
3. composes nodes and builds plain Python data itself, rejecting duplicate and non-string keys
   and resolving plain scalars by a small YAML 1.2 core subset: ``true``/``false``, ``null``,
   decimal integers without leading zeros, and decimal floats. Everything else stays the string
   that was typed (``no``, ``010``, ``2024-01-15``, ``12:30:00``);
4. records where every value and key starts, so later checks can point at it.

The C parser (libyaml) is used when present; pure PyYAML was measured 7x slower.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32

try:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

Path_ = tuple  # a path into the data: ("specifications", 2, "unit")

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(
    r"[-+]?(?:(0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?|(0|[1-9][0-9]*)(?:\.[0-9]*)?[eE][-+]?[0-9]+)"
)
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}

# Code points never allowed in contributed text: C0/C1 controls except tab and newlines,
# bidi embeddings/overrides/isolates, invisible separators and a byte-order mark inside text,
# lone surrogates and non-characters. ZWJ/ZWNJ (U+200C/D) stay allowed: scripts and emoji use them.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)


def forbidden_characters(text: str) -> list[tuple[int, str]]:
    """(index, description) of every forbidden code point in ``text``."""
    found = []
    for match in _FORBIDDEN.finditer(text):
        char = match.group()
        name = unicodedata.name(char, "") or _category_name(char)
        found.append((match.start(), f"U+{ord(char):04X} {name}".strip()))
    return found


def _category_name(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return "lone surrogate"
    return "control character"


@dataclass
class Document:
    """A loaded YAML file: its data, and where each part of it starts (1-based)."""

    path: str
    data: Any
    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest ancestor that exists."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


def field_name(path: tuple) -> str:
    """``("specifications", 2, "unit")`` -> ``specifications[2].unit``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load_file(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Load one YAML file strictly. Returns (document or None, problems)."""
    display = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [Problem(display, 1, 1, "GT001", "", f"file is {size} bytes, larger than {MAX_BYTES // 1024} KiB")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display, 1, 1, "GT002", "", f"cannot read file: {exc.strerror}")]
    return load_bytes(raw, display)


def load_bytes(raw: bytes, display: str) -> tuple[Document | None, list[Problem]]:
    """Load YAML from bytes (UTF-8, an optional leading BOM, LF or CRLF line ends)."""
    if len(raw) > MAX_BYTES:
        return None, [Problem(display, 1, 1, "GT001", "", f"file is {len(raw)} bytes, larger than {MAX_BYTES // 1024} KiB")]
    text, problems = _decode(raw, display)
    if text is None:
        return None, problems
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems = _check_events(text, display)
    if problems:
        return None, problems
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:  # already parsed once; kept for safety
        return None, [_yaml_error(exc, display, text)]
    if node is None or not isinstance(node, yaml.MappingNode):
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else (1, 1)
        return None, [Problem(display, line, col, "GT010", "", "the document must be a mapping of fields")]
    doc = Document(display, None)
    problems = []
    doc.data = _build(node, (), doc, problems)
    return (None if problems else doc), problems


def _decode(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(display, 1, 1, "GT002", "", "file is UTF-16; only UTF-8 is accepted")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a leading UTF-8 BOM is harmless: drop it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        return None, [Problem(display, line, col, "GT002", "", f"byte 0x{byte:02X} is not valid UTF-8 (latin-1 or another legacy encoding?)")]
    problems = []
    for index, name in forbidden_characters(text):
        line, col = _line_col(text, index)
        problems.append(Problem(display, line, col, "GT003", "", f"{name} is not allowed"))
    return (None if problems else text), problems


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _yaml_error(exc: Exception, display: str, text: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
    elif getattr(exc, "position", None) is not None:
        line, col = _line_col(text, exc.position)
    else:
        line, col = 1, 1
    message = " ".join(str(getattr(exc, "problem", None) or exc).split())
    context = getattr(exc, "context", None)
    if context:
        message = f"{message} ({' '.join(str(context).split())})" if message else str(context)
    lines = text.split("\n")
    line = min(max(line, 1), len(lines))  # an error at end of input points past the last line
    if "\t" in lines[line - 1][: max(col, 1)] or "tab" in message:
        message += "; a tab character was found where YAML needs spaces"
    code = "GT003" if "special characters" in message or "unacceptable character" in message else "GT004"
    return Problem(display, line, col, code, "", message or "invalid YAML")


def _check_events(text: str, display: str) -> list[Problem]:
    """Reject anchors, aliases, tags, extra documents and deep nesting before composing."""
    problems: list[Problem] = []
    depth = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            where = (display, mark.line + 1, mark.column + 1)
            if isinstance(event, yaml.AliasEvent):
                problems.append(Problem(*where, "GT005", "", f"alias *{event.anchor} is not allowed"))
                continue
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problems.append(Problem(*where, "GT010", "", "only one YAML document per file"))
                    break
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                problems.append(Problem(*where, "GT005", "", f"anchor &{anchor} is not allowed"))
            tag = getattr(event, "tag", None)
            if tag is not None:  # the parser reports a tag only when one was written
                problems.append(Problem(*where, "GT006", "", f"tag {tag} is not allowed"))
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(Problem(*where, "GT009", "", f"nesting deeper than {MAX_DEPTH} levels"))
                    break
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:
        problems.append(_yaml_error(exc, display, text))
    return problems


def _build(node: yaml.Node, path: tuple, doc: Document, problems: list[Problem]) -> Any:
    doc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            where = (doc.path, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or key == "":
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a collection"
                problems.append(Problem(*where, "GT008", field_name(path), f"key {shown!r} is not a plain string"))
                continue
            if key in out:
                problems.append(Problem(*where, "GT007", field_name(path + (key,)), f"duplicate key {key!r} (first at line {first_seen[key]})"))
                continue
            first_seen[key] = where[1]
            doc.key_marks[path + (key,)] = where[1:]
            _check_string(key, path + (key,), where, problems)
            out[key] = _build(value_node, path + (key,), doc, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), doc, problems) for i, item in enumerate(node.value)]
    value = _scalar(node)
    if isinstance(value, str):
        _check_string(value, path, (doc.path, *doc.marks[path]), problems)
    return value


def _check_string(value: str, path: tuple, where: tuple, problems: list[Problem]) -> None:
    # Escapes in double-quoted scalars ("\u202e", "\0") can produce what the raw-text check
    # cannot see, so every resulting string is checked too.
    for _, name in forbidden_characters(value):
        problems.append(Problem(*where, "GT003", field_name(path), f"{name} is not allowed"))


def _scalar(node: yaml.ScalarNode) -> Any:
    text = node.value
    if node.style:  # quoted or block scalar: always a string ('' or None means plain)
        return text
    if text in _NULL:
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) else text
    return text

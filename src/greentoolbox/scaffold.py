"""``greentoolbox new <slug>``: a toolkit skeleton made from the schema.

Every required field is written empty, with its schema description as a comment above it, so
``greentoolbox validate`` names each field still to fill (code GT105) until it is filled.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from .validate import TOOLKIT_FILE, schema

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SCHEMA_COMMENT = "# yaml-language-server: $schema=../../src/greentoolbox/schema/toolkit.schema.json"


class ScaffoldError(Exception):
    """The slug cannot be used; the message says why."""


def new_toolkit(root: Path, slug: str) -> Path:
    """Write toolkits/<slug>/toolkit.yaml and return its path."""
    if not SLUG.fullmatch(slug) or not 3 <= len(slug) <= 60:
        raise ScaffoldError(
            f"{slug!r} is not a valid slug: use 3-60 lowercase ASCII letters, digits and single hyphens "
            "(for example solar-water-pumping)"
        )
    base = Path(root) / "toolkits"
    folded = unicodedata.normalize("NFC", slug).casefold()
    if base.is_dir():
        for existing in base.iterdir():
            if unicodedata.normalize("NFC", existing.name).casefold() == folded:
                raise ScaffoldError(f"toolkits/{existing.name} already exists; choose another slug or edit that toolkit")
    target = base / slug / TOOLKIT_FILE
    target.parent.mkdir(parents=True)
    target.write_text(skeleton(slug), encoding="utf-8")
    return target


def skeleton(slug: str) -> str:
    root = schema("toolkit")
    lines = [
        SCHEMA_COMMENT,
        f"# New toolkit {slug}. Fill in every field, then run: greentoolbox validate toolkits/{slug}",
        "# Field reference: docs/contribute.md. Plain text is shown exactly as written.",
    ]
    overrides = {("id",): slug}
    _emit(root, root, (), 0, lines, overrides)
    return "\n".join(lines) + "\n"


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        merged = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **merged}
    return node


def _emit(node: dict, root: dict, path: tuple, indent: int, lines: list[str], overrides: dict) -> None:
    pad = " " * indent
    names = list(node.get("required", []))
    # figures also get the optional fields nearly everyone needs
    names += [n for n in ("value", "unit", "source") if n in node.get("properties", {}) and n not in names and "basis" in node.get("properties", {})]
    for name in names:
        prop = _resolve(node["properties"][name], root)
        for comment in _wrap(prop.get("description", "")):
            lines.append(f"{pad}# {comment}")
        here = path + (name,)
        kind = prop.get("type")
        if here in overrides:
            lines.append(f"{pad}{name}: {json.dumps(overrides[here])}")
        elif "const" in prop:
            lines.append(f"{pad}{name}: {prop['const']}")
        elif kind == "object":
            lines.append(f"{pad}{name}:")
            _emit(prop, root, here, indent + 2, lines, overrides)
        elif kind == "array":
            items = _resolve(prop.get("items", {}), root)
            if items.get("type") == "object":
                lines.append(f"{pad}{name}:")
                sub: list[str] = []
                _emit(items, root, here + (0,), indent + 4, sub, overrides)
                first = next(i for i, line in enumerate(sub) if not line.lstrip().startswith("#"))
                sub[first] = f"{pad}  - " + sub[first].lstrip()
                lines.extend(sub)
            else:
                lines.append(f"{pad}{name}: []")
        elif kind in ("integer", "number"):
            lines.append(f"{pad}{name}:")
        else:
            lines.append(f'{pad}{name}: ""')


def _wrap(text: str, width: int = 90) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + ([line] if line else [])

"""Nothing lost: every leaf value of a toolkit must be visible on its page.

Keys into registries are checked through what they resolve to (a standard key shows as its
designation, a unit key as its symbol, a country code as its name, a source as a link to the
reference); every other string and number must appear in the page text as written.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterator

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from greentoolbox.registry import VOCABULARIES
from greentoolbox.render import enum_label, prose, stage_label

from conftest import PageParser


def leaves(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from leaves(value, path + (i,))
    else:
        yield path, data


def _text_of(html: str) -> str:
    parser = PageParser()
    parser.feed(html)
    return parser.text


def missing_leaves(page: PageParser, data: dict, registry, lang: str = "en") -> list[str]:
    """Leaves of ``data`` that do not show on ``page``; an empty list means nothing was lost."""
    text = page.text
    low = text.casefold()
    ident = lambda s: s  # English labels
    locale = Locale.parse(lang)
    missing = []
    for path, value in leaves(data):
        last = path[-1]
        parent = path[-2] if len(path) > 1 else None
        if value is None:
            continue
        if last == "standard" or (path[0] == "lifecycle" and parent == "standards"):
            ok = registry.standards[value]["id"] in text
        elif last == "benefit":
            ok = next(d["label"] for d in registry.benefit if d["key"] == value) in text
        elif last == "source":
            ok = f"#ref-{value}" in page.hrefs
        elif path[0] in VOCABULARIES:
            ok = registry.terms[path[0]][value]["label"] in text
        elif last == "unit":
            symbol = registry.units[value]["symbol"]
            ok = symbol in text if symbol else True
        elif path[0] == "countries" or last == "country":
            ok = locale.territories[value] in text
        elif parent == "stages":
            ok = stage_label(value, ident) in text
        elif last in ("basis", "kind", "type", "relation"):
            ok = enum_label(value, ident).casefold() in low
        elif path == ("id",):
            ok = f"toolkits/{value}/toolkit.yaml" in text
        elif path[0] == "references" and last == "id":
            ok = f"ref-{value}" in page.ids
        elif path[0] == "related" and last == "toolkit":
            ok = f"../{value}/" in page.hrefs
        elif path == ("license",):
            ok = "CC BY 4.0" in text
        elif path[0] == "maintainers":
            ok = f"@{value}" in text
        elif path == ("last_reviewed",):
            ok = format_date(date.fromisoformat(value), format="long", locale=locale) in text
        elif path == ("description",):
            ok = _text_of(str(prose(value))) in text
        elif last == "url":
            ok = value in page.hrefs
        elif last == "year":
            ok = str(value) in text
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ok = format_decimal(value, locale=locale, decimal_quantization=False) in text
        else:
            ok = " ".join(str(value).split()) in text
        if not ok:
            missing.append(f"{'.'.join(map(str, path))} = {value!r}")
    return missing

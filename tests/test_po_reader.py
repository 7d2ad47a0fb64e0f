"""translate._read_plain_po reads a catalog exactly as Babel's read_po does, or declines.

The engine reads every catalog of a build with its own reader (Babel's parser was the largest
part of checking a language's catalogs) and hands the file to Babel whenever it is not a plain
catalog. Both are compared here, entry by entry, on the project's catalogs, on catalogs Babel
writes around the hostile corpora, and on hand-made files at the edges of the PO format.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from conftest import FIXTURES, REPO, corpus

from greentoolbox.translate import PoCatalog, _po_syntax, _read_plain_po, new_catalog, read_catalog_once


def _babel(raw: bytes) -> tuple:
    catalog = PoCatalog(read_po(io.BytesIO(raw), abort_invalid=True))
    return catalog.header_comment, list(catalog)


def _ours(raw: bytes) -> tuple | None:
    assert not _po_syntax(raw, "x.po"), "the engine's reader only sees files that pass the line check"
    catalog = _read_plain_po(raw)
    return None if catalog is None else (catalog.header_comment, list(catalog))


def _written(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=76)
    return out.getvalue()


def test_the_projects_catalogs_read_the_same():
    paths = sorted((REPO / "locales").rglob("*.po")) + sorted(FIXTURES.rglob("*.po"))
    read = 0
    for path in paths:
        raw = path.read_bytes()
        if _po_syntax(raw, str(path)):
            continue  # a broken fixture: neither reader sees it
        ours = _ours(raw)
        if ours is None:
            continue
        assert ours == _babel(raw), path
        read += 1
    assert read >= len(list((REPO / "locales").rglob("*.po")))  # every catalog of the project is plain


def test_hostile_strings_read_the_same():
    """Every corpus string as an English text and as a translation, with contexts, comments,
    fuzzy flags and long lines that Babel wraps, in catalogs Babel itself writes."""
    strings = corpus()
    for start in range(0, len(strings), 400):
        catalog = new_catalog("fr", "messages")
        for i, text in enumerate(strings[start:start + 400]):
            catalog.add(f"{i} {text}", text[::-1] + " \\n \" \t " * (i % 3), context=f"f.{i}" if i % 2 else None,
                        auto_comments=[text[:40]], user_comments=["note"] if i % 5 == 0 else [],
                        flags=["fuzzy"] if i % 7 == 0 else [])
        raw = _written(catalog)
        ours = _ours(raw)
        assert ours is not None, f"a catalog Babel wrote was declined (strings {start}...)"
        assert ours == _babel(raw)


HEADER = (
    "# Green Toolbox: messages, French (fr).\n# Translation-Status: machine\n"
    'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
)

SAME = {
    "escapes": HEADER + 'msgid "a\\tb\\\\c\\"d\\ne\\q"\nmsgstr "x\\ry"\n',
    "continued": HEADER + 'msgctxt ""\n"ctx"\nmsgid ""\n"one "\n"two"\nmsgstr ""\n"un "\n  "deux"\n',
    "comment between context and id": HEADER + 'msgctxt "c"\n#, fuzzy\nmsgid "a"\nmsgstr "b"\n',
    "flags": HEADER + '#, python-format,  fuzzy\nmsgid "a %(n)s"\nmsgstr "b %(n)s"\n#, no-wrap\nmsgid "c"\nmsgstr ""\n',
    "blanks and CRLF": HEADER.replace("\n", "\r\n") + '\r\n   msgid "a"  \r\n\tmsgstr "b"\r\n',
    "empty translation": HEADER + 'msgid "a"\nmsgstr ""\n',
    "header only": HEADER,
    "same text, two contexts": HEADER + 'msgctxt "x"\nmsgid "a"\nmsgstr "1"\nmsgctxt "y"\nmsgid "a"\nmsgstr "2"\nmsgid "a"\nmsgstr "3"\n',
    "project words in the header comment": HEADER.replace("# Translation", "# PROJECT VERSION YEAR ORGANIZATION\n# Translation"),
    "non-ASCII": HEADER + 'msgctxt "title"\nmsgid "Mangroves"\nmsgstr "红树林 — مانغروف"\n',
}

DECLINED = {
    "plural": HEADER + 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "bs"\n',
    "obsolete": HEADER + 'msgid "a"\nmsgstr "b"\n#~ msgid "old"\n#~ msgstr "vieux"\n',
    "previous": HEADER + '#| msgid "old"\nmsgid "a"\nmsgstr "b"\n',
    "duplicate": HEADER + 'msgid "a"\nmsgstr "b"\nmsgid "a"\nmsgstr "c"\n',
    "no header": 'msgid "a"\nmsgstr "b"\n',
    "header not first": 'msgid "a"\nmsgstr "b"\n' + HEADER,
    "latin-1 header": HEADER.replace("utf-8", "latin-1") + 'msgid "a"\nmsgstr "b"\n',
    "msgstr before msgid": HEADER + 'msgstr "b"\nmsgid "a"\nmsgstr "c"\n',
    "missing msgstr": HEADER + 'msgid "a"\nmsgid "b"\nmsgstr "c"\n',
    "tab after keyword": HEADER + 'msgid\t"a"\nmsgstr "b"\n',
    "two contexts": HEADER + 'msgctxt "x"\nmsgctxt "y"\nmsgid "a"\nmsgstr "b"\n',
    "context at the end": HEADER + 'msgid "a"\nmsgstr "b"\nmsgctxt "x"\n',
    "bad language": HEADER.replace("Language: fr", "Language: xx_YY_ZZ_1") + 'msgid "a"\nmsgstr "b"\n',
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_edge_cases_read_the_same(name):
    raw = SAME[name].encode("utf-8")
    ours = _ours(raw)
    assert ours is not None, f"{name}: declined"
    assert ours == _babel(raw)


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_other_catalogs_go_to_babel(name, tmp_path):
    """Declined, and the engine still reads them: as Babel reads them, or with Babel's problem."""
    raw = DECLINED[name].encode("utf-8")
    assert _ours(raw) is None
    path = tmp_path / "x.po"
    path.write_bytes(raw)
    catalog, problems = read_catalog_once(path, "x.po")
    try:
        expected = _babel(raw)
    except Exception:
        assert catalog is None and [p.code for p in problems] == ["GT401"]
    else:
        assert not problems and (catalog.header_comment, list(catalog)) == expected


def test_line_numbers_are_the_msgid_lines(tmp_path):
    raw = (HEADER + '#. note\nmsgctxt "t"\nmsgid "a"\nmsgstr "b"\n\nmsgid ""\n"c"\nmsgstr "d"\n').encode("utf-8")
    catalog = _read_plain_po(raw)
    lines = raw.decode("utf-8").split("\n")
    assert [m.lineno for m in catalog] == [lines.index('msgid "a"') + 1, lines.index('msgid ""', 4) + 1]

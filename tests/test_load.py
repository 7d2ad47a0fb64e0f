"""The strict loader: what it keeps, what it refuses, and that it never raises."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from hypothesis import given, settings, strategies as st

from greentoolbox.load import MAX_DEPTH, load_bytes

from conftest import GOOD, REPO


def load(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_bytes(raw, "f.yaml")


def codes(text: str | bytes) -> list[str]:
    return [p.code for p in load(text)[1]]


def test_yaml11_coercions_keep_what_was_typed():
    doc, problems = load(
        "languages: [en, no]\ncountry: NO\nenabled: on\nversion: 010\ntime: 12:30:00\n"
        "released: 2024-01-15\nsha: 1234e5678\nhex: 0x1F\nflag: yes\n"
    )
    assert problems == []
    assert doc.data == {
        "languages": ["en", "no"], "country": "NO", "enabled": "on", "version": "010",
        "time": "12:30:00", "released": "2024-01-15", "sha": "1234e5678", "hex": "0x1F", "flag": "yes",
    }
    assert not any(isinstance(v, (bool, datetime.date)) for v in doc.data.values())


def test_yaml12_core_scalars_still_resolve():
    doc, _ = load("a: 12\nb: -3.5\nc: true\nd: null\ne: ~\nf: 2.5e3\ng: '12'\n")
    assert doc.data == {"a": 12, "b": -3.5, "c": True, "d": None, "e": None, "f": 2500.0, "g": "12"}


def test_alias_bomb_rejected_fast_without_expansion():
    lol = ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lol.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    doc, problems = load("\n".join(lol) + "\n")
    assert doc is None
    assert {p.code for p in problems} == {"GT005"}
    assert problems[0].line == 1
    assert time.perf_counter() - start < 2


def test_recursive_alias_rejected():
    assert set(codes("a: &x [1, *x]\n")) == {"GT005"}


def test_duplicate_keys_nested_name_first_line():
    doc, problems = load("meta:\n  lang: en\n  lang: fr\n")
    assert doc is None
    assert problems[0].code == "GT007" and problems[0].line == 3
    assert "first at line 2" in problems[0].message


def test_tags_refused_and_never_executed(tmp_path):
    canary = tmp_path / "CANARY"
    for text in (
        f"a: !!python/object/apply:os.system ['touch {canary}']\n",
        "a: !!python/name:os.system\n",
        "a: !include /etc/passwd\n",
        "a: !!binary aGVsbG8=\n",
    ):
        assert codes(text) == ["GT006"]
    assert not canary.exists()


def test_bom_and_crlf_give_identical_data():
    lf = GOOD.read_bytes()
    crlf = b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n")
    a, pa = load(lf)
    b, pb = load(crlf)
    assert pa == pb == []
    assert a.data == b.data
    assert a.marks == b.marks


def test_encodings():
    assert codes("title: Caf\xe9\n".encode("latin-1")) == ["GT002"]
    assert codes("title: x\n".encode("utf-16")) == ["GT002"]
    assert codes("title: a\ufeffb\n") == ["GT003"]
    problems = load("a: 1\nb:\n\t- x\n")[1]
    assert problems[0].code == "GT004" and problems[0].line == 3


def test_escaped_forbidden_characters_are_caught():
    for escape in ("\\u202e", "\\0", "\\u200b", "\\x07"):
        assert codes(f'title: "a{escape}b"\n') == ["GT003"], escape


def test_depth_limit_no_recursion_error():
    deep = "a: " + "[" * 2000 + "]" * 2000 + "\n"
    assert codes(deep) == ["GT009"]
    ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert codes(ok) == []


def test_size_limit_checked_before_parsing():
    assert codes(b"a: " + b"x" * (300 * 1024)) == ["GT001"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    doc, problems = load(text.encode("utf-8", "surrogatepass"))
    assert (doc is None) == bool(problems)
    for p in problems:
        assert p.line >= 1 and p.col >= 1 and p.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(raw):
    doc, problems = load_bytes(raw, "f.yaml")
    assert (doc is None) == bool(problems)


def test_inlined_schema_finds_the_same_errors_as_the_shipped_one():
    """The validator runs on the toolkit schema with its $defs references inlined (for speed):
    on every shipped toolkit, every bad fixture and a toolkit with a wrong value in every text
    field, it reports exactly the errors the shipped schema with its references reports."""
    import copy

    import jsonschema
    import yaml

    from greentoolbox.validate import _inlined, _own_description, _validator, schema

    shipped = jsonschema.Draft202012Validator(schema("toolkit"), format_checker=jsonschema.FormatChecker())

    def errors(validator, data):
        return sorted((tuple(map(str, e.absolute_path)), e.validator, e.message) for e in validator.iter_errors(data))

    docs = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "toolkits").glob("*/toolkit.yaml"))]
    for path in sorted((Path(__file__).parent / "fixtures" / "bad").glob("GT1*.yaml")):
        docs.append(yaml.safe_load(path.read_text("utf-8")))
    broken = copy.deepcopy(docs[0])

    def spoil(node):  # every text becomes a number, every list gains an unknown mapping
        if isinstance(node, dict):
            for key, value in node.items():
                node[key] = 7 if isinstance(value, str) else spoil(value)
        elif isinstance(node, list):
            node[:] = [spoil(v) for v in node] + [{"unknown": True}]
        return node

    docs.append(spoil(broken))
    docs.append({**docs[0], "title": "x" * 500, "summary": "y" * 5000})  # the fields' own maxLength
    assert any(errors(shipped, d) for d in docs) and errors(shipped, docs[0]) == []
    for data in docs:
        assert errors(_validator("toolkit"), data) == errors(shipped, data)

    # the hint quotes the description of the field that is wrong: the title's own (beside the
    # shared definition it refers to), a checklist item's evidence's (inside one)
    hints = {}
    for e in _validator("toolkit").iter_errors(broken):
        e._gt_root = _inlined("toolkit")
        hints[tuple(map(str, e.absolute_path))] = _own_description(e)
    raw = schema("toolkit")
    assert hints[("title",)] == raw["properties"]["title"]["description"]
    assert hints[("lifecycle", "design", "0", "evidence")] == raw["$defs"]["checklist"]["items"]["properties"]["evidence"]["description"]


def test_toolkits_loaded_in_parallel_give_what_one_process_gives(tmp_path, monkeypatch):
    """``validate_tree(processes=2)`` (what ``greentoolbox build`` uses) returns the same toolkits
    and the same problems, in the same order, as one process, bad files included."""
    import shutil

    from greentoolbox import validate

    tree = tmp_path / "tree"
    shutil.copytree(REPO / "toolkits", tree / "toolkits")
    bad = Path(__file__).parent / "fixtures" / "bad"
    for path in sorted(bad.glob("GT1*.yaml")) + sorted(bad.glob("GT00[3-7]*.yaml")):
        folder = tree / "toolkits" / path.stem.lower()
        folder.mkdir()
        shutil.copy(path, folder / "toolkit.yaml")
    serial = validate.validate_tree(tree, translations=False)
    monkeypatch.setattr(validate, "PARALLEL_FROM", 2)  # the tree is smaller than a real large one
    parallel = validate.validate_tree(tree, translations=False, processes=2)
    assert len(serial.problems) > 10
    assert parallel.problems == serial.problems
    assert list(parallel.toolkits) == list(serial.toolkits)
    assert all(parallel.toolkits[t].data == serial.toolkits[t].data for t in serial.toolkits)

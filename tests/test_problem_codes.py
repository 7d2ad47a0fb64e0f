"""One failing fixture per problem code: tests/fixtures/bad/<CODE>-<name>.yaml.

Each fixture starts with header comments the test reads:

    # fixture: GT206 unknown-unit      the code and its short name from problems.CODES
    # place: toolkit                   where it goes in a fresh tree (see _build_tree)
    # folder: NAME                     (place toolkit-extra) the folder toolkits/NAME/
    # at: toolkits/notes.yaml          (place stray) the path inside the tree
    # expect: 1                        how many problems with this code in the fixture's file
    # why: ...                         the one deliberate flaw
    # line: 30                         1-based line(s) of the flaw, comma-separated if several

The fixture's file must report exactly ``expect`` problems, all with the fixture's code, at the
given lines; every other file of the tree must stay clean. The CLI must report the same code in
every output format, exit 1, and never print a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from greentoolbox.load import MAX_BYTES
from greentoolbox.problems import CODES
from greentoolbox.validate import validate_tree

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = FIXTURES / "bad"
GOOD = FIXTURES / "good" / "toolkit.yaml"
REGISTRY = FIXTURES / "registry"
GOOD_ID = "demo-solar"
PLACES = ("toolkit", "toolkit-extra", "registry-standards", "stray")
HEADER = re.compile(rb"^# (fixture|place|folder|at|expect|why|line): ?(.*)$")
NAME = re.compile(r"^(GT\d{3})-([a-z0-9-]+)\.yaml$")


def _header(path: Path) -> dict[str, str]:
    """The header comments of a fixture (read as bytes: some fixtures are not UTF-8)."""
    meta: dict[str, str] = {}
    for raw in path.read_bytes().split(b"\n"):
        if not raw.startswith(b"#"):
            break
        match = HEADER.match(raw.rstrip(b"\r"))
        if match:
            meta[match.group(1).decode()] = match.group(2).decode("utf-8").strip()
    return meta


def _fixtures() -> list[Path]:
    return sorted(BAD.glob("*.yaml"))


def _fixture_code(path: Path) -> str:
    return path.name.split("-", 1)[0]


def _build_tree(base: Path, fixture: Path) -> tuple[Path, str]:
    """A fresh tree with the fixture in place; returns (tree, fixture's path relative to it)."""
    meta = _header(fixture)
    tree = base / "tree"
    shutil.copytree(REGISTRY, tree / "toolkits" / "_registry")
    good = tree / "toolkits" / GOOD_ID / "toolkit.yaml"
    good.parent.mkdir(parents=True)
    shutil.copyfile(GOOD, good)
    place = meta["place"]
    if place == "toolkit":
        rel = f"toolkits/{GOOD_ID}/toolkit.yaml"
    elif place == "toolkit-extra":
        assert meta.get("folder") and meta["folder"] != GOOD_ID, "toolkit-extra needs '# folder: NAME'"
        rel = f"toolkits/{meta['folder']}/toolkit.yaml"
    elif place == "registry-standards":
        rel = "toolkits/_registry/standards/extra.yaml"
    elif place == "stray":
        assert meta.get("at"), "stray needs '# at: PATH'"
        rel = meta["at"]
    else:  # pragma: no cover - guarded by test_fixture_headers
        raise AssertionError(f"unknown place {place!r}")
    target = tree / rel
    assert tree.resolve() in target.resolve().parents, rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(fixture, target)  # byte for byte
    return tree, rel


def _cli(tree: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "greentoolbox.cli", "--root", str(tree), "validate", *args],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120,
    )


def _no_canary(*places: Path) -> None:
    for place in places:
        assert not (place / "CANARY").exists(), place
        assert not list(place.rglob("CANARY")), place


FIXTURE_PARAMS = [pytest.param(p, id=p.stem) for p in _fixtures()]


# ---------------------------------------------------------------------------------------------
# The fixture set itself


def test_baseline_tree_is_clean(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(REGISTRY, tree / "toolkits" / "_registry")
    (tree / "toolkits" / GOOD_ID).mkdir()
    shutil.copyfile(GOOD, tree / "toolkits" / GOOD_ID / "toolkit.yaml")
    assert validate_tree(tree).problems == []


def test_every_code_has_exactly_one_fixture():
    # YAML fixtures here; PO fixtures (GT4xx) are exercised by test_translation_codes.py
    codes = [_fixture_code(p) for p in _fixtures() + sorted(BAD.glob("*.po"))]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    assert not duplicated, f"more than one fixture for {duplicated}"
    assert set(codes) == set(CODES), (
        f"codes without a fixture: {sorted(set(CODES) - set(codes))}; "
        f"fixtures for unknown codes: {sorted(set(codes) - set(CODES))}"
    )


def test_every_code_is_documented():
    text = (REPO / "docs" / "contribute.md").read_text("utf-8")
    missing = [code for code in CODES if code not in text]
    assert not missing, f"codes missing from docs/contribute.md: {missing}"


@pytest.mark.parametrize("fixture", FIXTURE_PARAMS)
def test_fixture_headers(fixture):
    match = NAME.match(fixture.name)
    assert match, f"{fixture.name}: name must be <CODE>-<short-name>.yaml"
    code, short = match.groups()
    assert code in CODES
    assert short == CODES[code][0], f"{fixture.name}: short name should be {CODES[code][0]!r}"
    meta = _header(fixture)
    assert meta.get("fixture") == f"{code} {short}"
    assert meta.get("place") in PLACES
    assert meta.get("expect", "").isdigit() and int(meta["expect"]) >= 1
    assert meta.get("why"), "say which flaw the fixture holds"
    lines = [x.strip() for x in meta.get("line", "").split(",")]
    assert lines and all(x.isdigit() and int(x) >= 1 for x in lines), "'# line: N' is required"
    assert len(lines) in (1, int(meta["expect"])), "give one line, or one line per expected problem"


# ---------------------------------------------------------------------------------------------
# What the engine reports for each fixture


@pytest.mark.parametrize("fixture", FIXTURE_PARAMS)
def test_fixture_reports_only_its_code(fixture, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a tag that ran a command would leave CANARY in the cwd
    code = _fixture_code(fixture)
    meta = _header(fixture)
    tree, rel = _build_tree(tmp_path, fixture)

    problems = validate_tree(tree).problems
    assert problems, f"{fixture.name}: no problem reported"
    own = [p for p in problems if p.path == rel]
    others = [p for p in problems if p.path != rel]
    shown = "\n".join(p.text() for p in problems)
    assert not others, f"{fixture.name}: problems in other files:\n{shown}"
    assert own, f"{fixture.name}: nothing reported in {rel}:\n{shown}"
    assert {p.code for p in own} == {code}, f"{fixture.name}: other codes in its file:\n{shown}"
    assert len(own) == int(meta["expect"]), shown
    for p in own:
        assert p.line >= 1 and p.col >= 1, p
        assert p.message.strip(), p
    lines = [int(x) for x in meta["line"].split(",")]
    if len(lines) == 1:
        assert {p.line for p in own} == set(lines), shown
    else:
        assert sorted(p.line for p in own) == sorted(lines), shown
    if code == "GT006":
        _no_canary(tmp_path, Path.cwd(), REPO)


@pytest.mark.parametrize("fixture", FIXTURE_PARAMS)
def test_fixture_through_the_cli(fixture, tmp_path):
    code = _fixture_code(fixture)
    tree, rel = _build_tree(tmp_path, fixture)
    meta = _header(fixture)
    first_line = int(meta["line"].split(",")[0])

    text = _cli(tree, cwd=tmp_path)
    assert "Traceback" not in text.stdout and "Traceback" not in text.stderr, text.stdout + text.stderr
    assert text.returncode == 1, text.stdout + text.stderr
    assert code in text.stdout
    assert any(line.startswith(f"{rel}:{first_line}:") and f" {code}" in line for line in text.stdout.splitlines()), text.stdout

    github = _cli(tree, "--format", "github", cwd=tmp_path)
    assert "Traceback" not in github.stdout + github.stderr
    assert github.returncode == 1
    gh_lines = [line for line in github.stdout.splitlines() if line.startswith("::error file=")]
    assert any(f"line={first_line}," in line and code in line and "line=" in line for line in gh_lines), github.stdout

    as_json = _cli(tree, "--format", "json", cwd=tmp_path)
    assert "Traceback" not in as_json.stdout + as_json.stderr
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert isinstance(data, list)
    assert [d for d in data if d["code"] == code and d["path"] == rel and d["name"] == CODES[code][0]], data

    if code == "GT006":
        _no_canary(tmp_path, REPO)


# ---------------------------------------------------------------------------------------------
# Details of the byte-level fixtures


def test_byte_level_fixtures_hold_what_they_claim():
    by_code = {_fixture_code(p): p for p in _fixtures()}
    assert by_code["GT001"].stat().st_size > MAX_BYTES
    raw = by_code["GT002"].read_bytes()
    assert b"Caf\xe9" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "\u202e" in by_code["GT003"].read_text("utf-8")
    assert b"\n\t" in by_code["GT004"].read_bytes()
    assert b"!!python/object/apply:os.system" in by_code["GT006"].read_bytes()

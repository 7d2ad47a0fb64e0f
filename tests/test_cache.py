"""The build cache (greentoolbox.cache): a rebuild reuses validation and each language's engine
work only when their inputs are the same, and always makes the site a build without the cache
makes, file for file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import differences, make_site, site_build

from greentoolbox.cache import BuildCache, tree_key
from greentoolbox.export import GENERATED_DIRS

LANGS = ("en", "zh", "fr", "es", "ar", "ru", "pt", "sw", "id", "vi")


def build(base: Path, site: str, *args: str, cache: str | None = None) -> tuple[subprocess.CompletedProcess, dict]:
    """`greentoolbox build --json` of the tree in ``base`` into ``base/<site>``, its generated
    pages removed first (a clean checkout); returns the run and its figures."""
    for name in GENERATED_DIRS:
        shutil.rmtree(base / "docs" / name, ignore_errors=True)
    env = {"SOURCE_DATE_EPOCH": "1795000000", **({"GREENTOOLBOX_CACHE": cache} if cache is not None else {})}
    run = site_build(base, "--site-dir", str(base / site), "--jobs", "2", "--json", *args, env=env)
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "{}"
    return run, json.loads(last)


def generated(base: Path, into: Path) -> Path:
    """A copy of the generated pages under docs/ (what the engine wrote)."""
    for name in GENERATED_DIRS:
        shutil.copytree(base / "docs" / name, into / name)
    return into


def states(figures: dict) -> tuple[str, set[str]]:
    """(validation's cache state, the set of the languages' states)."""
    return figures["cache"]["validate"], set(figures["cache"]["languages"].values())


def test_a_rebuild_reuses_the_engine_work_and_makes_the_same_site(tmp_path):
    (tmp_path / "tree").mkdir()
    base = make_site(tmp_path / "tree", real_toolkits=True)
    cold, first = build(base, "one")
    assert cold.returncode == 0, cold.stderr
    assert states(first) == ("miss", {"miss"})
    pages = generated(base, tmp_path / "pages-cold")
    warm, second = build(base, "two")
    assert warm.returncode == 0, warm.stderr
    assert states(second) == ("hit", {"hit"})
    assert sorted(second["cache"]["languages"]) == sorted(LANGS)
    assert differences(base / "one", base / "two") == []
    assert differences(pages, generated(base, tmp_path / "pages-warm")) == []
    assert second["translate_render_s"] < first["translate_render_s"]  # not a threshold: the work was skipped


def test_a_changed_catalog_renders_its_language_again_as_a_build_without_cache_would(tmp_path):
    """Only French is made again; the new title shows on the French pages of the toolkits that
    link to the one whose title changed (the link's text comes from the other toolkit)."""
    (tmp_path / "tree").mkdir()
    base = make_site(tmp_path / "tree", real_toolkits=True)
    assert build(base, "one")[0].returncode == 0
    po = base / "locales" / "fr" / "toolkits" / "solar-cold-storage.po"
    old = 'msgstr "Chambres froides solaires PV pour produits agricoles"'
    assert old in po.read_text("utf-8")
    po.write_text(po.read_text("utf-8").replace(old, 'msgstr "Chambres froides photovoltaïques pour récoltes"'), "utf-8")
    warm, figures = build(base, "warm")
    assert warm.returncode == 0, warm.stderr
    assert figures["cache"]["validate"] == "hit"
    assert {lang for lang, state in figures["cache"]["languages"].items() if state == "miss"} == {"fr"}
    linking = (base / "warm" / "fr" / "toolkits" / "juncao" / "index.html").read_text("utf-8")
    assert "Chambres froides photovoltaïques pour récoltes" in linking
    pages = generated(base, tmp_path / "pages-warm")
    cold, plain = build(base, "cold", "--no-cache")
    assert cold.returncode == 0, cold.stderr
    assert states(plain) == ("off", {"off"})
    assert differences(base / "warm", base / "cold") == []
    assert differences(pages, generated(base, tmp_path / "pages-cold")) == []


def test_a_changed_toolkit_is_validated_and_rendered_again(tmp_path):
    (tmp_path / "tree").mkdir()
    base = make_site(tmp_path / "tree", real_toolkits=True)
    assert build(base, "one")[0].returncode == 0
    path = base / "toolkits" / "micro-energy-storage" / "toolkit.yaml"
    text = path.read_text("utf-8")
    assert "- toolkit: solar-cold-storage\n" in text
    path.write_text(text.replace("- toolkit: solar-cold-storage\n", "- toolkit: juncao\n", 1), "utf-8")
    warm, figures = build(base, "warm")
    assert warm.returncode == 0, warm.stderr
    assert states(figures) == ("miss", {"miss"})
    cold, _ = build(base, "cold", "--no-cache")
    assert cold.returncode == 0, cold.stderr
    assert differences(base / "warm", base / "cold") == []
    # the link now made from micro-energy-storage shows on the page it points to (incoming links)
    juncao = (base / "warm" / "toolkits" / "juncao" / "index.html").read_text("utf-8")
    assert "../micro-energy-storage/" in juncao


def test_unreadable_entries_are_misses_and_problems_are_reported_again(tmp_path):
    (tmp_path / "tree").mkdir()
    base = make_site(tmp_path / "tree", real_toolkits=True)
    folder = tmp_path / "kept"
    assert build(base, "one", cache=str(folder))[0].returncode == 0
    assert not (base / ".cache").exists()  # GREENTOOLBOX_CACHE names the folder
    (folder / "validate.pickle").write_bytes(b"not a pickle")
    entry = folder / "lang-es" / "entry.pickle"
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])  # cut off halfway
    # a generated page edited in place: the cache keeps the same file (a hard link)
    with open(base / "docs" / "toolkits" / "juncao" / "index.fr.md", "a", encoding="utf-8") as page:
        page.write("\nedited by hand\n")
    again, figures = build(base, "two", cache=str(folder))
    assert again.returncode == 0, again.stderr
    assert figures["cache"]["validate"] == "miss"
    assert {lang for lang, state in figures["cache"]["languages"].items() if state == "miss"} == {"es", "fr"}
    assert differences(base / "one", base / "two") == []
    assert "edited by hand" not in (base / "docs" / "toolkits" / "juncao" / "index.fr.md").read_text("utf-8")
    # a catalog problem found by a language worker is kept with its output and reported again
    po = base / "locales" / "pt" / "messages.po"
    po.write_text(po.read_text("utf-8") + '\nmsgid "unterminated\n', "utf-8")
    runs = [build(base, "bad", cache=str(folder)) for _ in range(2)]
    assert [r.returncode for r, _ in runs] == [1, 1]
    assert [f["cache"]["languages"]["pt"] for _, f in runs] == ["miss", "hit"]
    reported = [sorted(line for line in r.stderr.splitlines() if " GT4" in line) for r, _ in runs]
    assert reported[0] == reported[1] and any(line.startswith("locales/pt/messages.po:") for line in reported[0])
    assert "Traceback" not in runs[0][0].stderr + runs[1][0].stderr


def test_off_means_no_cache(tmp_path):
    (tmp_path / "tree").mkdir()
    base = make_site(tmp_path / "tree", real_toolkits=True)
    run, figures = build(base, "one", cache="off")
    assert run.returncode == 0, run.stderr
    assert states(figures) == ("off", {"off"})
    assert not (base / ".cache").exists()
    assert BuildCache.for_root(base, enabled=False) is None


def test_tree_key_follows_names_bytes_and_folders(tmp_path):
    base = tmp_path / "t"
    assert tree_key(base) != tree_key(tmp_path)  # missing is not empty
    (base / "a").mkdir(parents=True)
    (base / "a" / "x.po").write_bytes(b"one")
    keys = [tree_key(base)]
    (base / "a" / "x.po").write_bytes(b"two")
    keys.append(tree_key(base))
    (base / "a" / "x.po").rename(base / "a" / "y.po")
    keys.append(tree_key(base))
    (base / "b").mkdir()
    keys.append(tree_key(base))
    (base / "a" / "y.po").rename(base / "b" / "y.po")
    keys.append(tree_key(base))
    assert len(set(keys)) == len(keys)
    assert tree_key(base) == tree_key(base)  # and nothing else: not the files' times
    os.utime(base / "b" / "y.po", (1, 1))
    assert tree_key(base) == keys[-1]


def test_engine_key_follows_every_file_of_the_package(tmp_path):
    """A changed template (not only code) makes every entry a miss."""
    import greentoolbox

    copy = tmp_path / "pkg" / "greentoolbox"
    shutil.copytree(Path(greentoolbox.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))

    def key() -> str:
        env = {**os.environ, "PYTHONPATH": str(copy.parent)}
        return subprocess.run([sys.executable, "-c", "from greentoolbox.cache import engine_key; print(engine_key())"],
                              env=env, capture_output=True, text=True, check=True, cwd=tmp_path).stdout.strip()

    before = key()
    template = next(copy.glob("templates/*.j2"))
    template.write_text(template.read_text("utf-8") + "\n", "utf-8")
    assert key() != before
    template.write_text(template.read_text("utf-8")[:-1], "utf-8")
    assert key() == before

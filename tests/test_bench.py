"""The benchmark at a tiny size (3 toolkits, 2 languages): its JSON line, its synthetic data.

No timing thresholds: the benchmark prints figures; these tests check they are measured and
consistent, and that what it generates is valid input for the real engine and site.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import random
from pathlib import Path

import pytest

from greentoolbox import bench
from greentoolbox.translate import read_catalog
from greentoolbox.validate import validate_tree

pytestmark = [pytest.mark.site, pytest.mark.browser]
KEYS = {"build_s", "floor_s", "ratio", "peak_mb", "page_kb_gz", "stages_s", "search_bytes", "first_result_ms",
        "n_toolkits", "n_languages", "n_pages", "engine_share", "machine"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    # The command line, in its own process: the bench drives Chromium through Playwright's sync
    # API, which allows one instance per thread, and the session's browser tests hold one.
    import subprocess
    import sys

    work = tmp_path_factory.mktemp("bench") / "work"
    result = subprocess.run([sys.executable, "-m", "greentoolbox.cli", "bench", "--toolkits", "3", "--languages", "2",
                             "--json", "--keep", str(work)], capture_output=True, text=True, timeout=900)
    return result.returncode, result.stdout, work


def test_json_line_has_the_figures(run):
    code, out, _ = run
    assert code == 0
    lines = out.strip().splitlines()
    result = json.loads(lines[-1])
    assert KEYS <= result.keys()
    assert (result["n_toolkits"], result["n_languages"], result["languages"]) == (3, 2, ["en", "zh"])
    for key in ("build_s", "floor_s", "ratio", "peak_mb", "page_kb_gz"):
        assert result[key] > 0, key
    assert result["ratio"] == pytest.approx(result["build_s"] / result["floor_s"], rel=0.03)  # both rounded to 0.01 s
    stages = result["stages_s"]
    assert set(stages) == {"load_validate", "translate_render_write", "open_data", "languages", "merge"}
    assert all(v >= 0 for v in stages.values())
    # the phases run one after another (the open data during the languages), inside the build
    serial = stages["load_validate"] + stages["translate_render_write"] + stages["languages"] + stages["merge"]
    assert serial <= result["build_s"] and stages["open_data"] <= stages["languages"]
    assert set(result["per_language_s"]) == {"en", "zh"}
    assert all(v["mkdocs_s"] > 0 and v["search_s"] > 0 for v in result["per_language_s"].values())
    assert result["worker_s"]["mkdocs"] == pytest.approx(sum(v["mkdocs_s"] for v in result["per_language_s"].values()), abs=0.05)
    assert result["builder"].startswith("greentoolbox build --jobs ")
    assert result["peak_mb"] > 20 and result["peak_worker_mb"] > 20  # a Python process with MkDocs loaded is far above this
    assert result["peak_main_mb"] > 20 and result["peak_render_mb"] > 20
    assert result["peak_mb"] >= max(result["peak_main_mb"], result["peak_render_mb"], result["peak_worker_mb"])
    assert "ratio build / floor" in out  # the readable table precedes the JSON line
    # the rebuild from a clean checkout with the first build's cache reuses every step's work
    assert result["rebuild_cache"] == {"validate": "hit", "languages": {"en": "hit", "zh": "hit"}}
    assert result["rebuild_s"] > 0 and 0 <= result["rebuild_engine_s"] <= result["rebuild_s"]
    # both seconds are rounded to 0.01 s, and a rebuild of 3 toolkits takes about 2 s
    assert result["rebuild_engine_share"] == pytest.approx(result["rebuild_engine_s"] / result["rebuild_s"], abs=0.01)
    assert set(result["rebuild_stages_s"]) == set(stages)
    assert "rebuild with the cache" in out


def test_search_measured_in_each_language(run):
    if not os.path.exists(bench.CHROMIUM):
        pytest.skip(f"{bench.CHROMIUM} is missing")
    result = json.loads(run[1].strip().splitlines()[-1])
    for lang in ("en", "zh"):
        assert result["pagefind_before_search"][lang] == 0  # nothing of search before searching
        assert result["search_bytes"][lang] > 0
        assert result["first_result_ms"][lang] is not None and result["first_result_ms"][lang] > 0
        reader = result["reader_queries"][lang]  # a reader's queries from tests/search_queries.yaml
        assert reader["n"] == bench.READER_QUERIES
        if reader["found"]:
            assert 0 < reader["median_kb_gz"] <= reader["max_kb_gz"]


def test_synthetic_toolkits_validate_and_differ(run):
    work = run[2]
    catalog = validate_tree(work)
    # only catalogs of languages the benchmark does not build may be missing (not fatal: GT406)
    assert all(p.code == "GT406" and p.message == "catalog file is missing" and not p.path.startswith(("locales/zh/",))
               for p in catalog.problems), catalog.problems[:3]
    assert len(catalog.toolkits) == 3
    texts = [(work / "toolkits" / t / "toolkit.yaml").read_bytes() for t in sorted(catalog.toolkits)]
    assert len({t[:2000] for t in texts}) == 3
    for text in texts:  # real prose compresses about 3x; a few repeated sentences would be far more
        assert 1.8 < len(text) / len(gzip.compress(text)) < 6
    descriptions = [tk.data["description"] for tk in catalog.toolkits.values()]
    assert len(set(descriptions)) == 3


def test_synthetic_toolkits_keep_their_familys_topic(run):
    # toolkit i copies real toolkit i mod R (R real ones) and is written from that one's text only, so its
    # words are its family's (a catalog where every page used every topic's words would make
    # each topic word as common, and as heavy to search, as "the")
    from greentoolbox.translate import toolkit_entries
    from greentoolbox.validate import schema

    work = run[2]
    real = bench.english_texts(bench.REPO)
    vocab = {family: {w for t in texts for s in bench._sentences(t) for w in s.split()} for family, texts in real.items()}
    ids = sorted((p.name for p in (work / "toolkits").iterdir() if not p.name.startswith("_")), key=lambda t: t[-4:])
    families = sorted(real)
    catalog = validate_tree(work, translations=False)
    for i, tid in enumerate(ids):
        words = {w for e in toolkit_entries(catalog.toolkits[tid].data, schema("toolkit"))
                 for w in e.text.split() if not any(c.isdigit() for c in w)}
        mine, other = vocab[families[i]], vocab[families[(i + 1) % len(families)]]
        assert len(words) > 200
        assert len(words - mine) <= 0.03 * len(words), sorted(words - mine)[:20]  # the cut ends of lines
        assert len(words - other) > 0.2 * len(words)


def test_translations_are_in_the_language_script(run):
    work = run[2]
    for path in sorted((work / "locales" / "zh" / "toolkits").glob("*.po")):
        po, problems = read_catalog(path)
        assert not problems
        strings = [m.string for m in po if m.id]
        assert strings and all(strings)
        han = sum(1 for s in strings for c in s if "\u4e00" <= c <= "\u9fff")
        assert han > 0.5 * sum(len(s) for s in strings)


def test_site_config_keeps_only_the_first_languages():
    text = (bench.REPO / "mkdocs.yml").read_text("utf-8")
    out = bench.site_config(text, ("en", "zh", "fr"))
    assert "locale: en" in out and "locale: fr" in out and "locale: ar" not in out and "locale: vi" not in out
    assert "markdown_extensions:" in out and "!ENV" in out  # the rest is untouched
    assert all(f"locale: {lang}\n" in bench.site_config(text, bench.LANGS) for lang in bench.LANGS)


def test_writer_length_and_variety():
    writer = bench.Writer(bench.english_texts(bench.REPO)["solar-cold-storage"], random.Random(3), pool=500)
    texts = [writer.text(300) for _ in range(50)]
    assert all(150 <= len(t) <= 420 for t in texts)
    assert len(set(texts)) == 50
    assert len(set(" ".join(texts).split())) > 400  # a real vocabulary, not a few words


def test_floor_tree_moves_suffix_pages_into_language_folders(tmp_path):
    docs = tmp_path / "docs"
    for rel in ("index.md", "index.zh.md", "about.md", "about.fr.md", "toolkits/a/index.md", "toolkits/a/index.zh.md", "assets/x.css"):
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(rel, encoding="utf-8")
    count = bench.floor_tree(docs, tmp_path / "out", ("en", "zh"))
    found = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert found == ["about.md", "assets/x.css", "index.md", "toolkits/a/index.md",
                     "zh/about.md", "zh/index.md", "zh/toolkits/a/index.md"]
    assert count == 6
    assert (tmp_path / "out" / "zh" / "about.md").read_text("utf-8") == "about.md"  # English fallback

"""Pagefind's word index cut into smaller chunks (export.split_search_chunks), and joined from
runs over parts of a language's pages (export.merge_search_batches), on real Pagefind indexes of
a small generated site: every word keeps its bytes and is found where Pagefind's lookup looks for
it, common words stand alone and are listed for the search script, and an index joined from
several runs holds what one run over every page holds."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import cbor2
import pytest

from greentoolbox import export

COMMON = ["the", "and", "of"]  # on every page, many times
TOPICS = ["mangrove", "shrimp", "solar", "battery", "compost", "biogas", "juncao", "plastic", "wetland", "seedling"]
VARIANTS = [["résumé", "café"], ["resume", "cafés"], ["résume", "café", "cafe"]]


def _site(root: Path) -> Path:
    """30 English and 30 Swahili pages as the theme lays them out (the article is indexed)."""
    for lang in ("en", "sw"):
        for i in range(30):
            topic, other = TOPICS[i % len(TOPICS)], TOPICS[(i * 3 + 1) % len(TOPICS)]
            words = []
            for j in range(60):
                words += ["the", f"{topic}", "and", "the", f"word{lang}{i}x{j % 7}", "of", other, f"rare{lang}{i}{j}"]
            words += VARIANTS[i % 3]  # Pagefind files marked forms as variants of the unmarked word
            body = " ".join(words)
            folder = root / (f"{lang}/p{i}" if lang != "en" else f"p{i}")
            folder.mkdir(parents=True)
            (folder / "index.html").write_text(
                f'<!doctype html><html lang="{lang}"><head><title>p{i}</title></head><body>'
                f'<article class="md-content__inner"><h1>Page {i} {topic}</h1><p>{body}</p></article></body></html>',
                encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """Pagefind's own output, and the same output after the split."""
    site = _site(tmp_path_factory.mktemp("chunks") / "site")
    export._pagefind(site, ["--output-subdir", "pagefind"], "**/index.html")
    original = site.parent / "original"
    shutil.copytree(site / "pagefind", original)
    common = export.split_search_chunks(site / "pagefind", units=300, common_share=0.5)
    return original, site / "pagefind", common


def _cbor(path: Path):
    return cbor2.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])


def _index(folder: Path, lang: str):
    entry = json.loads((folder / "pagefind-entry.json").read_text("utf-8"))
    meta = _cbor(folder / f"pagefind.{entry['languages'][lang]['hash']}.pf_meta")
    chunks = []
    for low, high, name in meta[2]:
        raw = gzip.decompress((folder / "index" / f"{name}.pf_index").read_bytes())[len(b"pagefind_dcd"):]
        chunks.append((low, high, name, {w: (data, units) for w, data, units, _ in export._words(raw)}))
    return meta, chunks


def _lookup(chunks, word: str):
    """Pagefind 1.6's strict lookup (pagefind_web request_indexes): the first chunk whose bounds
    hold the word."""
    return next((c for c in chunks if c[0] <= word <= c[1]), None)


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_every_word_keeps_its_bytes_and_is_found_where_pagefind_looks(indexes, lang):
    original, split, _ = indexes
    old_meta, old_chunks = _index(original, lang)
    meta, chunks = _index(split, lang)
    before = {w: v for c in old_chunks for w, v in c[3].items()}
    after = {w: v for c in chunks for w, v in c[3].items()}
    assert after == before
    assert len(chunks) > 2 * len(old_chunks)  # Pagefind made few chunks of this small site
    assert meta[1] == old_meta[1] and meta[0] == old_meta[0]  # the pages and version are as Pagefind wrote them
    for word in after:
        found = _lookup(chunks, word)
        assert found is not None and word in found[3], word
    for (low, high, _, words), following in zip(chunks, chunks[1:]):
        assert low <= min(words) and high == max(words) and high < following[0]


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_words_that_fill_a_chunk_stand_alone(indexes, lang):
    _, split, _ = indexes
    _, chunks = _index(split, lang)
    heavy = [(w, len(c[3])) for c in chunks for w, (_, units) in c[3].items() if units >= 300]
    assert {"the", "and", "of"} <= {w for w, _ in heavy}
    assert all(n == 1 for _, n in heavy)
    light = [c for c in chunks if len(c[3]) > 1]
    assert light and all(sum(units for _, units in c[3].values()) < 300 + max(units for _, units in c[3].values())
                         for c in light)


def test_common_words_listed_per_language(indexes):
    _, split, common = indexes
    assert set(common) == {"en", "sw"}
    for lang in ("en", "sw"):
        listed = json.loads((split / f"gt-common.{lang}.json").read_text("utf-8"))
        assert listed == common[lang]
        assert set(COMMON) <= set(listed)
        # a topic word is on a fifth of the pages; a page's own words on one
        assert not [w for w in listed if w in TOPICS or w.startswith(("rare", "word"))]


def test_no_stale_files_and_the_entry_names_the_new_metadata(indexes):
    original, split, _ = indexes
    entry = json.loads((split / "pagefind-entry.json").read_text("utf-8"))
    metas = sorted(p.name for p in split.glob("*.pf_meta"))
    assert metas == sorted(f"pagefind.{v['hash']}.pf_meta" for v in entry["languages"].values())
    named = {name for lang in entry["languages"] for _, _, name, _ in _index(split, lang)[1]}
    assert {p.stem for p in (split / "index").iterdir()} == named
    assert sorted(p.name for p in (split / "fragment").iterdir()) == sorted(p.name for p in (original / "fragment").iterdir())


def test_other_pagefind_versions_are_refused(tmp_path):
    (tmp_path / "pagefind-entry.json").write_text(json.dumps({"version": "1.5.2", "languages": {}}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="Pagefind 1.6"):
        export.split_search_chunks(tmp_path)


# ---------------------------------------------------------------------------------------------
# an index joined from several runs (export.index_search_part with batch_pages)


def _content(folder: Path, lang: str):
    """A language's index with page numbers replaced by URLs: (page URLs and word counts, and
    for every word its pages' positions and its variants' pages' positions)."""
    entry = json.loads((folder / "pagefind-entry.json").read_text("utf-8"))
    meta = _cbor(folder / f"pagefind.{entry['languages'][lang]['hash']}.pf_meta")
    pages = [(json.loads(gzip.decompress((folder / "fragment" / f"{page[0]}.pf_fragment").read_bytes())
                         [len(b"pagefind_dcd"):])["url"], *page[1:]) for page in meta[1]]

    def by_url(group):
        out, number = {}, 0
        for page in group:
            number += page[0]
            out[pages[number][0]] = page[1:]
        return out

    words = {}
    for _, _, name in meta[2]:
        for word in _cbor(folder / "index" / f"{name}.pf_index")[0]:
            words[word[0]] = (by_url(word[1]), {v[0]: by_url(v[1]) for v in word[2]})
    return sorted(pages), words, entry["languages"][lang]["page_count"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each language indexed in one Pagefind run, and in runs of 7 pages joined."""
    base = tmp_path_factory.mktemp("batches")
    site = _site(base / "site")
    out = {}
    for lang in ("en", "sw"):
        whole, _ = export.index_search_part(site, lang, "en", ("en", "sw"), base / f"{lang}-whole")
        joined, _ = export.index_search_part(site, lang, "en", ("en", "sw"), base / f"{lang}-joined", batch_pages=7)
        out[lang] = (base / f"{lang}-whole", base / f"{lang}-joined", whole, joined)
    return base, out


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_an_index_joined_from_runs_holds_what_one_run_holds(runs, lang):
    base, out = runs
    whole, joined, whole_log, joined_log = out[lang]
    assert whole_log.count("Indexed 30 pages") == 1
    assert [line.strip() for line in joined_log.splitlines() if "Indexed" in line and "pages" in line] == \
        ["Indexed 7 pages"] * 4 + ["Indexed 2 pages"]
    one, many = _content(whole, lang), _content(joined, lang)
    assert many[2] == one[2] == 30
    assert many[0] == one[0]  # the same pages, URLs and word counts
    assert set(many[1]) == set(one[1])
    assert many[1] == one[1]  # every word on the same pages at the same positions, variants too
    assert {"résumé", "résume", "café", "cafés"} <= {variant for _, variants in many[1].values() for variant in variants}
    assert not [p for p in base.iterdir() if p.name.startswith("search-")]  # the runs' folders are gone


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_a_joined_index_is_cut_like_one_run(runs, lang):
    _, out = runs
    whole, joined, _, _ = out[lang]
    for folder in (whole, joined):
        meta, chunks = _index(folder, lang)
        words = {w for c in chunks for w in c[3]}
        assert all(word in _lookup(chunks, word)[3] for word in words)
        assert {p.stem for p in (folder / "index").iterdir()} == {c[2] for c in chunks}
        assert len(list((folder / "fragment").iterdir())) == 30
    assert json.loads((joined / f"gt-common.{lang}.json").read_text("utf-8")) == \
        json.loads((whole / f"gt-common.{lang}.json").read_text("utf-8"))
    runtime = sorted(p.name for p in whole.iterdir() if p.suffix in (".js", ".css", ".pagefind"))
    assert runtime and runtime == sorted(p.name for p in joined.iterdir() if p.suffix in (".js", ".css", ".pagefind"))


def test_fragments_of_two_runs_with_the_same_short_name_stay_apart(tmp_path):
    """Pagefind names a fragment by the start of its content's hash; two runs know nothing of each
    other, so two different pages may get one name (here forced by renaming)."""
    site = _site(tmp_path / "site")
    runs = []
    for number, pages in enumerate((range(0, 3), range(3, 6))):
        pile = tmp_path / f"pile{number}"
        for i in pages:
            (pile / f"sw/p{i}").mkdir(parents=True)
            shutil.copy(site / f"sw/p{i}/index.html", pile / f"sw/p{i}/index.html")
        runs.append(tmp_path / f"run{number}")
        export._pagefind(pile, ["--output-path", str(runs[-1])], "**/index.html")
    entries = [json.loads((run / "pagefind-entry.json").read_text("utf-8")) for run in runs]
    metas = [run / f"pagefind.{entry['languages']['sw']['hash']}.pf_meta" for run, entry in zip(runs, entries)]
    first, second = _cbor(metas[0]), _cbor(metas[1])
    clash = first[1][0][0]
    (runs[1] / "fragment" / f"{second[1][0][0]}.pf_fragment").rename(runs[1] / "fragment" / f"{clash}.pf_fragment")
    second[1][0][0] = clash
    metas[1].write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps(second)))
    export.merge_search_batches(runs, tmp_path / "joined")
    pages, words, count = _content(tmp_path / "joined", "sw")
    assert count == 6 and sorted(url for url, *_ in pages) == [f"/sw/p{i}/" for i in range(6)]
    assert words["raresw30"][0].keys() == {"/sw/p3/"}  # the renamed page's own word, on its own page

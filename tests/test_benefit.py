"""The benefit profile: computed from tagged per-site indicators, never from missing inputs."""

from __future__ import annotations

import markdown

from greentoolbox.benefit import input_value, profile
from greentoolbox.render import Context, render_toolkit
from greentoolbox.validate import validate_tree

from conftest import GOOD, REPO, PageParser, make_tree

DIMS = [
    {"key": "people", "label": "People", "unit": "people", "reference": 500, "weight": 2, "rationale": "r"},
    {"key": "land", "label": "Land", "unit": "ha", "reference": 50, "weight": 1, "rationale": "r"},
    {"key": "water", "label": "Water", "unit": "m3-per-year", "reference": 10000, "weight": 1, "rationale": "r"},
]


def test_inputs_scores_index_and_coverage():
    data = {"indicators": [
        {"name": "a", "unit": "people", "value": 250, "benefit": "people"},
        {"name": "b", "unit": "ha", "min": 40, "max": 80, "benefit": "land"},
        {"name": "c", "unit": "ha", "value": 999},  # not tagged: not an input
    ]}
    p = profile(data, DIMS)
    scores = {d.key: d.score for d in p.dimensions}
    assert scores == {"people": 0.5, "land": 1.0, "water": None}  # 60 ha midpoint, capped at 1
    assert p.index == (0.5 * 2 + 1.0 * 1) / 3
    assert p.coverage == 3 / 4
    assert [d.key for d in p.missing] == ["water"]


def test_no_number_without_inputs():
    p = profile({"indicators": [{"name": "x", "unit": "ha", "max": 5, "benefit": "land"}]}, DIMS)
    assert p.index is None and p.coverage == 0 and len(p.missing) == 3  # an upper bound alone is no input
    assert input_value({"min": 3}) == (3.0, "lower bound")


def test_page_shows_inputs_next_to_scores_and_names_what_is_missing(tmp_path):
    text = GOOD.read_text("utf-8")
    text = text.replace("indicators:\n", "indicators:\n  - name: People served per system\n    benefit: people\n    unit: people\n    method: Count.\n    value: 150\n    basis: typical-design-value\n", 1)
    tree = make_tree(tmp_path, {"demo-solar": text})
    catalog = validate_tree(tree)
    assert catalog.ok, catalog.problems
    html = markdown.markdown(render_toolkit(catalog.toolkits["demo-solar"].data, Context(registry=catalog.registry)), extensions=["toc", "attr_list", "admonition", "tables"])
    page = PageParser()
    page.feed(html)
    assert "People served per system: 150 people" in page.text
    assert "0.30" in page.text  # 150 / 500
    assert "Missing: no per-site indicator in this toolkit" in page.text
    assert "Benefit index: 0.30" in page.text and "covering 25% of the total weight" in page.text


def test_shipped_toolkits_only_count_per_site_figures():
    catalog = validate_tree(REPO, translations=False)
    for tk in catalog.toolkits.values():
        for indicator in tk.data["indicators"]:
            if "benefit" in indicator:
                assert "network" not in indicator["name"].lower() or "average" in indicator["name"].lower()

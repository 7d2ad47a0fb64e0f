"""Bad input never crashes, never leaks: the validator and translations under hostile input."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap

import yaml
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings, strategies as st

from greentoolbox import translate
from greentoolbox.render import Context, render_toolkit
from greentoolbox.translate import translate_toolkit
from greentoolbox.validate import schema
from greentoolbox.problems import CODES
from greentoolbox.validate import validate_tree

from conftest import GOOD, make_tree
from test_render_safety import EXTENSIONS, corpus, shape, unsafe

import markdown

# YAML-ish values: scalars of every kind, nested lists and mappings
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=25)
KEYS = ["id", "title", "summary", "description", "challenges", "specifications", "standards", "lifecycle",
        "costs", "related", "countries", "maturity", "references", "case_studies", "last_reviewed", "training"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=10))
def test_validator_never_raises_on_arbitrary_structures(tmp_path_factory, data):
    tree = make_tree(tmp_path_factory.mktemp("t"), {"demo-solar": yaml.safe_dump(data, allow_unicode=True)})
    catalog = validate_tree(tree)
    for problem in catalog.problems:
        assert problem.code in CODES and problem.line >= 1 and problem.col >= 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(["title", "summary", "countries", "specifications", "lifecycle", "costs"]), values)
def test_validator_never_raises_when_one_field_of_a_good_toolkit_is_replaced(tmp_path_factory, key, value):
    data = yaml.safe_load(GOOD.read_text("utf-8"))
    data[key] = value
    tree = make_tree(tmp_path_factory.mktemp("t"), {"demo-solar": yaml.safe_dump(data, allow_unicode=True)})
    validate_tree(tree)


def test_path_traversal_in_ids_is_refused_and_writes_nothing_outside(tmp_path):
    for evil in ("../../../etc/x", "../x", "/abs", "x\\..\\..\\y", "CON", "a/b"):
        base = tmp_path / evil.replace("/", "_").replace("\\", "_").replace(".", "d")
        text = GOOD.read_text("utf-8").replace("id: demo-solar", f"id: {json.dumps(evil)}")
        tree = make_tree(base, {"demo-solar": text})
        codes = {p.code for p in validate_tree(tree).problems}
        assert "GT104" in codes and "GT201" in codes, (evil, codes)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        e.replace("/", "_").replace("\\", "_").replace(".", "d") for e in ("../../../etc/x", "../x", "/abs", "x\\..\\..\\y", "CON", "a/b"))


def test_alias_bomb_stays_within_memory_and_time(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{'abcdefghi'[i]}"] * 9) + "]")
    bomb.write_text("\n".join(lines) + "\n", "utf-8")
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (768 * 1024 * 1024, 768 * 1024 * 1024))
        from pathlib import Path
        from greentoolbox.load import load_file
        doc, problems = load_file(Path({str(bomb)!r}))
        print(problems[0].code)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "GT005"


def test_hostile_translations_render_inert(tmp_path):
    """Every corpus string as the translation of a heading, a plain and a long-text field."""
    tree = make_tree(tmp_path)
    catalog = validate_tree(tree, translations=False)
    translate.update_all(tree, catalog)
    po = read_po(translate.catalog_path(tree, "fr", "toolkits/demo-solar").open("rb"))
    data = catalog.toolkits["demo-solar"].data
    ctx = Context(lang="fr", registry=catalog.registry)
    messages = {m.context: m for m in po if m.id}
    baseline = None
    tried = flagged = 0
    for payload in corpus():
        for context in ("title", "summary", "lifecycle.design[0].item", "description"):
            messages[context].string = payload
        translated, _ = translate_toolkit(data, schema("toolkit"), po)
        elements, parser = shape(markdown.markdown(render_toolkit(translated, ctx), extensions=EXTENSIONS))
        assert not unsafe(parser), payload
        if translate.check_message(messages["title"], "fr.po", "fr"):
            flagged += 1  # i18n check reports it (GT003/GT404/GT405); the page stays inert anyway
        tried += 1
    print(f"{tried} hostile translations rendered inert; {flagged} also reported by i18n check")
    assert tried > 800

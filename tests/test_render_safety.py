"""No contributed string becomes markup: hostile corpora through every kind of text field.

Each string of ../shared/corpora (Big List of Naughty Strings and four XSS lists) is put into
every field kind of a valid toolkit; the page is rendered by the engine (the MkDocs hook hands
that HTML to the site as it is: no Markdown pass); an HTML parser then checks it. The structure
injection payloads are also checked after Python-Markdown with the site's extensions, as plain
MkDocs without the hook (the benchmark's floor) would convert the generated docs/. The check is
structural: the page must have exactly the elements and attributes it has with a harmless
string, and the payload's text must be visible.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import markdown
import pytest
import yaml

from greentoolbox.load import forbidden_characters, load_bytes
from greentoolbox.render import Context, render_toolkit
from greentoolbox.validate import validate_tree

from conftest import GOOD, REPO, PageParser, corpus, make_tree

EXTENSIONS = ["toc", "attr_list", "admonition", "tables"]
# (path into the toolkit, kind): plain text, a heading, or long text (Markdown subset)
FIELDS = [
    (("title",), "heading"),
    (("summary",), "plain"),
    (("components", 0, "name"), "plain"),
    (("specifications", 0, "parameter"), "plain"),
    (("specifications", 2, "value"), "plain"),
    (("standards", 0, "applies_to"), "plain"),
    (("lifecycle", "design", 0, "item"), "plain"),
    (("training", 0, "skills", 0), "plain"),
    (("risks", 0, "risk"), "plain"),
    (("case_studies", 0, "title"), "heading"),
    (("references", 0, "title"), "plain"),
    (("description",), "prose"),
]
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "form", "img", "link",
                  "meta", "base", "frame", "frameset", "video", "audio", "source", "textarea", "button",
                  "select", "template", "details", "marquee", "isindex", "xss", "body", "html", "image"}


@pytest.fixture(scope="module")
def base():
    tree_doc, problems = load_bytes(GOOD.read_bytes(), "good.yaml")
    assert not problems
    return tree_doc.data


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    catalog = validate_tree(make_tree(tmp_path_factory.mktemp("tree")))
    assert catalog.ok, catalog.problems
    return Context(registry=catalog.registry)


def put(data: dict, path: tuple, value: str) -> dict:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def html_of(data: dict, ctx: Context, through_markdown: bool = False) -> str:
    page = render_toolkit(data, ctx)
    return markdown.markdown(page, extensions=EXTENSIONS) if through_markdown else page


def shape(html: str) -> tuple[list, PageParser]:
    parser = PageParser()
    parser.feed(html)
    # element names and attribute names (not values: ids derived from headings may differ)
    return [(tag, sorted(name for name, _ in attrs)) for tag, attrs in parser.elements], parser


def unsafe(parser: PageParser) -> list[str]:
    found = []
    for (tag, attrs), in_map in zip(parser.elements, parser.in_map):
        if in_map:
            continue  # the engine's own map (see PageParser.in_map); structure is still compared
        if tag in DANGEROUS_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and value:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    found.append(f"{tag}[{name}={value[:30]}]")
    return found


def test_corpus_is_large():
    assert len(corpus()) > 800


def put_all(data: dict, paths: list[tuple], value: str) -> dict:
    for path in paths:
        data = put(data, path, value)
    return data


def test_every_corpus_string_in_every_field_is_inert(base, ctx):
    """Each string goes into all plain-text and heading fields at once, then into long text."""
    strings = corpus()
    plain = [path for path, kind in FIELDS if kind != "prose"]
    prose_paths = [path for path, kind in FIELDS if kind == "prose"]
    baseline = shape(html_of(put_all(base, plain, "harmless text"), ctx))[0]
    tried = rejected = 0
    failures = []
    for payload in strings:
        if forbidden_characters(payload):
            rejected += 1  # the loader refuses these with GT003; checked in the next test
            continue
        tried += 1
        elements, parser = shape(html_of(put_all(base, plain, payload), ctx))
        flat = " ".join(payload.split())
        if unsafe(parser):
            failures.append((payload, unsafe(parser)))
        elif elements != baseline:
            failures.append((payload, "page structure changed"))
        elif parser.text.count(flat) < len(plain):
            failures.append((payload, "payload text not visible in every field"))
        _, parser = shape(html_of(put_all(base, prose_paths, payload), ctx))
        if unsafe(parser):
            failures.append((payload, "long text", unsafe(parser)))
    print(f"corpus: {len(strings)} strings x {len(FIELDS)} fields; {tried} rendered, {rejected} refused by the loader")
    assert not failures, failures[:10]


def test_strings_with_forbidden_characters_are_refused_by_the_loader(base):
    refused = [s for s in corpus() if forbidden_characters(s)]
    assert refused
    for payload in refused:
        text = yaml.safe_dump(put(base, ("title",), payload), allow_unicode=True)
        doc, problems = load_bytes(text.encode("utf-8", "surrogatepass"), "t.yaml")
        assert doc is None and {p.code for p in problems} <= {"GT002", "GT003", "GT004"}, payload


@pytest.mark.parametrize("payload", [
    "[x](javascript:alert(1))", "[ok](https://e.x){ onclick=\"alert(1)\" }", "Text\n{: onmouseover=alert(1) }",
    "## T {#evil}", "line\n\n# Injected", "a | b", "<!--", "{{ config }}", "{% include 'x' %}",
    "{{ ''.__class__ }}", "<div markdown=1 onmouseover=alert(1)>x</div>",
])
@pytest.mark.parametrize("through_markdown", [False, True], ids=["site", "markdown"])
def test_markdown_and_template_structure_injection_is_literal(base, ctx, payload, through_markdown):
    for path in (("title",), ("summary",), ("case_studies", 0, "title")):
        html = html_of(put(base, path, payload), ctx, through_markdown)
        elements, parser = shape(html)
        assert not unsafe(parser)
        assert elements == shape(html_of(put(base, path, "plain"), ctx, through_markdown))[0]
        assert " ".join(payload.split()) in parser.text
        assert "evil" not in parser.ids


def test_prose_keeps_safe_markdown_and_drops_the_rest(base, ctx):
    text = "**bold** [ok](https://example.org) [bad](javascript:alert(1)) <script>alert(1)</script> <b onclick=x>b</b>"
    html = html_of(put(base, ("description",), text), ctx)
    _, parser = shape(html)
    assert not unsafe(parser)
    assert "https://example.org" in parser.hrefs
    assert not any(h.startswith("javascript") for h in parser.hrefs)
    assert "bold" in parser.text

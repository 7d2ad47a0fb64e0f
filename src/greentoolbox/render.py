"""Render toolkits and index pages, safely, as HTML in the Markdown files MkDocs reads.

Contributed text never becomes Markdown or HTML structure:

* Pages are HTML made by Jinja2 with autoescape. Should plain MkDocs convert them (the
  benchmark's floor does), Python-Markdown passes raw HTML blocks through untouched, so nothing
  inside is parsed as Markdown either (no links, no attr_list).
* Headings too are HTML (:func:`heading`), written as MkDocs' toc extension writes them (an id
  and a permalink), so a generated page needs no Markdown pass at all: the MkDocs hook hands the
  HTML over as the page's content and reads its outline back with :func:`page_outline`.
* Long-text fields allow a small Markdown subset: rendered here, then cleaned by nh3 with an
  allowlist of tags and of URL schemes (http, https, mailto).

Numbers, dates and country names come from CLDR through Babel, in the page's language.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from gettext import NullTranslations
from typing import Any, Callable

import jinja2
import markdown
import nh3
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape

STAGES = ("design", "production", "installation", "operation", "end_of_life")
PROSE_TAGS = {"p", "ul", "ol", "li", "strong", "em", "code", "a", "br", "blockquote"}


def heading(level: int, text: Any, anchor: str, link_title: str = "Permanent link") -> Markup:
    """``<h2 id="anchor">text<a class="headerlink" …>¶</a></h2>``, the text escaped and its
    whitespace collapsed: what Python-Markdown's toc extension (``permalink: true``) writes.
    ``link_title`` is the ¶ link's title, its name for a screen reader (:func:`permalink_title`)."""
    flat = Markup(" ".join(escape(text).split()))
    ref = escape(anchor)
    return Markup(f'<h{level:d} id="{ref}">{flat}<a class="headerlink" href="#{ref}" '
                  f'title="{escape(link_title)}">&para;</a></h{level:d}>')


def permalink_title(gettext: Callable[[str], str]) -> str:
    """The title of a heading's ¶ link in the page's language: generated headings use it, and the
    hook gives it to the toc extension for hand-written pages."""
    _ = gettext
    return _("Permanent link")


@dataclass
class Outline:
    """What MkDocs would have read from a page while converting it: the title (the first
    heading's text, if it is an h1), the table of contents and every anchor."""

    title: str | None
    toc: list[dict]  # [{"level", "id", "name", "children"}], the toc extension's tokens
    anchors: set[str]


_HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)<a class="headerlink"', re.S)
_ID = re.compile(r'id="([^"]*)"')  # a literal start: the regex engine jumps from one to the next
_NAME = re.compile(r'<a\s[^>]*?\bname="([^"]*)"')


def page_outline(page_html: str) -> Outline:
    """The outline of a page made of :func:`heading` headings and HTML."""
    tokens: list[dict] = []
    open_: list[dict] = []
    title = None
    for number, match in enumerate(_HEADING.finditer(page_html)):
        level, name = int(match[1]), match[3]
        if number == 0 and level == 1:
            title = name
        token = {"level": level, "id": html.unescape(match[2]), "name": name, "children": []}
        while open_ and open_[-1]["level"] >= level:
            open_.pop()
        (open_[-1]["children"] if open_ else tokens).append(token)
        open_.append(token)
    # every id="..." attribute (after a space, inside a tag) and <a name="...">; a scan for a
    # tag that has an id was three times slower on toolkit pages (a long map path in each)
    anchors = {html.unescape(m[1]) for m in _ID.finditer(page_html)
               if m.start() and page_html[m.start() - 1].isspace()
               and page_html.rfind("<", 0, m.start()) > page_html.rfind(">", 0, m.start())}
    if 'name="' in page_html:
        anchors.update(html.unescape(m[1]) for m in _NAME.finditer(page_html))
    anchors.discard("")
    return Outline(title, tokens, anchors)


def prose(text: str) -> Markup:
    """The Markdown subset of long-text fields, as sanitised HTML."""
    raw = markdown.markdown(text, output_format="html")
    clean = nh3.clean(
        raw,
        tags=PROSE_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)


@dataclass
class Context:
    """What a page in one language needs besides the toolkit: labels, registries, locale."""

    lang: str = "en"
    translations: Any = field(default_factory=NullTranslations)
    registry: Any = None
    toolkits: dict = field(default_factory=dict)  # id -> data, for related-toolkit titles
    locale: Locale = None
    _incoming: dict | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.locale is None:
            self.locale = Locale.parse(self.lang)

    def incoming(self) -> dict[str, list[tuple[str, str]]]:
        """incoming_links of ``toolkits``, made on first use."""
        if self._incoming is None:
            self._incoming = incoming_links(self.toolkits)
        return self._incoming

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("greentoolbox", "templates"),
        autoescape=True,
        undefined=jinja2.Undefined,  # optional fields may be absent; the inventory test checks nothing is lost
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["prose"] = prose
    return env


_ENV = _env()


def _helpers(ctx: Context) -> dict[str, Callable]:
    reg = ctx.registry

    formatted: dict[tuple[type, Any], str] = {}  # the same numbers recur (the status page: 9,000 rows)

    def num(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        key = (type(value), value)
        if key not in formatted:
            formatted[key] = format_decimal(value, locale=ctx.locale, decimal_quantization=False)
        return formatted[key]

    def unit(key: str | None) -> str:
        if not key:
            return ""
        entry = reg.units.get(key, {}) if reg else {}
        return entry.get("symbol", key)

    def score(value: float) -> str:
        return format_decimal(round(value, 2), format="0.00", locale=ctx.locale)

    def percent(value: float) -> str:
        from babel.numbers import format_percent

        return format_percent(value, locale=ctx.locale)

    def figure(item: dict, currency: str | None = None) -> str:
        """'25', '2–8 °C', '≥ 50 %', a text value, with the unit symbol."""
        value, low, high = item.get("value"), item.get("min"), item.get("max")
        if value is not None:
            shown = num(value)
        elif low is not None and high is not None:
            shown = f"{num(low)}–{num(high)}"
        elif low is not None:
            shown = f"≥ {num(low)}"
        else:
            shown = f"≤ {num(high)}"
        symbol = unit(item.get("unit"))
        if currency and item.get("unit", "").startswith("currency"):
            symbol = f"{currency} {symbol}".strip()
        return f"{shown} {symbol}".strip() if symbol else shown

    def term(vocab: str, key: str) -> str:
        entry = reg.terms.get(vocab, {}).get(key, {}) if reg else {}
        return ctx.gettext(entry["label"]) if entry.get("label") else key

    def country(code: str) -> str:
        return ctx.locale.territories.get(code, code)

    def day(text: str) -> str:
        try:
            return format_date(date.fromisoformat(text), format="long", locale=ctx.locale)
        except (TypeError, ValueError):
            return str(text)

    def standard(key: str) -> dict:
        return (reg.standards.get(key) if reg else None) or {"id": key, "title": key}

    def toolkit_title(tid: str) -> str:
        return ctx.toolkits.get(tid, {}).get("title", tid)

    return {
        "_": ctx.gettext, "num": num, "unit": unit, "figure": figure,
        "term": term, "country": country, "day": day, "standard": standard, "score": score, "percent": percent,
        "toolkit_title": toolkit_title, "lang": ctx.lang,
        # from a toolkit page (toolkits/<id>/) to the site root, which holds api/ and schema/
        "site_root": "../../" if ctx.lang == "en" else "../../../",
        "dir": "rtl" if ctx.locale.character_order == "right-to-left" else "ltr",
        "STAGES": STAGES,
    }


# Labels used by the templates, listed once so extraction and tests see them all.
def stage_label(stage: str, _: Callable[[str], str]) -> str:
    return {
        "design": _("Design and planning"),
        "production": _("Equipment production and procurement"),
        "installation": _("Installation and commissioning"),
        "operation": _("Operation and maintenance"),
        "end_of_life": _("End of life"),
    }[stage]


# value -> its label; a function each, so rendering a label translates only that one
_ENUM_LABELS: dict[str, Callable[[Callable[[str], str]], str]] = {
    "measured": lambda _: _("measured"),
    "reported": lambda _: _("reported"),
    "standard": lambda _: _("required by a standard"),
    "typical-design-value": lambda _: _("typical design value"),
    "estimate": lambda _: _("estimate"),
    "capex": lambda _: _("investment"),
    "opex": lambda _: _("running cost"),
    "risk": lambda _: _("Risk"),
    "contrary-evidence": lambda _: _("Contrary evidence"),
    "requires": lambda _: _("requires"),
    "pairs_with": lambda _: _("pairs with"),
    "part_of": lambda _: _("part of"),
    "incoming-part_of": lambda _: _("includes"),
    "incoming-requires": lambda _: _("required by"),
    "incoming-pairs_with": lambda _: _("pairs with"),
    "enterprise": lambda _: _("Enterprise"),
    "international-organisation": lambda _: _("International organisation"),
    "local-ngo": lambda _: _("Local NGO"),
    "community": lambda _: _("Community"),
    "government": lambda _: _("Government"),
    "research": lambda _: _("Research"),
    "finance": lambda _: _("Finance"),
    "current": lambda _: _("current"),
    "superseded": lambda _: _("superseded"),
    "withdrawn": lambda _: _("withdrawn"),
    "unknown": lambda _: _("status not checked"),
    "standard-kind": lambda _: _("standard"),
    "technical-specification": lambda _: _("technical specification"),
    "guideline": lambda _: _("guideline"),
    "certification-scheme": lambda _: _("certification scheme"),
    "convention": lambda _: _("convention"),
    "regulation": lambda _: _("regulation"),
    "test-method": lambda _: _("test method"),
}


def enum_label(value: str, _: Callable[[str], str]) -> str:
    label = _ENUM_LABELS.get(value)
    return label(_) if label is not None else value


def status_label(status: str, _: Callable[[str], str]) -> str:
    return {
        "source": _("English source"),
        "reviewed": _("reviewed translation"),
        "machine": _("machine translation"),
        "outdated": _("outdated translation"),
        "missing": _("not translated"),
    }[status]


def banner(status: str, ctx: Context, english_url: str, shown_in_english: int = 0, total: int = 0) -> Markup:
    """The provenance note at the top of every page: where its text comes from."""
    _ = ctx.gettext
    language = ctx.locale.get_display_name(ctx.lang)
    texts = {
        "source": _("This page is the English source text."),
        "reviewed": _("Translated from English and reviewed by a person."),
        "machine": _("Machine translation from English, not yet reviewed by a person. Check figures, units and safety instructions against the English page."),
        "outdated": _("Part of this translation is outdated or missing: %(count)s of %(total)s texts are shown in English until a translator updates them.")
        % {"count": format_decimal(shown_in_english, locale=ctx.locale), "total": format_decimal(total, locale=ctx.locale)},
        "missing": _("This page has not been translated into %(language)s yet and is shown in English.") % {"language": language},
    }
    if status == "source":
        return Markup(f'<p class="gt-provenance gt-muted" data-status="source">{html.escape(texts[status])}</p>')
    kind = {"reviewed": "success", "machine": "info", "outdated": "warning", "missing": "warning"}[status]
    read_original = _("Read the English original")
    link = "" if status == "source" else f' <a href="{html.escape(english_url)}" hreflang="en">{html.escape(read_original)}</a>'
    return Markup(
        f'<div class="admonition {kind} gt-provenance" data-status="{status}">'
        f'<p class="admonition-title">{html.escape(status_label(status, _))}</p>'
        f"<p>{html.escape(texts[status])}{link}</p></div>"
    )


def nav_titles(_: Callable[[str], str]) -> dict[str, str]:
    """English navigation title -> title in a language (mkdocs.yml lists the English ones)."""
    titles = [_("Home"), _("Toolkits"), _("Map"), _("Standards"), _("Challenges"), _("Sectors"),
              _("Benefit index"), _("Contribute"), _("About"), _("Translation status"), _("Performance")]
    english = ["Home", "Toolkits", "Map", "Standards", "Challenges", "Sectors", "Benefit index",
               "Contribute", "About", "Translation status", "Performance"]
    return dict(zip(english, titles))


def language_name(code: str) -> str:
    """The language's own name for itself, from CLDR, capitalised as a menu item."""
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


def docs_banner(lang: str, declared: str | None, is_fallback: bool, english_url: str, root) -> str:
    """Banner for a hand-written page: source, its declared translation status, or missing."""
    from .translate import Lookup, load_po  # imported here: the translate step imports render

    if lang == "en":
        status = "source"
    elif is_fallback:
        status = "missing"
    else:
        status = declared if declared in ("machine", "reviewed") else "machine"
    return str(banner(status, Context(lang=lang, translations=Lookup(load_po(root, lang, "messages"))), english_url))


def _render(template: str, ctx: Context, **data: Any) -> str:
    helpers = _helpers(ctx)
    helpers["stage_label"] = lambda s: stage_label(s, ctx.gettext)
    helpers["label"] = lambda v: enum_label(v, ctx.gettext)
    helpers["status_label"] = lambda v: status_label(v, ctx.gettext)
    link_title = permalink_title(ctx.gettext)
    helpers["heading"] = lambda level, text, anchor: heading(level, text, anchor, link_title)
    return _CELL_JOINT.sub(r"\1 \2", _ENV.get_template(template).render(**helpers, **data))


# Adjacent cells, list items and term/description pairs get a space between them. Browsers lay
# them out the same either way, but text extractors (Pagefind, screen-reader virtual buffers,
# copy and paste) read "</td><td>" as no break at all: "Where</dt><dd>Kisumu" was indexed as the
# one word "wherekisumu", so the place could not be found.
_CELL_JOINT = re.compile(r"(</(?:td|th|dt|dd|li)>)(<(?:td|th|dt|dd|li)\b)")


def render_toolkit(data: dict, ctx: Context, note: str = "") -> str:
    """The Markdown page of one toolkit; ``note`` is the provenance banner."""
    from .benefit import profile

    refs = {r["id"]: i + 1 for i, r in enumerate(data.get("references", []))}
    benefits = profile(data, ctx.registry.benefit) if ctx.registry is not None else None
    thumb = map_thumbnail(data, ctx) if ctx.registry is not None else ""
    return _render("toolkit.md.j2", ctx, tk=data, refs=refs, note=Markup(note), benefits=benefits, thumb=thumb,
                   incoming=ctx.incoming().get(data.get("id"), []))


def incoming_links(toolkits: dict) -> dict[str, list[tuple[str, str]]]:
    """toolkit id -> [(relation, other toolkit id)] for the links other toolkits make to it, so a
    composite toolkit lists its parts and a component what needs it. A pair the target already
    links itself is left out. Built once per language, not per page."""
    found: dict[str, list[tuple[str, str]]] = {}
    for tid, other in sorted(toolkits.items()):
        for link in other.get("related", []):
            target = toolkits.get(link["toolkit"], {})
            if tid not in {r["toolkit"] for r in target.get("related", [])}:
                found.setdefault(link["toolkit"], []).append((link["relation"], tid))
    order = {"part_of": 0, "requires": 1, "pairs_with": 2}
    return {tid: sorted(links, key=lambda f: (order[f[0]], f[1])) for tid, links in found.items()}


def render_benefit_method(toolkits: list[dict], ctx: Context) -> str:
    """The benefit index method page, with every toolkit's result."""
    from .benefit import profile

    results = [(tk, profile(tk, ctx.registry.benefit)) for tk in toolkits]
    return _render("benefit.md.j2", ctx, dimensions=ctx.registry.benefit, results=results,
                   total_weight=sum(d["weight"] for d in ctx.registry.benefit))


def _countries_of(tk: dict) -> set[str]:
    """Where a toolkit is used: its countries and the countries of its case studies."""
    return set(tk.get("countries", [])) | {cs["country"] for cs in tk.get("case_studies", []) if cs.get("country")}


def _map_counts(toolkits: list[dict]) -> dict[str, int]:
    """Number of toolkits used in each country."""
    from collections import Counter

    return dict(Counter(c for tk in toolkits for c in _countries_of(tk)))


def render_map(toolkits: list[dict], ctx: Context) -> str:
    """The map page: a choropleth of where toolkits are used, and the same data as a table."""
    from . import worldmap

    _ = ctx.gettext
    counts = _map_counts(toolkits)
    num = lambda n: format_decimal(n, locale=ctx.locale)  # noqa: E731
    ranges = worldmap.class_ranges(counts.values())
    svg = worldmap.world_svg(
        counts, names=ctx.locale.territories, href=lambda code: f"#country-{code.lower()}",
        title=_("Where the toolkits are used"),
        description=_("World map of the countries where toolkits are used, coloured by the number of toolkits. The table below gives the same data."),
        legend_title=_("Toolkits"),
        legend_labels=(num(0),) + tuple(num(a) if a == b else f"{num(a)}–{num(b)}" for a, b in ranges),
        label=lambda name, n: _("%(country)s: %(count)s") % {"country": name, "count": num(n)},
        rtl=ctx.locale.character_order == "right-to-left", dom_id="gt-map")
    by_country: dict[str, list[dict]] = {code: [] for code in counts}
    for tk in toolkits:  # in the toolkits' order, as before
        for code in _countries_of(tk):
            by_country[code].append(tk)
    rows = sorted(counts, key=lambda code: ctx.locale.territories.get(code, code).casefold())
    return _render("map.md.j2", ctx, svg=Markup(svg), rows=rows, counts=counts, by_country=by_country,
                   not_drawn=sorted(worldmap.missing(counts)))


def map_thumbnail(data: dict, ctx: Context) -> Markup:
    """A small map of one toolkit's countries, for its page."""
    from . import worldmap

    _ = ctx.gettext
    codes = sorted(_map_counts([data]))
    names = ", ".join(ctx.locale.territories.get(c, c) for c in codes)
    return Markup(worldmap.world_svg({c: 1 for c in codes}, names=ctx.locale.territories, href=None,
                                     title=_("Where this toolkit is used"), description=names,
                                     small=True, dom_id="gt-thumb"))


def render_vocabulary(vocab: str, toolkits: list[dict], ctx: Context) -> str:
    """A page per vocabulary (challenges, sectors): each term, what it covers, its toolkits."""
    _ = ctx.gettext
    titles = {
        "challenges": (_("Challenges"), _("The problems the toolkits address, and the toolkits for each."), "challenge"),
        "sectors": (_("Sectors"), _("The sectors the toolkits belong to, and the toolkits in each."), "sector"),
    }
    title, intro, facet = titles[vocab]
    terms = sorted(ctx.registry.terms[vocab].items(), key=lambda kv: kv[1]["label"].casefold())
    by_term = {key: [tk for tk in toolkits if key in tk[vocab]] for key, _entry in terms}
    return _render("vocab.md.j2", ctx, vocab=vocab, title=title, intro=intro, terms=terms, by_term=by_term, facet=facet)


def render_status(rows: list[dict], ctx: Context) -> str:
    """The translation status page: language x catalog."""
    names = {code: Locale.parse(code).get_display_name(ctx.locale) for code in {row["lang"] for row in rows}}
    return _render("status.md.j2", ctx, rows=rows, language_name=names.__getitem__)


def trl_band(level: int) -> str:
    return "trl-1-4" if level <= 4 else "trl-5-7" if level <= 7 else "trl-8-9"


def render_catalog(toolkits: list[dict], ctx: Context) -> str:
    """The catalog of all toolkits, with filters (shown when JavaScript runs)."""
    _ = ctx.gettext
    reg = ctx.registry

    def options(values, label) -> list[tuple[str, str]]:
        return sorted({(v, label(v)) for v in values}, key=lambda pair: pair[1].casefold())

    helpers = _helpers(ctx)
    facets = [
        ("challenge", _("Challenge"), options([t for tk in toolkits for t in tk["challenges"]], lambda k: helpers["term"]("challenges", k))),
        ("sector", _("Sector"), options([t for tk in toolkits for t in tk["sectors"]], lambda k: helpers["term"]("sectors", k))),
        ("climate", _("Climate zone"), options([t for tk in toolkits for t in tk["climate_zones"]], lambda k: helpers["term"]("climate_zones", k))),
        ("country", _("Country"), options([c for tk in toolkits for c in tk["countries"]], helpers["country"])),
        ("maturity", _("Maturity"), [(b, label) for b, label in (("trl-1-4", _("Research and pilots (TRL 1–4)")), ("trl-5-7", _("Demonstrated (TRL 5–7)")), ("trl-8-9", _("Proven in use (TRL 8–9)"))) if any(trl_band(tk["maturity"]["trl"]) == b for tk in toolkits)]),
        ("cost", _("Cost tier"), [(t, label) for t, label in (("low", _("Low: under USD 10,000 per site")), ("medium", _("Medium: USD 10,000–100,000 per site")), ("high", _("High: over USD 100,000 per site"))) if any(tk["costs"].get("tier") == t for tk in toolkits)]),
    ]
    values_of = {
        "challenge": lambda tk: tk["challenges"], "sector": lambda tk: tk["sectors"],
        "climate": lambda tk: tk["climate_zones"], "country": lambda tk: tk["countries"],
        "maturity": lambda tk: [trl_band(tk["maturity"]["trl"])], "cost": lambda tk: [tk["costs"].get("tier")],
    }
    # counts with no filter set, written into the page so the script changes nothing on load
    counts = {key: {value: sum(value in values_of[key](tk) for tk in toolkits) for value, _text in values}
              for key, _title, values in facets}
    return _render("catalog.md.j2", ctx, toolkits=toolkits, facets=facets, trl_band=trl_band, counts=counts)


def render_standards(citations: dict[str, list[tuple[dict, list[str]]]], ctx: Context) -> str:
    """The standards index: each registry entry and the toolkits and stages citing it."""
    entries = sorted(ctx.registry.standards.values(), key=lambda e: e["id"].casefold())
    return _render("standards.md.j2", ctx, entries=entries, citations=citations)

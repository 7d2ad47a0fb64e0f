"""MkDocs adapter for the Green Toolbox engine (src/greentoolbox). No logic lives here.

on_config: language names for the switcher from CLDR (Babel), in each language itself, and the
    navigation titles of each language from its UI catalog.
on_pre_build: load and validate toolkits/ and locales/ (once per process), report every problem
    through a logger under ``mkdocs.`` (so ``--strict`` counts them) and stop the build with a
    PluginError; otherwise write the generated pages of every language into docs/ (only those
    whose text changed).
on_page_markdown / on_page_content: a generated page is HTML already (headings included, as the
    toc extension would write them), so it skips the Markdown pass, which on these pages only
    parsed raw HTML, twice, for most of MkDocs' time: the HTML goes straight in as the page's
    content, with the title, table of contents and anchors MkDocs would have read from it
    (render.page_outline). Hand-written pages get the provenance banner and go through Markdown,
    their ¶ links titled in the page's language.
on_post_template: the site's one 404 page (at its root, served for every missing address) in the
    default language; static-i18n would leave the last language built there.
on_post_build (after static-i18n has built every language): open data under api/v1/ and the
    Pagefind search index, one language at a time as `greentoolbox build` makes it.

On import: mkdocs-static-i18n's file mapping is swapped for the same mapping done faster
(src/greentoolbox/i18nfiles.py), for `mkdocs build` and `greentoolbox build` alike.

Under `greentoolbox build` (src/greentoolbox/sitebuild.py) the engine, the open data and the
search index run in that command's own process, which sets GREENTOOLBOX_PAGES_READY for the
per-language MkDocs processes: there on_pre_build and on_post_build do nothing, and each
language's part of the sitemap goes to the folder in GREENTOOLBOX_SITEMAP_PARTS, for that
command to join.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc

from greentoolbox import i18nfiles
from greentoolbox.export import MARKER, fatal_problems, index_search, load_catalog, write_site_pages
from greentoolbox.opendata import write_open_data
from greentoolbox.render import docs_banner, language_name, nav_titles, page_outline, permalink_title
from greentoolbox.sitebuild import PAGES_READY, SITEMAP_PARTS, config_languages
from greentoolbox.translate import Lookup, load_po

log = logging.getLogger("mkdocs.plugins.greentoolbox")
i18nfiles.install()  # only for the plugin version it copies; otherwise the plugin's own code runs
# static-i18n runs one MkDocs build per language and every hook fires each time: the catalog is
# loaded once per build of the default language and the pages of ALL languages are written then;
# the other language builds reuse both.
_state: dict = {"catalog": None, "written_for": None}
_generated: dict = {}  # page source -> its HTML, from on_page_markdown to on_page_content


def on_config(config):
    i18n = config.plugins.get("i18n")
    root = Path(config.config_file_path).parent
    if i18n is not None:
        for language in i18n.config.languages:
            language.name = language_name(language.locale)
            po = load_po(root, language.locale, "messages")
            if po is not None:
                language.nav_translations = nav_titles(Lookup(po).gettext)
    return config


def on_pre_build(config) -> None:
    if os.environ.get(PAGES_READY):
        return  # `greentoolbox build` validated the data and wrote the pages before starting MkDocs
    root = Path(config.config_file_path).parent
    i18n = config.plugins.get("i18n")
    if i18n is not None and getattr(i18n, "building", False) and _state["catalog"] is not None:
        return  # a nested language build: pages of every language were written by the first one
    catalog = load_catalog(root)
    _state["catalog"] = catalog
    fatal = fatal_problems(catalog)  # all but stale catalogs (GT406: shown in English, page says so)
    for problem in catalog.problems:  # once per build: nested language builds returned above
        (log.error if problem in fatal else log.info)(problem.text())
    if fatal:
        raise PluginError(f"{len(fatal)} problem(s) in toolkit or translation data; run `greentoolbox validate` for the list")
    if _state["written_for"] is not catalog:  # unchanged inputs (mkdocs serve): nothing to render
        write_site_pages(catalog, Path(config.docs_dir), config.site_url)  # in this process, one language after another
        _state["written_for"] = catalog


def on_page_markdown(markdown, page, config, files):
    i18n = config.plugins.get("i18n")
    lang = getattr(i18n, "current_language", "en") if i18n else "en"
    if markdown.lstrip().startswith(MARKER):
        _generated[page.file.src_uri] = markdown  # carries its own banner
        return ""
    root = Path(config.config_file_path).parent
    if "toc" in config.mdx_configs:  # the toc extension writes this page's ¶ links: their title in its language
        config.mdx_configs["toc"]["permalink_title"] = permalink_title(Lookup(load_po(root, lang, "messages")).gettext)
    src = page.file.src_uri
    is_fallback = lang != "en" and not src.endswith(f".{lang}.md")
    english_url = "../" * page.url.count("/") + page.url.split("/", 1)[1] if lang != "en" else ""
    note = docs_banner(lang, page.meta.get("translation"), is_fallback, english_url, root)
    head, sep, rest = markdown.partition("\n")
    return f"{head}\n\n{note}\n{rest}" if head.startswith("# ") else f"{note}\n\n{markdown}"


def on_page_content(html, page, config, files):
    generated = _generated.pop(page.file.src_uri, None)
    if generated is None:
        return html
    outline = page_outline(generated)
    page.toc = get_toc(outline.toc)
    page.present_anchor_ids = outline.anchors
    page._title_from_render = outline.title  # MkDocs' own slot for "the first h1" (Page.title)
    return generated


def on_post_template(output_content, template_name, config):
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return output_content
    lang = i18n.current_language
    if template_name == "404.html" and lang != i18n.default_language:
        return ""  # MkDocs writes no file for an empty template
    parts = os.environ.get(SITEMAP_PARTS)
    if template_name == "sitemap.xml" and parts:
        (Path(parts) / f"{lang}.xml").write_text(output_content, encoding="utf-8")
        return ""
    return output_content


@event_priority(-200)  # after mkdocs-static-i18n (-100), which builds the other languages
def on_post_build(config) -> None:
    i18n = config.plugins.get("i18n")
    if os.environ.get(PAGES_READY) or (i18n is not None and getattr(i18n, "building", False)):
        return  # a nested per-language build: index once, when all languages are done
    write_open_data(_state["catalog"], Path(config.site_dir), config.site_url)
    languages, default = config_languages(config)
    try:
        summary = index_search(Path(config.site_dir), tuple(languages), default)
    except (OSError, RuntimeError) as exc:
        raise PluginError(f"search index: {exc}") from exc
    log.info("pagefind: %s", " ".join(line for line in summary.splitlines() if "Indexed" in line or "Discovered" in line))

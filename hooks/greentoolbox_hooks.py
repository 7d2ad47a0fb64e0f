"""MkDocs adapter for the Green Toolbox engine (src/greentoolbox). No logic lives here.

on_pre_build: load and validate toolkits/ (once per process), report every problem through a
logger under ``mkdocs.`` (so ``--strict`` counts them) and stop the build with a PluginError;
otherwise write the generated pages into docs/ (only those whose text changed).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

from greentoolbox.export import load_catalog, page_texts, write_pages

log = logging.getLogger("mkdocs.plugins.greentoolbox")
_reported: set[str] = set()


def on_pre_build(config) -> None:
    root = Path(config.config_file_path).parent
    catalog = load_catalog(root)
    if catalog.problems:
        for problem in catalog.problems:
            text = problem.text()
            if text not in _reported:  # each language build would repeat them
                _reported.add(text)
                log.error(text)
        raise PluginError(
            f"{len(catalog.problems)} problem(s) in toolkit data; run `greentoolbox validate` for the list"
        )
    write_pages(catalog, Path(config.docs_dir), page_texts(catalog))

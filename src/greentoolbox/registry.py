"""The shared registries toolkits refer to: standards, units and vocabularies.

They live under toolkits/_registry/ and are loaded with the same strict loader and checked
against their own schemas (src/greentoolbox/schema/*.schema.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale

from .load import Document

REGISTRY_DIR = "_registry"
VOCABULARIES = ("challenges", "sectors", "climate_zones")


@dataclass
class Registry:
    """Everything a toolkit may point at, keyed by its stable key."""

    standards: dict[str, dict] = field(default_factory=dict)
    units: dict[str, dict] = field(default_factory=dict)
    terms: dict[str, dict[str, dict]] = field(default_factory=lambda: {v: {} for v in VOCABULARIES})
    benefit: list[dict] = field(default_factory=list)  # benefit-index dimensions, in order
    # where each entry was defined: (document, path inside it), for error messages
    where: dict[tuple[str, str], tuple[Document, tuple]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes known to CLDR (through Babel), without groupings like EU or UN."""
    not_countries = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
    return frozenset(
        code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in not_countries
    )

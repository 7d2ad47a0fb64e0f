"""Problems found in contributed data, and the one format they are reported in.

Every problem prints as ``path:line:col: CODE field: message (hint)``. Codes are stable: tests
hold one failing fixture per code (tests/fixtures/bad/<CODE>-*.yaml) and docs/contribute.md lists
them. Add a code here, in ``CODES``, with a fixture, never reuse a retired one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

# code -> (short name, what it means). The table is rendered in docs/contribute.md by a test
# that checks both agree.
CODES: dict[str, tuple[str, str]] = {
    # Reading the file
    "GT001": ("file-too-large", "The file is over the size limit; it is not parsed."),
    "GT002": ("bad-encoding", "The file is not UTF-8 (latin-1, UTF-16, lone surrogates)."),
    "GT003": ("forbidden-character", "Control, bidi-override, zero-width or stray BOM character."),
    "GT004": ("yaml-syntax", "The YAML cannot be parsed (indentation, tabs, quotes)."),
    "GT005": ("anchor-or-alias", "YAML anchors and aliases (&a, *a, <<: *a) are not allowed."),
    "GT006": ("tag", "YAML tags (!!python/..., !include, !!binary) are not allowed."),
    "GT007": ("duplicate-key", "The same key appears twice in one mapping."),
    "GT008": ("non-string-key", "A mapping key is not a plain string."),
    "GT009": ("too-deep", "Nesting is deeper than the limit."),
    "GT010": ("not-a-mapping", "The document is empty or is not a mapping of fields."),
    # Schema
    "GT101": ("missing-field", "A required field is missing."),
    "GT102": ("unknown-field", "A field the schema does not know (often a typo)."),
    "GT103": ("wrong-type", "A value has the wrong type (text, number, list, mapping)."),
    "GT104": ("invalid-value", "A value breaks a rule of the schema (pattern, allowed values, bounds)."),
    "GT105": ("empty-field", "A required field is still empty: fill it in."),
    "GT106": ("invalid-date", "A date is not a real YYYY-MM-DD date."),
    # Cross-references and consistency
    "GT201": ("id-folder-mismatch", "The id differs from the folder name toolkits/<id>/."),
    "GT202": ("duplicate-id", "Two toolkits (or registry entries) share an id, or ids collide by case or Unicode form."),
    "GT203": ("unknown-standard", "A standard key that is not in the standards registry."),
    "GT204": ("superseded-standard", "A superseded or withdrawn standard is cited."),
    "GT205": ("unknown-term", "A vocabulary term that is not in toolkits/_registry/vocabularies.yaml."),
    "GT206": ("unknown-unit", "A unit that is not in toolkits/_registry/units.yaml."),
    "GT207": ("unknown-toolkit", "A related toolkit that does not exist."),
    "GT208": ("unknown-reference", "A source that names no entry of references."),
    "GT209": ("unknown-country", "Not an ISO 3166-1 alpha-2 country code."),
    "GT210": ("bad-range", "A value and a range together, no value at all, or min greater than max."),
    "GT211": ("missing-unit", "A number without a unit."),
    "GT212": ("missing-source", "A figure that is not a typical design value has no source."),
    "GT213": ("unsafe-link", "A link in long text uses a scheme other than http, https or mailto."),
    "GT214": ("stray-file", "A data file where the build does not look for one; it would be ignored."),
    "GT215": ("benefit-unit-mismatch", "An indicator counted in the benefit index is not in its dimension's unit."),
    # Translations
    "GT401": ("po-syntax", "A PO catalog cannot be read."),
    "GT402": ("unknown-language", "A folder under locales/ that is not a site language."),
    "GT403": ("orphan-catalog", "A catalog for a toolkit or domain that does not exist."),
    "GT404": ("broken-placeholder", "A translation lacks or adds a %(name)s placeholder."),
    "GT405": ("markup-in-translation", "A translation carries HTML, a Markdown link or a script URL the English does not."),
    "GT406": ("stale-catalog", "A catalog is missing, lacks an English text, or keeps one that no longer exists."),
    "GT407": ("no-provenance", "A catalog does not say whether it is a machine or a reviewed translation."),
    "GT408": ("translation-too-long", "A translation is longer than the field allows (the schema's limit holds in every language)."),
}

HINTS: dict[str, str] = {
    "GT001": "split the file or remove embedded data; the limit protects the build",
    "GT002": "save the file as UTF-8 (without BOM) in your editor",
    "GT003": "delete the invisible character; retype the text if unsure",
    "GT004": "indent with spaces, not tabs; quote text that contains ': ' or starts with a symbol",
    "GT005": "write the value out in full instead of referring to it",
    "GT006": "remove the tag; write plain values",
    "GT007": "keep one of the two entries",
    "GT008": "write keys as plain words, for example name:",
    "GT009": "flatten the structure; see the schema for the expected shape",
    "GT010": "a toolkit file is a mapping of fields; start from `greentoolbox new <slug>`",
    "GT101": "add the field; see the schema or docs/contribute.md",
    "GT102": "remove it or fix the spelling",
    "GT103": "see the field's description in the schema",
    "GT104": "see the field's description in the schema",
    "GT105": "fill in the field",
    "GT106": "write the date as \"YYYY-MM-DD\" in quotes",
    "GT201": "rename the folder or the id so they are equal",
    "GT202": "choose a different id",
    "GT203": "add the standard to toolkits/_registry/standards/ or fix the key",
    "GT204": "cite the current edition",
    "GT205": "use a listed term or propose a new one in the registry",
    "GT206": "use a listed unit or add one to toolkits/_registry/units.yaml",
    "GT207": "use the id of an existing toolkit",
    "GT208": "add the work to references with this id, or fix the id",
    "GT209": "use the two-letter ISO 3166-1 code in capitals, quoted if it is NO",
    "GT210": "give either value, or min and/or max, with min <= max",
    "GT211": "add a unit key from toolkits/_registry/units.yaml",
    "GT212": "add a source, or set basis: typical-design-value if it is a design rule",
    "GT213": "link only to http(s) addresses or mailto:",
    "GT214": "toolkits live in toolkits/<id>/toolkit.yaml; registries in toolkits/_registry/",
    "GT215": "give a per-site figure in the dimension's unit (toolkits/_registry/benefit-index.yaml), or drop benefit:",
    "GT401": "open it in Poedit or run msgfmt --check on it to see the syntax error",
    "GT402": "use one of the site's language codes, or propose a new language in an issue",
    "GT403": "remove it, or rename it after an existing toolkit id",
    "GT404": "copy each placeholder from the English exactly",
    "GT405": "translate the text only; pages show it exactly as written",
    "GT406": "run: greentoolbox i18n update",
    "GT407": "add '# Translation-Status: machine' (or reviewed) to the header comment",
    "GT408": "shorten the translation: say the same in fewer words",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    code: str
    field: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code}")

    def text(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        field = f" {self.field}:" if self.field else ""
        hint = self.hint or HINTS.get(self.code, "")
        return f"{where}: {self.code}{field} {self.message}" + (f" ({hint})" if hint else "")

    def github(self) -> str:
        """A GitHub Actions workflow command, shown as an annotation on the file and line."""
        body = self.text().split(": ", 1)[1]
        title = f"{self.code} {CODES[self.code][0]}"
        return (
            f"::error file={_gh_prop(self.path)},line={self.line},col={self.col},"
            f"title={_gh_prop(title)}::{_gh_data(body)}"
        )

    def as_dict(self) -> dict:
        data = asdict(self)
        data["hint"] = self.hint or HINTS.get(self.code, "")
        data["name"] = CODES[self.code][0]
        return data


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_problems(problems: list[Problem], fmt: str = "text") -> str:
    """All problems in one of the output formats: text, github or json."""
    problems = sorted(set(problems))
    if fmt == "json":
        return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)

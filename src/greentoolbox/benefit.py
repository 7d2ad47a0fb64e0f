"""The "small and beautiful" benefit profile of a toolkit.

Dimensions, units, reference values and weights come from toolkits/_registry/benefit-index.yaml.
An indicator counts toward a dimension when the toolkit marks it ``benefit: <dimension>``; it
must then be a figure for one typical site, in the dimension's unit (checked by validate, GT215).

* input value: the indicator's ``value``; for a range, its midpoint; for a lower bound only, the
  bound (conservative); an upper bound alone is not an input.
* normalised score: min(value / reference, 1).
* index: the weighted mean of the scores of the dimensions that have an input, shown with the
  share of the total weight it covers. Dimensions without an input are listed as missing; no
  number is shown for them, and no index at all when none has an input.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Dimension:
    key: str
    label: str
    unit: str
    reference: float
    weight: float
    rationale: str
    indicator: dict | None = None
    value: float | None = None
    how: str = ""  # "value", "midpoint", "lower bound"
    score: float | None = None


@dataclass
class Profile:
    dimensions: list[Dimension] = field(default_factory=list)
    index: float | None = None
    coverage: float = 0.0

    @property
    def missing(self) -> list[Dimension]:
        return [d for d in self.dimensions if d.score is None]


def input_value(indicator: dict) -> tuple[float | None, str]:
    value, low, high = indicator.get("value"), indicator.get("min"), indicator.get("max")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), "value"
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        return (low + high) / 2, "midpoint"
    if isinstance(low, (int, float)):
        return float(low), "lower bound"
    return None, ""


def profile(data: dict, dimensions: list[dict]) -> Profile:
    """The benefit profile of one toolkit (``data`` may be translated; values are numbers)."""
    out = Profile()
    tagged: dict[str, dict] = {}
    for indicator in data.get("indicators", []):
        key = indicator.get("benefit")
        if key and key not in tagged:
            tagged[key] = indicator
    for entry in dimensions:
        dim = Dimension(entry["key"], entry["label"], entry["unit"], float(entry["reference"]),
                        float(entry["weight"]), entry["rationale"])
        indicator = tagged.get(dim.key)
        if indicator is not None:
            dim.indicator = indicator
            dim.value, dim.how = input_value(indicator)
            if dim.value is not None:
                dim.score = min(dim.value / dim.reference, 1.0)
        out.dimensions.append(dim)
    present = [d for d in out.dimensions if d.score is not None]
    total = sum(d.weight for d in out.dimensions)
    if present:
        weight = sum(d.weight for d in present)
        out.index = sum(d.score * d.weight for d in present) / weight
        out.coverage = weight / total if total else 0.0
    return out

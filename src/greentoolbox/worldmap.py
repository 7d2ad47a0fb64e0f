"""A static SVG choropleth world map, made at build time: no JavaScript, no tiles, no request.

* Geometry: Natural Earth 1:110m admin-0 countries (public domain), in ``data/world-110m.json``
  keyed by ISO 3166-1 alpha-2 code (source, licence and conversion: ``data/README.md``).
* Projection: Equal Earth (Šavrič, Patterson & Jenny 2018, "The Equal Earth map projection",
  International Journal of Geographical Information Science 33(3), doi:10.1080/13658816.2018.1504949),
  computed here and scaled so the whole globe fills ``[0, width] x [0, height]``, north up.
* Colours: counts of 1 or more fall into at most four classes (:func:`class_ranges`); 0 is a
  neutral grey. Every class colour has a WCAG non-text contrast of at least 3:1 against the grey
  and the white page (figures in ``tests/test_worldmap.py``); white borders separate countries.
* Output: one ``<path>`` per country with a ``<title>`` (its name and count), wrapped in a
  keyboard-focusable ``<a>`` when it has a count and ``href`` is given; all text is escaped;
  numbers are rounded to whole units of the viewBox; the output is deterministic.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Callable

DATA = Path(__file__).with_name("data") / "world-110m.json"

NEUTRAL = "#e6e6e6"  # count 0 (and countries without data)
PALETTE = ("#588f3d", "#347634", "#0f5a2e", "#003e26")  # light to dark; CIELAB L* about 54, 44, 33, 22
BORDER = "#ffffff"
TEXT = "#1f1f1f"
CLASSES = len(PALETTE)

# Equal Earth constants (Šavrič et al. 2018, eq. 2)
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth on the unit sphere: (x, y) with y growing northwards."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


X_MAX = equal_earth(180, 0)[0]  # 2.7066...
Y_MAX = equal_earth(0, 90)[1]  # 1.3173...


def map_size(width: float) -> tuple[float, float]:
    """Width and height of the projected globe for a given width."""
    return width, width * Y_MAX / X_MAX


def project(lon: float, lat: float, width: float = 1000.0) -> tuple[float, float]:
    """Equal Earth scaled to ``[0, width] x [0, height]`` in SVG coordinates (y down, north up)."""
    x, y = equal_earth(lon, lat)
    scale = width / (2 * X_MAX)
    return (x + X_MAX) * scale, (Y_MAX - y) * scale


@lru_cache(maxsize=1)
def countries() -> dict[str, list[list[list[list[float]]]]]:
    """{alpha-2 code: [polygon, ...]}; a polygon is a list of rings of [lon, lat] points."""
    return json.loads(DATA.read_text("utf-8"))


def missing(counts: dict[str, int]) -> list[str]:
    """Codes with a count above 0 that the map cannot draw (too small for Natural Earth 1:110m)."""
    return sorted(code for code, n in counts.items() if n > 0 and code not in countries())


def class_ranges(values) -> tuple[tuple[int, int], ...]:
    """Contiguous count ranges, at most four, covering 1..max of the positive ``values``.

    Up to four distinct values: one class each (lower bound = previous upper + 1, so 1, 3, 7 give
    1, 2-3, 4-7). More: upper bounds at the quartiles of the countries' values (duplicates merged).
    """
    positive = sorted(v for v in values if v > 0)
    distinct = sorted(set(positive))
    if len(distinct) <= CLASSES:
        uppers = distinct
    else:
        n = len(positive)
        uppers = sorted({positive[math.ceil(n * k / CLASSES) - 1] for k in range(1, CLASSES + 1)})
    ranges, low = [], 1
    for up in uppers:
        ranges.append((low, up))
        low = up + 1
    return tuple(ranges)


def class_colours(k: int) -> tuple[str, ...]:
    """The palette spread over ``k`` classes (light to dark)."""
    if k <= 0:
        return ()
    if k == 1:
        return (PALETTE[1],)
    return tuple(PALETTE[round(i * (CLASSES - 1) / (k - 1))] for i in range(k))


def class_of(count: int, ranges: tuple[tuple[int, int], ...]) -> int | None:
    """Index of the class of ``count`` (None for 0 or less)."""
    for i, (low, up) in enumerate(ranges):
        if low <= count <= up:
            return i
    return None


def _simplify(pts: list[tuple[int, int]], tolerance: float) -> list[tuple[int, int]]:
    """Douglas-Peucker on a closed ring, split at its first point and the point farthest from it."""
    if tolerance <= 0 or len(pts) < 4:
        return pts

    def dp(seg):
        (x0, y0), (x1, y1) = seg[0], seg[-1]
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy)
        best, index = -1.0, 0
        for i in range(1, len(seg) - 1):
            x, y = seg[i]
            d = abs(dy * (x - x0) - dx * (y - y0)) / norm if norm else math.hypot(x - x0, y - y0)
            if d > best:
                best, index = d, i
        if best <= tolerance:
            return [seg[0], seg[-1]]
        return dp(seg[: index + 1])[:-1] + dp(seg[index:])

    far = max(range(len(pts)), key=lambda i: (pts[i][0] - pts[0][0]) ** 2 + (pts[i][1] - pts[0][1]) ** 2)
    return dp(pts[: far + 1])[:-1] + dp(pts[far:] + pts[:1])[:-1]


def _ring_area(points: list[tuple[int, int]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))) / 2


@lru_cache(maxsize=4)
def _paths(width: int, min_area: float, tolerance: float) -> dict[str, str]:
    """Path data per country, in whole units of a viewBox ``width`` wide: each ring an absolute
    move then relative lines, simplified by Douglas-Peucker within ``tolerance`` units. Rings that
    collapse or are smaller than ``min_area`` (square units) are dropped, but a country always
    keeps its largest ring."""
    out = {}
    for code, polygons in countries().items():
        rings = []
        for polygon in polygons:
            for ring in polygon:
                pts: list[tuple[int, int]] = []
                for lon, lat in ring:
                    x, y = project(lon, lat, width)
                    p = (round(x), round(y))
                    if not pts or pts[-1] != p:
                        pts.append(p)
                while len(pts) > 1 and pts[-1] == pts[0]:
                    pts.pop()
                pts = _simplify(pts, tolerance)
                if len(pts) >= 3:
                    rings.append((_ring_area(pts), pts))
        if not rings:
            continue
        largest = max(rings, key=lambda r: r[0])
        kept = [pts for area, pts in rings if area >= min_area or (area, pts) == largest]
        parts = []
        for pts in kept:
            d = [f"M{pts[0][0]} {pts[0][1]}l"]
            d.append(" ".join(f"{x1 - x0} {y1 - y0}" for (x0, y0), (x1, y1) in zip(pts, pts[1:])))
            parts.append("".join(d).replace(" -", "-") + "z")
        out[code] = "".join(parts)
    return out


def _outline(width: int) -> str:
    """The edge of the globe: both ±180° meridians, joined by the flat pole lines."""
    right = [project(180, lat, width) for lat in range(90, -91, -5)]
    left = [project(-180, lat, width) for lat in range(-90, 91, 5)]
    pts = [(round(x, 1), round(y, 1)) for x, y in right + left]
    return "M" + "L".join(f"{x:g} {y:g}" for x, y in pts) + "z"


def legend(counts: dict[str, int], labels: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
    """(colour, label) of each legend entry: 0 first, then each class; for an HTML legend too."""
    ranges = class_ranges(counts.values())
    if labels is None:
        labels = ("0",) + tuple(str(a) if a == b else f"{a}\u2013{b}" for a, b in ranges)
    elif len(labels) != len(ranges) + 1:
        raise ValueError(f"legend_labels needs {len(ranges) + 1} labels (0, then {ranges}), got {len(labels)}")
    return tuple(zip((NEUTRAL,) + class_colours(len(ranges)), labels))


def _legend(entries, heading: str | None, y0: float, width: int, rtl: bool) -> list[str]:
    """Swatches in five equal slots along the bottom, from the start side (right in RTL). Text is
    20 units high: about 14 px when the map is shown 700 px wide."""
    slot = width / 5
    out = ['<g class="gt-legend" font-size="20" fill="%s">' % TEXT]
    y = y0
    if heading:
        out.append(f'<text x="{width if rtl else 0}" y="{y + 20:g}">{escape(heading)}</text>')
        y += 30
    for i, (colour, label) in enumerate(entries):
        x = width - i * slot - 28 if rtl else i * slot
        tx = x - 8 if rtl else x + 36
        out.append(f'<rect x="{x:g}" y="{y:g}" width="28" height="20" fill="{colour}" stroke="#767676" stroke-width="0.5"/>')
        out.append(f'<text x="{tx:g}" y="{y + 17:g}">{escape(label)}</text>')
    out.append("</g>")
    return out


def world_svg(
    counts: dict[str, int],
    *,
    names: dict[str, str],
    href: Callable[[str], str] | None,
    title: str,
    description: str,
    legend_labels: tuple[str, ...] | None = None,
    small: bool = False,
    label: Callable[[str, int], str] | None = None,
    legend_title: str | None = None,
    rtl: bool = False,
    dom_id: str = "gt-worldmap",
) -> str:
    """An inline SVG choropleth of ``counts`` ({alpha-2 code: number}).

    ``names``: localized country names (e.g. Babel ``Locale(lang).territories``; the code is the
    fallback). ``href(code)``: the link of a country with a count (none when ``href`` is None).
    ``label(name, count)``: the text of a country's title and link name (default "name: count";
    pass a localized, pluralised one). ``legend_labels``: one for 0, then one per class of
    :func:`class_ranges` (default "0", "1", "2–3", ...). ``small``: a thumbnail 360 units wide,
    no legend, thinner borders, titles only on countries with a count. ``rtl``: legend from the
    right. ``dom_id``: prefix of the ids of the SVG's title and description (unique per page).
    """
    label = label or (lambda name, n: f"{name}: {n}")
    ranges = class_ranges(counts.values())
    colours = class_colours(len(ranges))
    entries = legend(counts, legend_labels)

    width = 360 if small else 1000
    _, map_h = map_size(width)
    paths = _paths(width, *((2.0, 0.6) if small else (0.0, 0.0)))
    legend_h = 0 if small else (80 if legend_title else 50)
    height = math.ceil(map_h) + legend_h
    linked = href is not None and any(counts.get(c, 0) > 0 for c in paths)
    pad = 2
    tid, did = escape(f"{dom_id}-title"), escape(f"{dom_id}-desc")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gt-worldmap{" gt-worldmap-small" if small else ""}" '
        f'viewBox="-{pad} -{pad} {width + 2 * pad} {height + 2 * pad}" width="{width + 2 * pad}" '
        f'height="{height + 2 * pad}" style="max-width:100%;height:auto" role="{"group" if linked else "img"}" '
        f'aria-labelledby="{tid} {did}" direction="{"rtl" if rtl else "ltr"}">',
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(description)}</desc>',
    ]
    if linked:
        out.append("<style>.gt-worldmap a:focus path,.gt-worldmap a:hover path{stroke:#000;stroke-width:1.5}</style>")
    out.append(f'<path d="{_outline(width)}" fill="none" stroke="#b0b0b0" stroke-width="{0.5 if small else 1}"/>')
    out.append(f'<g fill="{NEUTRAL}" stroke="{BORDER}" stroke-width="{0.3 if small else 0.5}" stroke-linejoin="round">')
    if small:  # countries without a count: one path, no titles
        out.append('<path d="%s"/>' % "".join(paths[c] for c in sorted(paths) if counts.get(c, 0) <= 0))
    for code in sorted(paths):
        n = max(counts.get(code, 0), 0)
        cls = class_of(n, ranges)
        if cls is None and small:
            continue
        fill = f' fill="{colours[cls]}"' if cls is not None else ""
        text = escape(label(names.get(code, code), n))
        if cls is not None and href is not None:
            out.append(f'<a href="{escape(href(code))}"><title>{text}</title><path d="{paths[code]}"{fill}/></a>')
        else:
            out.append(f'<path d="{paths[code]}"{fill}><title>{text}</title></path>')
    out.append("</g>")
    if not small:
        out += _legend(entries, legend_title, math.ceil(map_h) + 14, width, rtl)
    out.append("</svg>")
    return "\n".join(out)

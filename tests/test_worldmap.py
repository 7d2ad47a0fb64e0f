"""The static SVG world map: data, projection, classes, escaping, links, and a real render in Chromium."""

from __future__ import annotations

import base64
import math
import os
import xml.etree.ElementTree as ET

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from greentoolbox import worldmap
from greentoolbox.registry import country_codes

SVG = "{http://www.w3.org/2000/svg}"
CHROMIUM = "/usr/bin/chromium"
EN = Locale("en").territories
# Codes Babel knows that Natural Earth 1:110m does not draw: small states, islands, territories.
GAPS = set("""AC AD AG AI AS AW AX BB BH BL BM BQ BV CC CK CP CQ CV CW CX DG DM EA FM FO GD GF GG GI GP GS GU HK HM
IC IM IO JE KI KM KN KY LC LI MC MF MH MO MP MQ MS MT MU MV NF NR NU PF PM PN PW RE SC SG SH SJ SM ST SX TA TC TK TO
TV UM VA VC VG VI WF WS YT""".split())


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def links(root: ET.Element) -> dict[str, ET.Element]:
    """{href: <a> element}."""
    return {a.get("href"): a for a in root.iter(SVG + "a")}


def titled_paths(root: ET.Element) -> dict[str, ET.Element]:
    """{title text: path} for the countries drawn without a link."""
    return {p.find(SVG + "title").text: p for p in root.iter(SVG + "path") if p.find(SVG + "title") is not None}


# --- data ---------------------------------------------------------------------------------------

def test_data_file_is_small_and_loads():
    size = worldmap.DATA.stat().st_size
    data = worldmap.countries()
    points = sum(len(r) for polys in data.values() for poly in polys for r in poly)
    print(f"world-110m.json: {size} bytes, {len(data)} countries, {points} points")
    assert size < 400_000
    assert len(data) == 175
    for code, polygons in data.items():
        assert polygons, code
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 3, code
                assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring), code


def test_data_covers_the_countries_babel_knows_except_the_small_ones():
    data, babel = set(worldmap.countries()), country_codes()
    assert data <= babel, data - babel  # every key is a code the site can name
    assert babel - data == GAPS  # the list is in data/README.md
    for code in ("XK", "CY", "SO", "TW", "EH", "PS", "SS", "FJ", "RU", "KE", "IN", "BR", "CN", "AQ"):
        assert code in data, code


def test_no_ring_crosses_the_antimeridian():
    """An edge jumping across the map would draw a stripe; only the pole line may span it."""
    for code, polygons in worldmap.countries().items():
        for polygon in polygons:
            for ring in polygon:
                for (lon0, lat0), (lon1, lat1) in zip(ring, ring[1:] + ring[:1]):
                    assert abs(lon1 - lon0) <= 180 or (lat0 == lat1 and abs(lat0) == 90), (code, lon0, lat0, lon1, lat1)


def test_russia_and_fiji_have_pieces_on_both_sides():
    for code in ("RU", "FJ"):
        lons = [lon for poly in worldmap.countries()[code] for ring in poly for lon, _ in ring]
        assert min(lons) == -180 and max(lons) == 180, code


# --- projection ---------------------------------------------------------------------------------

def test_projection_centre_and_corners():
    w, h = worldmap.map_size(1000)
    assert worldmap.project(0, 0) == pytest.approx((w / 2, h / 2))
    assert worldmap.project(-180, 0) == pytest.approx((0, h / 2))
    assert worldmap.project(180, 0) == pytest.approx((w, h / 2))
    assert worldmap.project(0, 90)[1] == pytest.approx(0)
    assert worldmap.project(0, -90)[1] == pytest.approx(h)
    assert worldmap.project(30, 45)[0] > w / 2 and worldmap.project(30, 45)[1] < h / 2  # east is right, north up
    # equator / central meridian = 2 x 2.7066 / (2 x 1.3173), from the paper's constants A1..A4
    assert w / h == pytest.approx(2.0546, abs=0.001)


def test_every_data_point_is_inside_the_viewbox():
    for width in (1000, 360):
        w, h = worldmap.map_size(width)
        for polygons in worldmap.countries().values():
            for polygon in polygons:
                for ring in polygon:
                    for lon, lat in ring:
                        x, y = worldmap.project(lon, lat, width)
                        assert -1e-9 <= x <= w + 1e-9 and -1e-9 <= y <= h + 1e-9


@given(st.floats(-180, 180), st.floats(-90, 90))
def test_projection_stays_inside_for_any_point(lon, lat):
    w, h = worldmap.map_size(1000)
    x, y = worldmap.project(lon, lat)
    assert -1e-9 <= x <= w + 1e-9 and -1e-9 <= y <= h + 1e-9


def shoelace(points):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))) / 2


def cell(lon0, lat0, size=10, steps=40):
    edge = [(lon0 + size * i / steps, lat0) for i in range(steps)]
    edge += [(lon0 + size, lat0 + size * i / steps) for i in range(steps)]
    edge += [(lon0 + size - size * i / steps, lat0 + size) for i in range(steps)]
    edge += [(lon0, lat0 + size - size * i / steps) for i in range(steps)]
    return shoelace([worldmap.project(lon, lat) for lon, lat in edge])


def test_projection_is_equal_area():
    """Projected area of 10°x10° cells is proportional to their area on the sphere (sin φ1 - sin φ0)."""
    def sphere(lat0):
        return math.sin(math.radians(lat0 + 10)) - math.sin(math.radians(lat0))

    ref = cell(0, 0) / sphere(0)
    for lon0, lat0 in ((-170, 60), (20, -50), (100, 75), (-60, -85)):
        assert cell(lon0, lat0) / sphere(lat0) == pytest.approx(ref, rel=2e-3), (lon0, lat0)


# --- classes and colours ------------------------------------------------------------------------

def test_class_ranges():
    assert worldmap.class_ranges([]) == ()
    assert worldmap.class_ranges([0, 0]) == ()
    assert worldmap.class_ranges([1, 1, 2]) == ((1, 1), (2, 2))
    assert worldmap.class_ranges([1, 3, 7]) == ((1, 1), (2, 3), (4, 7))
    assert worldmap.class_ranges([1, 1, 1, 2, 2, 3, 5, 8]) == ((1, 1), (2, 2), (3, 3), (4, 8))
    assert worldmap.class_ranges(list(range(1, 21))) == ((1, 5), (6, 10), (11, 15), (16, 20))
    assert worldmap.class_of(0, ((1, 1), (2, 3))) is None
    assert worldmap.class_of(3, ((1, 1), (2, 3))) == 1


def luminance(hex_colour):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_class_colours_have_3_to_1_contrast_with_the_grey_and_the_page():
    for colour in worldmap.PALETTE:
        print(colour, f"vs grey {contrast(colour, worldmap.NEUTRAL):.2f}, vs white {contrast(colour, '#ffffff'):.2f}")
        assert contrast(colour, worldmap.NEUTRAL) >= 3  # WCAG 2.1 SC 1.4.11 non-text contrast
        assert contrast(colour, "#ffffff") >= 3
    lums = [luminance(c) for c in worldmap.PALETTE]
    assert lums == sorted(lums, reverse=True)  # light to dark
    assert contrast(worldmap.TEXT, "#ffffff") >= 4.5


def test_counts_map_to_the_right_classes():
    counts = {"KE": 1, "IN": 2, "BR": 3, "US": 4, "FR": 0}
    root = parse(worldmap.world_svg(counts, names=EN, href=lambda c: f"#{c}", title="T", description="D"))
    by_href = links(root)
    assert set(by_href) == {"#KE", "#IN", "#BR", "#US"}  # 0 is not a link
    for code, colour in zip(("KE", "IN", "BR", "US"), worldmap.PALETTE):
        assert by_href[f"#{code}"].find(SVG + "path").get("fill") == colour, code
    france = titled_paths(root)["France: 0"]
    assert france.get("fill") is None  # inherits the neutral grey of the group
    group = next(g for g in root.iter(SVG + "g") if g.get("fill") == worldmap.NEUTRAL)
    assert france in list(group)
    legend = [t.text for t in root.iter(SVG + "text")]
    assert legend == ["0", "1", "2", "3", "4"]


def test_two_classes_use_both_ends_of_the_palette_and_legend_labels_are_checked():
    counts = {"KE": 1, "IN": 5}
    root = parse(worldmap.world_svg(counts, names=EN, href=lambda c: c, title="T", description="D",
                                    legend_labels=("none", "one", "2 to 5"), legend_title="Toolkits"))
    assert links(root)["KE"].find(SVG + "path").get("fill") == worldmap.PALETTE[0]
    assert links(root)["IN"].find(SVG + "path").get("fill") == worldmap.PALETTE[-1]
    assert [t.text for t in root.iter(SVG + "text")] == ["Toolkits", "none", "one", "2 to 5"]
    assert worldmap.legend(counts) == ((worldmap.NEUTRAL, "0"), (worldmap.PALETTE[0], "1"),
                                       (worldmap.PALETTE[-1], "2\u20135"))
    with pytest.raises(ValueError, match="needs 3 labels"):
        worldmap.world_svg(counts, names=EN, href=None, title="T", description="D", legend_labels=("a", "b"))


def test_missing_lists_what_the_map_cannot_draw():
    assert worldmap.missing({"SG": 2, "KE": 1, "MT": 0, "MU": 1}) == ["MU", "SG"]


# --- markup -------------------------------------------------------------------------------------

def test_svg_parses_and_is_labelled():
    svg = worldmap.world_svg({"KE": 2}, names=EN, href=lambda c: f"#c-{c}", title="Where", description="Map of use",
                             dom_id="m1")
    root = parse(svg)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "group"  # it holds links: role=img would hide them
    assert root.get("aria-labelledby") == "m1-title m1-desc"
    assert root.find(SVG + "title").get("id") == "m1-title" and root.find(SVG + "title").text == "Where"
    assert root.find(SVG + "desc").get("id") == "m1-desc" and root.find(SVG + "desc").text == "Map of use"
    thumb = parse(worldmap.world_svg({"KE": 2}, names=EN, href=None, title="T", description="D", small=True))
    assert thumb.get("role") == "img"
    assert not list(thumb.iter(SVG + "text"))  # no legend
    assert [t.text for t in thumb.iter(SVG + "title")] == ["T", "Kenya: 2"]


def test_all_text_is_escaped():
    evil = 'A<b>&"\'</b>'
    names = {**EN, "KE": evil, "FR": "<script>alert(1)</script>"}
    svg = worldmap.world_svg({"KE": 1}, names=names, href=lambda c: f'/x?a=1&b="{c}"', title=evil,
                             description=evil, legend_labels=(evil, evil), legend_title=evil,
                             label=lambda name, n: f"{name} ({n})", dom_id='x"y')
    assert "<b>" not in svg and "<script>" not in svg and '&"' not in svg
    root = parse(svg)
    a = links(root)['/x?a=1&b="KE"']
    assert a.find(SVG + "title").text == f"{evil} (1)"
    assert titled_paths(root)["<script>alert(1)</script> (0)"] is not None
    assert root.find(SVG + "title").text == evil and root.find(SVG + "desc").text == evil
    assert [t.text for t in root.iter(SVG + "text")] == [evil] * 3
    assert root.get("aria-labelledby") == 'x"y-title x"y-desc'


def test_a_country_with_a_count_is_a_named_link():
    root = parse(worldmap.world_svg({"KE": 3, "IN": 0}, names=EN, href=lambda c: f"#country-{c.lower()}",
                                    title="T", description="D", label=lambda name, n: f"{name}: {n} toolkits"))
    (a,) = root.iter(SVG + "a")
    assert a.get("href") == "#country-ke"
    assert a[0].tag == SVG + "title" and a[0].text == "Kenya: 3 toolkits"  # its accessible name
    assert a[1].tag == SVG + "path" and a[1].get("d").startswith("M")
    without = parse(worldmap.world_svg({"KE": 3}, names=EN, href=None, title="T", description="D"))
    assert not list(without.iter(SVG + "a")) and without.get("role") == "img"


def test_deterministic_and_independent_of_dict_order():
    kw = dict(names=EN, href=lambda c: f"#{c}", title="T", description="D")
    one = worldmap.world_svg({"KE": 1, "IN": 2, "BR": 5}, **kw)
    assert one == worldmap.world_svg({"BR": 5, "IN": 2, "KE": 1}, **kw)
    assert one == worldmap.world_svg({"KE": 1, "IN": 2, "BR": 5}, **kw)


def test_sizes_stay_small():
    counts = {code: i % 7 for i, code in enumerate(sorted(worldmap.countries()))}
    names = Locale("fr").territories
    full = worldmap.world_svg(counts, names=names, href=lambda c: f"#pays-{c.lower()}", title="Carte",
                              description="Pays", legend_title="Boîtes à outils")
    small = worldmap.world_svg({"KE": 1, "IN": 1}, names=names, href=None, title="Carte", description="Pays", small=True)
    print(f"full map, every country linked: {len(full.encode())} bytes; thumbnail: {len(small.encode())} bytes")
    assert len(full.encode()) < 150_000
    assert len(small.encode()) < 25_000


# --- in a browser -------------------------------------------------------------------------------



PIXELS = """async ([src, points]) => {
  const img = new Image(); img.src = src; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  const hex = i => '#' + [d[i], d[i + 1], d[i + 2]].map(v => v.toString(16).padStart(2, '0')).join('');
  const seen = {};
  for (let i = 0; i < d.length; i += 4) { const h = hex(i); seen[h] = (seen[h] || 0) + 1; }
  return {seen, at: points.map(([x, y]) => hex((y * c.width + x) * 4))};
}"""


@pytest.mark.browser
def test_map_renders_in_chromium(chromium, tmp_path):
    counts = {"RU": 9, "FJ": 1, "KE": 3, "US": 2, "BR": 5, "AQ": 1}
    svg = worldmap.world_svg(counts, names=EN, href=lambda c: f"#country-{c.lower()}", title="Toolkits by country",
                             description="Countries where toolkits are used", legend_title="Toolkits",
                             label=lambda name, n: f"{name}: {n} toolkits")
    page = chromium.new_page(viewport={"width": 1100, "height": 620})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_content(f'<!doctype html><html lang="en"><body style="margin:0;background:#fff">{svg}</body></html>')
    shot = tmp_path / "worldmap.png"
    png = page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    assert page.eval_on_selector("svg", "e => e.getBoundingClientRect().width") == 1004  # 1 unit = 1 px

    ranges = worldmap.class_ranges(counts.values())
    colour = {code: worldmap.class_colours(len(ranges))[worldmap.class_of(n, ranges)] for code, n in counts.items()}

    def px(lon, lat):
        x, y = worldmap.project(lon, lat)
        return [round(x) + 2, round(y) + 2]  # the viewBox starts at -2

    places = {  # (lon, lat): expected colour; interior points, away from borders
        (100, 62): colour["RU"], (37.5, 0.5): colour["KE"], (-100, 40): colour["US"], (-50, -10): colour["BR"],
        (0, -80): colour["AQ"], (20, 10): worldmap.NEUTRAL, (-42, 72): worldmap.NEUTRAL,  # Chad, Greenland
        (-30, 10): "#ffffff",  # Atlantic
        (0, 68): "#ffffff", (-140, 71): "#ffffff", (0, 71.3): "#ffffff",  # where a Russian stripe would run
        (-20, -16.5): "#ffffff", (-100, -16.3): "#ffffff",  # where a Fijian stripe would run
    }
    pixels = page.evaluate(PIXELS, ["data:image/png;base64," + base64.b64encode(png).decode(), list(map(list, (px(*p) for p in places)))])
    assert dict(zip(places, pixels["at"])) == places
    big = {c for c, n in pixels["seen"].items() if n > 200}
    assert {"#ffffff", worldmap.NEUTRAL, *colour.values()} <= big, big

    # Chromium's own accessibility tree: one link per country with a count, named by its title
    cdp = page.context.new_cdp_session(page)
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    named = sorted(n["name"]["value"] for n in tree if n.get("role", {}).get("value") == "link" and "name" in n)
    assert named == sorted(f"{EN[c]}: {n} toolkits" for c, n in counts.items())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "a"
    assert page.evaluate("document.activeElement.getAttribute('href')").startswith("#country-")
    assert requests == []  # nothing fetched
    page.close()


@pytest.mark.browser
def test_arabic_legend_runs_right_to_left(chromium, tmp_path):
    names = Locale("ar").territories
    svg = worldmap.world_svg({"EG": 1, "MA": 2}, names=names, href=None, title="خريطة", description="بلدان",
                             legend_labels=("لا شيء", "١", "٢"), rtl=True)
    page = chromium.new_page(viewport={"width": 1100, "height": 620})
    page.set_content(f'<!doctype html><html lang="ar" dir="rtl"><body style="margin:0">{svg}</body></html>')
    page.screenshot(path=str(tmp_path / "worldmap-ar.png"))
    boxes = page.eval_on_selector_all(".gt-legend text", "els => els.map(e => e.getBoundingClientRect().right)")
    swatches = page.eval_on_selector_all(".gt-legend rect", "els => els.map(e => e.getBoundingClientRect().left)")
    assert boxes == sorted(boxes, reverse=True)  # first label rightmost
    assert all(right <= left + 1 for right, left in zip(boxes, swatches))  # each label left of its swatch
    assert boxes[0] > 900
    page.close()

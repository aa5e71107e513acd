#!/usr/bin/env python3
"""Makes provinces.txt, the dashboard map's compact province shapes, from the npm package
@svg-maps/indonesia 1.0.0 (CC BY 4.0; see README.md beside this file). Run once, by hand:

    cd "$(mktemp -d)" && npm pack @svg-maps/indonesia@1.0.0 && tar xzf svg-maps-indonesia-1.0.0.tgz
    python3 /path/to/server/src/web/map_data/simplify.py package/index.js > provinces.txt

Each shape's rings are simplified with Douglas-Peucker (tolerance TOLERANCE in the map's own
units, 793 x 288 for the whole country), islets smaller than MIN_AREA are dropped (a province
always keeps its largest ring), and coordinates are written relative, with one decimal.
Output: one line per shape, `codes<TAB>viewBox-path`, where codes are the Kemendagri province
codes the shape covers (the map predates the 2022 Papua provinces, so Papua's shape also
stands for 93, 94 and 95, and Papua Barat's for 96). The first line is the viewBox.
"""
import json
import re
import sys

TOLERANCE = 0.35
MIN_AREA = 1.5

# ISO 3166-2:ID suffix (the package's ids) -> Kemendagri codes.
CODES = {
    "ac": "11", "su": "12", "sb": "13", "ri": "14", "ja": "15", "ss": "16", "be": "17",
    "la": "18", "bb": "19", "kr": "21", "jk": "31", "jb": "32", "jt": "33", "yo": "34",
    "ji": "35", "bt": "36", "ba": "51", "nb": "52", "nt": "53", "kb": "61", "kt": "62",
    "ks": "63", "ki": "64", "ku": "65", "sa": "71", "st": "72", "sn": "73", "sg": "74",
    "go": "75", "sr": "76", "ma": "81", "mu": "82", "pa": "91,93,94,95", "pb": "92,96",
}


def rings(path):
    """The absolute rings of a path made of relative `m` (with implicit lines) and `z`."""
    out, ring, x, y = [], [], 0.0, 0.0
    for command, args in re.findall(r"([mz])([^mz]*)", path):
        if command == "z":
            # A closed subpath leaves the pen at its first point.
            if ring:
                out.append(ring)
                x, y = ring[0]
            ring = []
            continue
        numbers = [float(n) for n in re.findall(r"-?[0-9.]+(?:e-?[0-9]+)?", args)]
        if ring:
            out.append(ring)
        ring = []
        for i in range(0, len(numbers) - 1, 2):
            x, y = x + numbers[i], y + numbers[i + 1]
            ring.append((x, y))
    if ring:
        out.append(ring)
    return out


def area(ring):
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1]))) / 2


def douglas_peucker(points, tolerance):
    if len(points) < 3:
        return points
    (ax, ay), (bx, by) = points[0], points[-1]
    dx, dy = bx - ax, by - ay
    norm = (dx * dx + dy * dy) ** 0.5
    best, index = -1.0, 0
    for i, (px, py) in enumerate(points[1:-1], 1):
        if norm == 0:
            d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
        else:
            d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
        if d > best:
            best, index = d, i
    if best <= tolerance:
        return [points[0], points[-1]]
    left = douglas_peucker(points[: index + 1], tolerance)
    return left[:-1] + douglas_peucker(points[index:], tolerance)


def simplify(ring):
    # Split the closed ring at its farthest point so both halves keep their shape.
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2)
    a = douglas_peucker(ring[: far + 1], TOLERANCE)
    b = douglas_peucker(ring[far:] + [ring[0]], TOLERANCE)
    return a[:-1] + b[:-1]


def path_of(kept):
    parts, x, y = [], 0, 0
    for ring in kept:
        pts = [(round(px * 10), round(py * 10)) for px, py in ring]
        moves = []
        for px, py in pts:
            moves.append((px - x, py - y))
            x, y = px, py
        moves = [m for i, m in enumerate(moves) if i == 0 or m != (0, 0)]
        text = " ".join(f"{fmt(dx)} {fmt(dy)}" for dx, dy in moves)
        parts.append(f"m{text}z")
        x, y = pts[0]
    return "".join(parts)


def fmt(tenths):
    text = f"{tenths / 10:.1f}".rstrip("0").rstrip(".")
    return text.replace("-0.", "-.").replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def main():
    source = open(sys.argv[1], encoding="utf-8").read()
    data = json.loads(source[source.index("{"):].rstrip().rstrip(";"))
    print(data["viewBox"])
    for location in sorted(data["locations"], key=lambda l: CODES[l["id"][3:]]):
        all_rings = rings(location["path"])
        largest = max(all_rings, key=area)
        kept = [simplify(r) for r in all_rings if r is largest or area(r) >= MIN_AREA]
        kept = [r for r in kept if len(r) >= 3]
        print(f"{CODES[location['id'][3:]]}\t{path_of(kept)}")


if __name__ == "__main__":
    main()

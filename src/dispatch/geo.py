"""Approximate coordinates of Chinese addresses, offline: the centroids of cpca's adcode table.

No map service here (ARCHITECTURE: addresses). A customer's 6-digit adcode gives its district's
centroid; without it (or for a code the table lacks) the city's, then the province's.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

Point = tuple[float, float]

EARTH_RADIUS_KM = 6371.0088


@lru_cache(maxsize=1)
def _centroids() -> dict[str, Point]:
    """{6-digit adcode: (lat, lon)} for every province, city and district cpca knows."""
    import cpca

    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    table: dict[str, Point] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                point = (float(row["latitude"]), float(row["longitude"]))
            except (KeyError, TypeError, ValueError):
                continue
            table.setdefault(str(row["adcode"])[:6], point)
    return table


def approx_location(adcode: str | None) -> Point | None:
    """(lat, lon) of the district, else the city, else the province of ``adcode``; None if unknown."""
    code = (adcode or "").strip()
    if len(code) < 2 or not code[:6].isdigit():
        return None
    table = _centroids()
    code = code[:6].ljust(6, "0")
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        point = table.get(candidate)
        if point is not None:
            return point
    return None


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))

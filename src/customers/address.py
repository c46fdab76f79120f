"""Offline parsing of a Chinese address into province / city / district and its adcode (cpca)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class ParsedAddress:
    province: str
    city: str
    district: str
    adcode: str
    detail: str


@lru_cache(maxsize=4096)
def parse_address(text: str) -> ParsedAddress:
    """'浙江省杭州市西湖区文三路100号' → 浙江省 / 杭州市 / 西湖区, adcode 330106, detail 文三路100号.

    Unknown parts stay empty; a municipality's "市辖区" city is shown as the province name.
    """
    text = (text or "").strip()
    if not text:
        return ParsedAddress("", "", "", "", "")
    import cpca  # imported lazily: it loads pandas and the division table (~1 s)

    row = cpca.transform([text]).iloc[0]

    def clean(value: object) -> str:
        return "" if value is None or value != value else str(value)  # NaN != NaN

    province, city, district = clean(row["省"]), clean(row["市"]), clean(row["区"])
    if city == "市辖区":
        city = province
    adcode = clean(row["adcode"])[:6]
    return ParsedAddress(province, city, district, adcode, clean(row["地址"]))


@lru_cache(maxsize=1)
def _centroids() -> dict[str, tuple[float, float]]:
    import csv
    import os

    import cpca

    path = os.path.join(os.path.dirname(cpca.__file__), "resources", "adcodes.csv")
    with open(path, encoding="utf-8") as handle:
        return {
            row["adcode"][:6]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
            if row["latitude"] and row["longitude"] and row["adcode"].endswith("000000")
        }


def approximate_coordinates(adcode: str) -> tuple[float, float] | None:
    """Latitude/longitude of the district (else city, else province) centre; no map service needed."""
    table = _centroids()
    for code in (adcode[:6], adcode[:4] + "00", adcode[:2] + "0000"):
        if code in table:
            return table[code]
    return None

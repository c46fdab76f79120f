"""Links that apps above field work print on the service report (服务报告单) as a QR code with the
address beside it — follow-up's satisfaction survey — without field work importing them
(ADR 0016: a lower app shows an upper one's content through a registry the upper app fills in
its AppConfig.ready).

A source gets the order and returns a ``ReportLink`` or None (nothing to print: the order has no
survey, the link expired); the report prints the links in the order of their names and works the
same with none. Texts are in Chinese like the rest of the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportLink:
    heading: str  # e.g. "满意度评价"
    text: str  # the line above the address, e.g. "请用手机扫描二维码或访问以下地址评价本次服务："
    url: str  # absolute: a customer scans it from paper


ReportLinkSource = Callable[[Any], ReportLink | None]

_SOURCES: dict[str, ReportLinkSource] = {}


def register_report_link(*, name: str, source: ReportLinkSource) -> None:
    """``source(order)`` runs while the report is made, in its transaction."""
    _SOURCES[name] = source


def report_links(order: Any) -> list[ReportLink]:
    links = []
    for name in sorted(_SOURCES):
        link = _SOURCES[name](order)
        if link is not None:
            links.append(link)
    return links

"""The stock page's filtered list (benchmarks/README.md, "stock"): the "nothing available" filter
shows exactly the rows whose available quantity is zero, with their quantities, and a page costs
the same statements whatever the number of rows (no query per row)."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from parts import services


def _rows(html: str) -> list[list[str]]:
    table = html.split('id="stock-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], flags=re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in rows]


def test_nothing_available_lists_only_the_rows_at_zero_with_their_quantities(
    client_as: Any, clerk: Any, part: Any, other_part: Any, wh_a: Any, wh_b: Any, order_a: Any
) -> None:
    services.stock_move(acting_user=clerk, kind="receive", part=part, warehouse=wh_a, quantity=2)
    services.reservation_create(acting_user=clerk, part=part, warehouse=wh_a, quantity=2, work_order=order_a)
    services.stock_move(acting_user=clerk, kind="receive", part=other_part, warehouse=wh_a, quantity=3)
    services.stock_move(acting_user=clerk, kind="receive", part=part, warehouse=wh_b, quantity=1)
    services.stock_move(acting_user=clerk, kind="issue", part=part, warehouse=wh_b, quantity=1)

    rows = _rows(client_as(clerk).get("/parts/stock/?low=1").content.decode())
    in_a = _rows(client_as(clerk).get("/parts/stock/?low=1&warehouse=XH-01").content.decode())

    assert rows == [
        ["HD-01", "BAT-48V", "48V 锂电池", "0", "0", "0", "0"],
        ["XH-01", "BAT-48V", "48V 锂电池", "2", "2", "0", "0"],
    ]
    assert in_a == [["XH-01", "BAT-48V", "48V 锂电池", "2", "2", "0", "0"]]


def test_a_stock_page_costs_the_same_statements_for_one_row_and_for_many(
    client_as: Any, clerk: Any, part: Any, other_part: Any, wh_a: Any, wh_b: Any
) -> None:
    client = client_as(clerk)
    services.stock_move(acting_user=clerk, kind="receive", part=part, warehouse=wh_a, quantity=1)
    client.get("/parts/stock/")
    with CaptureQueriesContext(connection) as one:
        client.get("/parts/stock/")
    for p in (part, other_part):
        for w in (wh_a, wh_b):
            services.stock_move(acting_user=clerk, kind="receive", part=p, warehouse=w, quantity=1)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/parts/stock/").content.decode()

    assert len(_rows(page)) == 4
    assert len(four.captured_queries) == len(one.captured_queries)

"""The director's dashboard in a real browser (issue 16): the charts draw from the page's JSON
(ECharts served from node_modules, no inline script), each has its table view, and a figure
opens the orders behind it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from workorders.services import workorder_create, workorder_transition

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_director_dashboard_charts_and_drilldown(
    page: Page, login: Any, nav_to: Any, agent: Any, director: Any, technician: Any, qc_inspector: Any, customer_a: Any
) -> None:
    order = workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="开机无反应"
    )
    order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    order = workorder_transition(order=order, action="assign", acting_user=director, data={"technician": technician.pk})
    order = workorder_transition(order=order, action="start", acting_user=technician)
    order = workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "更换电源板"})
    order = workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector)
    order = workorder_transition(
        order=order, action="sign_off", acting_user=None, by_customer=True, data={"signer_name": "王先生"}
    )

    login(page, director)
    nav_to(page, "#nav-kpis-dashboard")
    expect(page.locator("html")).to_have_attribute("data-charts-ready", "2")
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    expect(page.locator("#chart-backlog canvas")).to_have_count(1)
    page.locator("#table-trend").locator("xpath=..").locator("summary").click()
    expect(page.locator("#table-trend tbody tr")).to_have_count(7)
    expect(page.locator("#dash-first_time_fix_rate")).to_have_text("100.0%")
    page.locator("#dash-first_time_fix_rate").click()
    expect(page.locator("#kpi-drilldown")).to_contain_text(order.number)
    page.locator("#kpi-drilldown a", has_text=order.number).click()
    expect(page).to_have_url(f"{page.url.split('/work-orders/')[0]}/work-orders/{order.pk}/")

"""The domain order of the apps (ARCHITECTURE.md), as data: an app may import ``core`` and the
apps before it, never one after it. tests/core/test_layers.py reads every module under src and
fails on an upward import. Apps that react to work orders (warranty decisions, fees, SLA clocks,
dispatch) sit above them and plug in through ``workorders.hooks`` and ``workorders.panels``."""

from __future__ import annotations

DOMAIN_ORDER: tuple[str, ...] = (
    "core",
    "customers",
    "catalog",
    "devices",
    "workcalendar",
    "notify",
    "workorders",
    "policies",
    "parts",  # spare parts and stock; billing's price list refers to its catalogue
    "billing",
    "claims",
    "sla",
    "dispatch",
    "fieldwork",
    "portal",
    "followup",  # callbacks (回访) and complaints (投诉): react to orders through the workorders services
    "maintenance",  # preventive maintenance plans and inspection results (issue 14): orders via workorders services
    "campaigns",  # upgrades, recalls, retrofits: one order per device through the workorders services
    "training",  # training records (客户培训登记表) and the trainings contracts promise
    "knowledge",  # fault cases and FAQ (知识库): search through core.search, suggestions on orders
    "kpis",  # KPIs and dashboards (issue 16): read every app's records, write only repair times
    "network",  # the service network (issue 12): station records, lifecycle, scorecards, technical support
    "demo",  # demo data, on top of them all
    "aftersales",  # the project: settings, URLs and the API composed of every app's router
)

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_reference_data(**kwargs: Any) -> None:
    from sla.reference import install_reference_data

    install_reference_data()


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from parts.promises import register_service_level_promise
        from sla.panels import sla_panel_context
        from sla.parts_promise import order_parts_promise
        from sla.services import CLOCK_EVENT_KINDS, order_sla_on_event
        from sla.tasks import recompute_open_orders_after_calendar_change
        from sla.timeline import sla_event_params
        from workcalendar.hooks import on_calendars_changed
        from workorders.hooks import register_event_hook
        from workorders.panels import OrderPanel, register_order_panel, register_timeline_params

        register_event_hook(name="sla.clocks", kinds=CLOCK_EVENT_KINDS, run=order_sla_on_event)
        from sla import work_order_list

        work_order_list.register()

        register_timeline_params("sla", sla_event_params)
        register_service_level_promise(order_parts_promise)  # which part promise the order's level makes
        on_calendars_changed(recompute_open_orders_after_calendar_change)
        post_migrate.connect(_install_reference_data, sender=self, dispatch_uid="sla.reference")
        register_order_panel(
            OrderPanel(
                name="sla",
                template="sla/partials/order_panel.html",
                context=sla_panel_context,
                order=10,
                column="side",
            )
        )
        register_nav(
            NavEntry(
                group="orders",
                label=_("Deadlines at risk"),
                url_name="sla:dashboard",
                permission="sla.view_orderservicelevel",
                order=25,
                element_id="nav-sla-dashboard",
            )
        )
        register_nav(
            NavEntry(
                group="setup",
                label=_("Service levels"),
                url_name="sla:list",
                permission="sla.view_servicelevel",
                order=65,
                element_id="nav-service-levels",
            )
        )

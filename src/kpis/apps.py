from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPIs")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from kpis.services import COMPLETION_KINDS, record_repair_time_on_event
        from workorders.hooks import register_event_hook

        register_event_hook(name="kpis.repair_time", kinds=COMPLETION_KINDS, run=record_repair_time_on_event)
        register_nav(
            NavEntry(
                group="orders",
                label=_("KPIs"),
                url_name="kpis:index",
                permission="kpis.view_kpis",
                order=90,
                element_id="nav-kpis",
            )
        )
        register_nav(
            NavEntry(
                group="orders",
                label=_("Director's dashboard"),
                url_name="kpis:dashboard",
                permission="kpis.view_kpis",
                order=91,
                element_id="nav-kpis-dashboard",
            )
        )

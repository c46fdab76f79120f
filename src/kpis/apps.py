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
        for label, url_name, order, permission in (
            (_("My queue by time left"), "kpis:queue", 92, "kpis.view_kpis"),
            (_("Today's capacity and demand"), "kpis:capacity", 93, "dispatch.view_technicianprofile"),
            (_("My figures"), "kpis:mine", 94, "kpis.view_own_kpis"),
            (_("Scorecards"), "kpis:scorecards", 95, "kpis.view_kpis"),
        ):
            register_nav(
                NavEntry(
                    group="orders",
                    label=label,
                    url_name=url_name,
                    permission=permission,
                    order=order,
                    element_id=f"nav-{url_name.replace(':', '-')}",
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

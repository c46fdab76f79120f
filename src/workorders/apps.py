from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav

        # Messages to customers and staff on order events (acceptance, quote, appointment…).
        from workorders import entity_panels, notifications, site_search  # noqa: F401

        entity_panels.register()
        site_search.register()
        register_nav(
            NavEntry(
                group="orders",
                label=_("Work orders"),
                url_name="workorders:list",
                permission="workorders.view_workorder",
                order=10,
                element_id="nav-workorders",
            )
        )
        register_nav(
            NavEntry(
                group="orders",
                label=_("Register request"),
                url_name="workorders:register",
                permission="workorders.add_workorder",
                order=11,
                element_id="nav-register",
            )
        )

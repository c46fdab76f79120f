from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = _("Devices")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from devices import panels, site_search

        panels.register()
        register_nav(
            NavEntry(
                group="customers",
                label=_("Devices"),
                url_name="devices:list",
                permission="devices.view_device",
                order=20,
                element_id="nav-devices",
            )
        )
        site_search.register()

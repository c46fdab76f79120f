from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Service network")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from network import panels

        register_nav(
            NavEntry(
                group="dispatch",
                label=_("Stations"),
                url_name="network:stations",
                permission="network.view_stationprofile",
                order=80,
                element_id="nav-stations",
            )
        )
        register_nav(
            NavEntry(
                group="dispatch",
                label=_("Technical support"),
                url_name="network:support",
                permission="network.view_supportrequest",
                order=85,
                element_id="nav-support",
            )
        )
        register_nav(
            NavEntry(
                group="reports",
                label=_("Station league table"),
                url_name="network:league",
                permission="network.view_stationscorecard",
                order=60,
                element_id="nav-league",
            )
        )
        panels.register()

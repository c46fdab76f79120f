from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartsConfig(AppConfig):
    name = "parts"
    verbose_name = _("Spare parts")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from parts import panels
        from parts.reference import install_reference_data
        from parts.services import order_reservations_release
        from workorders.hooks import register_event_hook

        # A cancelled or closed order gives back the parts it still holds (ADR 0016).
        register_event_hook(
            name="parts.reservations", kinds=("cancel", "close", "close_incomplete"), run=order_reservations_release
        )
        panels.register()
        from parts import imports

        imports.register()  # the Excel imports of the catalogue and stock pages (billing adds prices)
        post_migrate.connect(install_reference_data, sender=self, dispatch_uid="parts.reference")
        entries = (
            (10, pgettext_lazy("menu", "Parts catalogue"), "parts:catalogue", "parts.view_part", "nav-parts"),
            (11, pgettext_lazy("menu", "Stock"), "parts:stock", "parts.view_stockbalance", "nav-stock"),
            (12, pgettext_lazy("menu", "Stock moves"), "parts:moves", "parts.view_stockmove", "nav-stock-moves"),
            (
                13,
                pgettext_lazy("menu", "Reservations"),
                "parts:reservations",
                "parts.view_reservation",
                "nav-reservations",
            ),
            (14, pgettext_lazy("menu", "Warehouses"), "parts:warehouses", "parts.view_warehouse", "nav-warehouses"),
            (
                15,
                pgettext_lazy("menu", "Faulty-part returns"),
                "parts:returns",
                "parts.view_faultyreturn",
                "nav-returns",
            ),
            (
                15,
                pgettext_lazy("menu", "Reorder suggestions"),
                "parts:suggestions",
                "parts.view_stockbalance",
                "nav-sug",
            ),
            (16, pgettext_lazy("menu", "Spare units"), "parts:loaners", "parts.view_loaner", "nav-loaners"),
        )
        for order, label, url_name, permission, element_id in entries:
            register_nav(
                NavEntry(
                    group="parts",  # type: ignore[call-arg,unused-ignore]
                    label=label,
                    url_name=url_name,
                    permission=permission,
                    order=order,
                    element_id=element_id,
                )
            )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        # Messages to customers and staff on order events (acceptance, quote, appointment…).
        from workorders import entity_panels, notifications  # noqa: F401

        entity_panels.register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data and logins; at the top of the domain order, since it drives every app's services."""

    name = "demo"
    verbose_name = _("Demo data")

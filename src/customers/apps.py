from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from customers import site_search

        register_nav(
            NavEntry(
                group="customers",
                label=_("Customers"),
                url_name="customers:list",
                permission="customers.view_customer",
                order=10,
                element_id="nav-customers",
            )
        )
        site_search.register()

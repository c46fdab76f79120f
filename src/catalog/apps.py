from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav

        register_nav(
            NavEntry(
                group="customers",
                label=_("Product models"),
                url_name="catalog:list",
                permission="catalog.view_productmodel",
                order=30,
                element_id="nav-product-models",
            )
        )

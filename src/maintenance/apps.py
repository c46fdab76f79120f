from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = _("Preventive maintenance")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core.navigation import NavEntry, register_nav
        from maintenance import panels
        from maintenance.reference import install_reference_data

        post_migrate.connect(install_reference_data, sender=self, dispatch_uid="maintenance.reference")

        register_nav(
            NavEntry(
                group="maintenance",
                label=_("Maintenance plans"),
                url_name="maintenance:plans",
                permission="maintenance.view_maintenanceplan",
                order=10,
                element_id="nav-maintenance-plans",
            )
        )
        register_nav(
            NavEntry(
                group="maintenance",
                label=_("Inspection roll-up"),
                url_name="maintenance:rollup",
                permission="maintenance.view_inspectionresult",
                order=20,
            )
        )
        register_nav(
            NavEntry(
                group="maintenance",
                label=_("Contracts ending soon"),
                url_name="maintenance:contracts",
                permission="policies.view_contract",
                order=30,
            )
        )
        panels.register()

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Claims")

    def ready(self) -> None:
        from claims import panels
        from claims.reference import install_reference_data
        from claims.timeline import claim_event_params
        from core.navigation import NavEntry, register_nav
        from workorders.panels import register_timeline_params

        post_migrate.connect(install_reference_data, sender=self, dispatch_uid="claims.reference")
        register_timeline_params("claim", claim_event_params)
        register_nav(
            NavEntry(
                group="billing",
                label=_("Claims"),
                url_name="claims:list",
                permission="claims.view_claim",
                order=70,
                element_id="nav-claims",
            )
        )
        register_nav(
            NavEntry(
                group="setup",
                label=_("Claim rule sets"),
                url_name="claims:rule_sets",
                permission="claims.view_claimruleset",
                order=60,
            )
        )
        panels.register()

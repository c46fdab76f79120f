from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Warranty and 三包 policies")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from policies import catalog_api, panels
        from policies import policies as _decisions  # noqa: F401  (registers the reasons' choice sets)
        from policies.reference import install_reference_data
        from policies.services import repair_warranty_days_of_order, warranty_decide_on_transition
        from policies.timeline import warranty_event_params
        from workorders.hooks import register_decider, register_repair_warranty_days
        from workorders.panels import register_timeline_params

        post_migrate.connect(install_reference_data, sender=self, dispatch_uid="policies.reference")
        register_decider(
            name="policies.warranty_decision", actions=("accept", "diagnose"), decide=warranty_decide_on_transition
        )
        register_repair_warranty_days(repair_warranty_days_of_order)
        register_timeline_params("warranty", warranty_event_params)
        register_nav(
            NavEntry(
                group="setup",
                label=_("Warranty policies"),
                url_name="policies:policy_list",
                permission="policies.view_warrantypolicy",
                order=40,
                element_id="nav-warranty-policies",
            )
        )
        register_nav(
            NavEntry(
                group="customers",
                label=_("Contracts"),
                url_name="policies:contract_list",
                permission="policies.view_contract",
                order=41,
                element_id="nav-contracts",
            )
        )
        panels.register()
        catalog_api.register()

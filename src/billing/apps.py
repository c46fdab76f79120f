from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Fees and settlement")

    def ready(self) -> None:
        from billing.panels import quote_panel_context
        from billing.reference import install_reference_data
        from billing.services import quote_follow_order_event
        from billing.timeline import quote_event_params, settlement_event_params
        from core.navigation import NavEntry, register_nav
        from workorders.hooks import register_event_hook
        from workorders.panels import OrderPanel, register_order_panel, register_timeline_params

        register_event_hook(
            name="billing.quote_status", kinds=("quote", "approve_quote", "decline_quote"), run=quote_follow_order_event
        )

        register_timeline_params("quote_lines", quote_event_params)

        register_timeline_params("settlement", settlement_event_params)
        register_order_panel(
            OrderPanel(
                name="billing_quote",
                template="billing/panels/quote.html",
                context=quote_panel_context,
                order=30,
                column="main",
            )
        )
        register_nav(
            NavEntry(
                group="billing",
                label=_("Settlements"),
                url_name="billing:settlements",
                permission="billing.review_settlement",
                order=60,
                element_id="nav-settlements",
            )
        )
        register_nav(
            NavEntry(
                group="billing",
                label=_("Parts to price"),
                url_name="billing:purchase_requests",
                permission="billing.price_purchasequoterequest",
                order=61,
                element_id="nav-purchase-requests",
            )
        )
        register_nav(
            NavEntry(
                group="setup",
                label=_("Fee schedules"),
                url_name="billing:fee_schedules",
                permission="billing.view_feeschedule",
                order=40,
                element_id="nav-fee-schedules",
            )
        )
        register_nav(
            NavEntry(
                group="setup",
                label=_("Parts price lists"),
                url_name="billing:price_lists",
                permission="billing.view_partpricelist",
                order=41,
                element_id="nav-price-lists",
            )
        )
        post_migrate.connect(install_reference_data, sender=self, dispatch_uid="billing.reference")
        from billing import imports

        imports.register()  # the price list from Excel, offered on the parts catalogue page

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from campaigns import panels
        from campaigns.services import ORDER_EVENT_KINDS, campaign_order_event
        from campaigns.versions import register_sqlite_function
        from core.navigation import NavEntry, register_nav
        from workorders.hooks import register_event_hook

        connection_created.connect(register_sqlite_function, dispatch_uid="campaigns.version_key")
        register_event_hook(name="campaigns.progress", kinds=ORDER_EVENT_KINDS, run=campaign_order_event)
        register_nav(
            NavEntry(
                group="maintenance",
                label=_("Campaigns"),
                url_name="campaigns:list",
                permission="campaigns.view_campaign",
                order=30,
                element_id="nav-campaigns",
            )
        )
        panels.register()

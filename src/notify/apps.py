from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_reference_data(**kwargs: Any) -> None:
    from notify.reference import install_reference_data

    install_reference_data()


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from notify import panels

        post_migrate.connect(_install_reference_data, sender=self, dispatch_uid="notify.reference")
        panels.register()
        register_nav(
            NavEntry(
                section="main",
                label=_("Inbox"),
                url_name="notify:inbox",
                permission="notify.view_outboxmessage",
                order=90,
                element_id="nav-inbox",
            )
        )
        register_nav(
            NavEntry(
                section="setup",
                label=_("Notifications"),
                url_name="notify:outbox",
                permission="notify.change_outboxmessage",
                order=60,
                element_id="nav-notifications",
            )
        )
        register_nav(
            NavEntry(
                section="setup",
                label=_("Message templates"),
                url_name="notify:templates",
                permission="notify.change_messagetemplate",
                order=61,
                element_id="nav-message-templates",
            )
        )

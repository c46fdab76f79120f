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
        from core.navigation import HeaderLink, NavEntry, register_header_link, register_nav
        from notify import panels
        from notify.selectors import inbox_unread_count

        post_migrate.connect(_install_reference_data, sender=self, dispatch_uid="notify.reference")
        panels.register()
        # The inbox sits in the header bar with its unread count (updated on every page load).
        register_header_link(
            HeaderLink(
                label=_("Inbox"),
                url_name="notify:inbox",
                icon="bell",
                permission="notify.view_outboxmessage",
                badge=inbox_unread_count,
                badge_hint=_("unread messages"),
                order=90,
                element_id="nav-inbox",
            )
        )
        register_nav(
            NavEntry(
                group="setup",
                label=_("Notifications"),
                url_name="notify:outbox",
                permission="notify.change_outboxmessage",
                order=60,
                element_id="nav-notifications",
            )
        )
        register_nav(
            NavEntry(
                group="setup",
                label=_("Message templates"),
                url_name="notify:templates",
                permission="notify.change_messagetemplate",
                order=61,
                element_id="nav-message-templates",
            )
        )

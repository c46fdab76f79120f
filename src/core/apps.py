from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_last_app(app_config: AppConfig, **kwargs: Any) -> None:
    """Permissions of every app exist only after the last app's post_migrate: sync roles then."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is with_models[-1]:
        from core.roles import sync_role_groups

        sync_role_groups()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core import auth, changelog
        from core.search import synonyms_invalidate

        # An edited synonym group counts from the next query on (core.search).
        post_save.connect(synonyms_invalidate, sender="core.SynonymGroup", dispatch_uid="core.synonyms.save")
        post_delete.connect(synonyms_invalidate, sender="core.SynonymGroup", dispatch_uid="core.synonyms.delete")

        from core.search_vocabulary import install_vocabulary

        post_migrate.connect(install_vocabulary, sender=self, dispatch_uid="core.synonyms.install")
        from core.navigation import NavEntry, register_nav

        register_nav(
            NavEntry(
                group="setup",
                label=_("Staff and units"),
                url_name="core:staff",
                permission="auth.view_user",
                order=5,
                element_id="nav-staff",
            )
        )
        changelog.connect_signals()
        auth.connect_signals()
        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="core.sync_roles")

        from django.contrib.auth.signals import user_logged_in

        from core.middleware import SessionIdleTimeoutMiddleware

        user_logged_in.connect(SessionIdleTimeoutMiddleware.session_started, dispatch_uid="core.session_started")

        from core.navigation import NavEntry, register_nav

        register_nav(
            NavEntry(
                group="setup",
                label=_("Audit log"),
                url_name="core:audit",
                permission="core.view_changelogentry",
                order=90,
                element_id="nav-audit",
            )
        )

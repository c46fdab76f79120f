from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from training import panels

        register_nav(
            NavEntry(
                group="maintenance",
                label=_("Training records"),
                url_name="training:list",
                permission="training.view_trainingrecord",
                order=40,
                element_id="nav-training",
            )
        )
        panels.register()

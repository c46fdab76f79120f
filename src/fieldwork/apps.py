from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_reference_data(**kwargs: Any) -> None:
    from fieldwork.reference import install_reference_data

    install_reference_data()


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = _("Field work")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav

        post_migrate.connect(_install_reference_data, sender=self, dispatch_uid="fieldwork.reference")
        register_nav(
            NavEntry(
                section="main",
                label=_("My jobs"),
                url_name="fieldwork:my_jobs",
                permission="workorders.work_on_workorder",
                order=45,
                element_id="nav-my-jobs",
            )
        )
        register_nav(
            NavEntry(
                section="main",
                label=_("QC inspection"),
                url_name="fieldwork:qc_list",
                permission="workorders.inspect_workorder",
                order=46,
                element_id="nav-qc",
            )
        )

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
        from core.choices import Role
        from core.navigation import Landing, NavEntry, register_landing, register_nav
        from fieldwork.deciders import CHECKLIST_ACTIONS, checklist_decide_on_transition
        from fieldwork.timeline import check_in_event_params, repair_log_event_params, signature_event_params
        from workorders.hooks import register_decider
        from workorders.panels import register_param_labels, register_timeline_params

        register_decider(name="fieldwork.checklist", actions=CHECKLIST_ACTIONS, decide=checklist_decide_on_transition)
        post_migrate.connect(_install_reference_data, sender=self, dispatch_uid="fieldwork.reference")
        # The timeline of an item explained as not done (services.checklist_explain).
        register_param_labels({"checklist_item": _("Checklist item"), "not_done_reason": _("Reason not done")})
        register_timeline_params("check_in", check_in_event_params)
        register_timeline_params("signature", signature_event_params)
        register_timeline_params("repair_log", repair_log_event_params)
        register_nav(
            NavEntry(
                group="dispatch",
                label=_("My jobs"),
                url_name="fieldwork:my_jobs",
                permission="workorders.work_on_workorder",
                order=45,
                element_id="nav-my-jobs",
            )
        )
        # A technician signs in on the phone to today's jobs, not the desktop home.
        register_landing(Landing(role=Role.TECHNICIAN, url_name="fieldwork:my_jobs"))
        register_nav(
            NavEntry(
                group="orders",
                label=_("QC inspection"),
                url_name="fieldwork:qc_list",
                permission="workorders.inspect_workorder",
                order=46,
                element_id="nav-qc",
            )
        )

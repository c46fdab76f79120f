from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up and complaints")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from followup import panels
        from followup.reference import install_reference_data

        post_migrate.connect(install_reference_data, sender=self, dispatch_uid="followup.reference")
        from followup.reference import TEMPLATES
        from notify.reference import DEFAULT_TEMPLATES

        # The messages of this app are notify's ready-made templates too (one list of every message).
        for key, spec in TEMPLATES.items():
            DEFAULT_TEMPLATES.setdefault(key, spec)
        register_nav(
            NavEntry(
                group="aftercare",
                label=_("Callbacks"),
                url_name="followup:callbacks",
                permission="followup.view_callbacktask",
                order=10,
                element_id="nav-callbacks",
            )
        )
        register_nav(
            NavEntry(
                group="aftercare",
                label=_("Complaints"),
                url_name="followup:complaints",
                permission="followup.view_complaint",
                order=20,
                element_id="nav-complaints",
            )
        )
        register_nav(
            NavEntry(
                group="aftercare",
                label=_("Complaint report"),
                url_name="followup:complaint_report",
                permission="followup.view_complaint",
                order=30,
            )
        )
        register_nav(
            NavEntry(
                group="aftercare",
                label=_("Customer care"),
                url_name="followup:care",
                permission="followup.view_carerule",
                order=40,
            )
        )
        register_nav(
            NavEntry(
                group="aftercare",
                label=_("Quality feedback"),
                url_name="followup:quality",
                permission="followup.view_qualityissue",
                order=50,
            )
        )
        panels.register()
        from fieldwork.report_links import register_report_link
        from followup.surveys import survey_report_link

        register_report_link(name="followup.survey", source=survey_report_link)

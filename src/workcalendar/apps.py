from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkcalendarConfig(AppConfig):
    name = "workcalendar"
    verbose_name = _("Work calendars")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav, register_warning_source
        from workcalendar.reference import install_reference_data
        from workcalendar.warnings import holiday_data_warnings

        post_migrate.connect(install_reference_data, sender=self, dispatch_uid="workcalendar.reference")
        register_nav(
            NavEntry(
                group="setup",
                label=_("Work calendars"),
                url_name="workcalendar:list",
                permission="workcalendar.view_workcalendar",
                order=60,
                element_id="nav-work-calendars",
            )
        )
        register_warning_source(holiday_data_warnings)

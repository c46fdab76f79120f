from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from dispatch import panels, services
        from dispatch.timeline import appointment_event_params
        from workorders.hooks import register_assignment_admission, register_assignment_check, register_event_hook
        from workorders.panels import register_timeline_params

        register_assignment_check(services.assignment_check)
        register_timeline_params("appointment", appointment_event_params)
        register_event_hook(
            name="dispatch.appointments", kinds=("schedule", "assign", "cancel"), run=services.appointment_sync_on_event
        )
        panels.register()
        register_assignment_admission(services.loan_admission)
        register_nav(
            NavEntry(
                group="dispatch",
                label=_("Dispatch"),
                url_name="dispatch:board",
                permission="dispatch.view_dispatchplan",
                order=40,
                element_id="nav-dispatch",
            )
        )
        register_nav(
            NavEntry(
                group="dispatch",
                label=_("Technicians"),
                url_name="dispatch:technicians",
                permission="dispatch.view_technicianprofile",
                order=50,
                element_id="nav-technicians",
            )
        )

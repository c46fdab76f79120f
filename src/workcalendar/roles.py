"""Which roles may use this app's models (merged into the role groups by core.roles).

Calendars are organisation-wide configuration: directors and admins manage them, every other
staff role may look (the SLA deadlines on their orders count in them)."""

from core.choices import Role

VIEW = ["workcalendar.view_workcalendar", "workcalendar.view_calendarday", "workcalendar.view_holidayyear"]
MANAGE = VIEW + [
    "workcalendar.add_workcalendar",
    "workcalendar.change_workcalendar",
    "workcalendar.add_calendarday",
    "workcalendar.change_calendarday",
    "workcalendar.change_holidayyear",  # "this year's list is complete", and withdrawing it
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: VIEW,
    Role.DISPATCHER: VIEW,
    Role.TECHNICIAN: VIEW,
    Role.QC_INSPECTOR: VIEW,
    Role.DIRECTOR: MANAGE,
    Role.FINANCE: VIEW,
    Role.PARTS_CLERK: VIEW,
    Role.STATION: VIEW,
    Role.ADMIN: MANAGE,
}

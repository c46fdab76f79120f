"""Which roles may use this app's models (merged into the role groups by core.roles).

The actions themselves are checked against the work-order permissions of the transition table
(``work_on_workorder``, ``inspect_workorder``); these grants say who may read the records."""

from core.choices import Role

VIEW = [
    "fieldwork.view_checklistitem",
    "fieldwork.view_visitchecklist",
    "fieldwork.view_checkin",
    "fieldwork.view_repairplan",
    "fieldwork.view_repairlogentry",
    "fieldwork.view_customersignature",
    "fieldwork.view_servicereport",
]
WORK = VIEW + [
    "fieldwork.add_visitchecklist",
    "fieldwork.change_visitchecklist",
    "fieldwork.add_checkin",
    "fieldwork.add_repairplan",
    "fieldwork.change_repairplan",
    "fieldwork.add_repairlogentry",
    "fieldwork.add_customersignature",
    "fieldwork.add_servicereport",
]
CONFIGURE = ["fieldwork.add_checklistitem", "fieldwork.change_checklistitem"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.TECHNICIAN: WORK,
    Role.STATION: WORK,
    Role.DIRECTOR: WORK + CONFIGURE,
    Role.QC_INSPECTOR: VIEW + ["fieldwork.add_servicereport"],
    Role.AGENT: VIEW + ["fieldwork.add_servicereport"],
    Role.DISPATCHER: VIEW,
    Role.FINANCE: ["fieldwork.view_servicereport"],
    Role.ADMIN: VIEW + CONFIGURE,
}

"""Which roles may use this app's models (merged into the role groups by core.roles)."""

from core.choices import Role

VIEW = [
    "dispatch.view_technicianprofile",
    "dispatch.view_appointment",
    "dispatch.view_technicianloan",
    "dispatch.view_dispatchplan",
]
DISPATCH = VIEW + [
    "dispatch.add_technicianprofile",
    "dispatch.change_technicianprofile",
    "dispatch.add_appointment",
    "dispatch.change_appointment",
    "dispatch.add_technicianloan",
    "dispatch.decide_technicianloan",
    "dispatch.add_dispatchplan",
    "dispatch.change_dispatchplan",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DISPATCHER: DISPATCH,
    Role.DIRECTOR: DISPATCH + ["dispatch.approve_dispatchplan"],
    Role.STATION: DISPATCH,
    Role.AGENT: ["dispatch.view_appointment", "dispatch.add_appointment", "dispatch.change_appointment"],
    Role.TECHNICIAN: ["dispatch.view_appointment"],
    Role.ADMIN: VIEW + ["dispatch.add_technicianprofile", "dispatch.change_technicianprofile"],
}

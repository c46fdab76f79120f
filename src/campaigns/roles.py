"""Who runs campaigns: HQ's director (and the admin) create and launch them; dispatchers launch and
join devices for the centres; technicians and stations see their area's part and record a
device's outcome (the firmware installed, unreachable); agents see them to answer customers."""

from core.choices import Role

VIEW = ["campaigns.view_campaign", "campaigns.view_campaigntarget"]
CREATE = ["campaigns.add_campaign"]
LAUNCH = ["campaigns.launch_campaign"]
RECORD = ["campaigns.record_campaigntarget"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DIRECTOR: VIEW + CREATE + LAUNCH + RECORD,
    Role.ADMIN: VIEW + CREATE + LAUNCH + RECORD,
    Role.DISPATCHER: VIEW + LAUNCH + RECORD,
    Role.TECHNICIAN: VIEW + RECORD,
    Role.STATION: VIEW + RECORD,
    Role.AGENT: VIEW,
}

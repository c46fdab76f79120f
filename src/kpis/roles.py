"""Who sees which figures: the director, agents, dispatchers, QC and admins see the figures of
the units in their sight (HQ: every unit); a station sees its own; a technician sees the figures
of the orders assigned to them. The director and admin export."""

from core.choices import Role

VIEW = ["kpis.view_kpis"]
OWN = ["kpis.view_own_kpis"]
EXPORT = ["kpis.export_kpis"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DIRECTOR: VIEW + EXPORT + ["kpis.lock_scorecard"],
    Role.ADMIN: VIEW + EXPORT,
    Role.AGENT: VIEW,
    Role.DISPATCHER: VIEW,
    Role.QC_INSPECTOR: VIEW,
    Role.STATION: VIEW + EXPORT,
    Role.TECHNICIAN: OWN,
}

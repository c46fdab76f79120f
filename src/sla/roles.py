"""Which roles may use this app's models (merged into the role groups by core.roles)."""

from core.choices import Role

VIEW = ["sla.view_servicelevel", "sla.view_orderservicelevel", "sla.view_backupunittask"]
CONFIGURE = ["sla.add_servicelevel", "sla.change_servicelevel"]
BACKUP_UNITS = ["sla.change_backupunittask"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: VIEW,
    Role.DISPATCHER: VIEW,
    Role.TECHNICIAN: VIEW,
    Role.QC_INSPECTOR: VIEW,
    Role.DIRECTOR: VIEW + CONFIGURE + BACKUP_UNITS,
    Role.FINANCE: VIEW,
    Role.PARTS_CLERK: VIEW + BACKUP_UNITS,
    Role.STATION: VIEW + BACKUP_UNITS,
    Role.ADMIN: VIEW + CONFIGURE + BACKUP_UNITS,
}

"""Who does preventive maintenance: the director and dispatchers plan and generate; stations see
and generate their own area's plans; technicians record inspection results on their orders."""

from core.choices import Role

VIEW = ["maintenance.view_maintenanceplan", "maintenance.view_checklisttemplate", "maintenance.view_inspectionresult"]
PLAN = ["maintenance.add_maintenanceplan", "maintenance.change_maintenanceplan", "maintenance.generate_maintenanceplan"]
RECORD = ["maintenance.add_inspectionresult", "maintenance.change_inspectionresult"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DIRECTOR: VIEW + PLAN,
    Role.DISPATCHER: VIEW + PLAN,
    Role.STATION: VIEW + PLAN + RECORD,
    Role.TECHNICIAN: VIEW + RECORD,
    Role.AGENT: VIEW,
    Role.ADMIN: VIEW + PLAN,
}

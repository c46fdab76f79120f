"""Which roles may use this app's models (merged into the role groups by core.roles)."""

from core.choices import Role

VIEW_POLICIES = ["policies.view_warrantypolicy", "policies.view_contract"]
EDIT_POLICIES = ["policies.add_warrantypolicy"]
EDIT_CONTRACTS = ["policies.add_contract", "policies.change_contract"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: VIEW_POLICIES + EDIT_CONTRACTS,
    Role.DISPATCHER: VIEW_POLICIES,
    Role.TECHNICIAN: VIEW_POLICIES,
    Role.QC_INSPECTOR: VIEW_POLICIES,
    Role.DIRECTOR: VIEW_POLICIES + EDIT_POLICIES + EDIT_CONTRACTS,
    Role.FINANCE: VIEW_POLICIES,
    Role.PARTS_CLERK: VIEW_POLICIES,
    Role.STATION: VIEW_POLICIES,
    Role.ADMIN: VIEW_POLICIES + EDIT_POLICIES + EDIT_CONTRACTS,
}

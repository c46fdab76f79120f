"""Which roles may use parts and stock (SPEC §1, §8). The parts clerk keeps the catalogue and
moves stock; a station moves its own stock; a technician reserves for their orders and issues
and returns parts on them (from their van); the others read. The unit decides on which stock."""

from core.choices import Role

VIEW_CATALOGUE = ["parts.view_part", "parts.view_warehouse"]
VIEW_STOCK = ["parts.view_stockbalance", "parts.view_stockmove", "parts.view_reservation"]
KEEP_CATALOGUE = ["parts.add_part", "parts.change_part", "parts.add_warehouse", "parts.change_warehouse"]
MOVE = ["parts.add_stockmove", "parts.add_reservation", "parts.change_reservation"]
RETURNS_VIEW = ["parts.view_faultyreturn", "parts.view_loaner", "parts.view_loanerloan"]
RETURNS = ["parts.add_faultyreturn", "parts.change_faultyreturn", "parts.add_loaner", "parts.change_loaner"]
ISSUE = ["parts.issue_stockmove"]
USE_ON_ORDERS = ["parts.issue_stockmove", "parts.add_reservation", "parts.change_reservation"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: VIEW_CATALOGUE,
    Role.DISPATCHER: VIEW_CATALOGUE + VIEW_STOCK + RETURNS_VIEW,
    Role.TECHNICIAN: VIEW_CATALOGUE + VIEW_STOCK + USE_ON_ORDERS + RETURNS_VIEW + ["parts.add_faultyreturn"],
    Role.QC_INSPECTOR: VIEW_CATALOGUE,
    Role.DIRECTOR: VIEW_CATALOGUE
    + VIEW_STOCK
    + KEEP_CATALOGUE
    + MOVE
    + ["parts.issue_stockmove"]
    + RETURNS_VIEW
    + RETURNS,
    Role.FINANCE: VIEW_CATALOGUE + VIEW_STOCK + RETURNS_VIEW,
    Role.PARTS_CLERK: VIEW_CATALOGUE
    + VIEW_STOCK
    + KEEP_CATALOGUE
    + MOVE
    + ["parts.issue_stockmove"]
    + RETURNS_VIEW
    + RETURNS,
    Role.STATION: VIEW_CATALOGUE + VIEW_STOCK + MOVE + ISSUE + RETURNS_VIEW + RETURNS,
    Role.ADMIN: VIEW_CATALOGUE + VIEW_STOCK + KEEP_CATALOGUE + RETURNS_VIEW,
}

"""Which roles may use this app's models (merged into the role groups by core.roles).

Every staff role reads its own in-app messages and the delivery log of the orders it can see
(``view_outboxmessage``); directors and admins run the outbox console and retry failed messages
(``change_outboxmessage``); admins edit message templates (directors may read them).
"""

from core.choices import Role

READ = ["notify.view_outboxmessage"]
CONSOLE = ["notify.view_outboxmessage", "notify.change_outboxmessage", "notify.view_messagetemplate"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: READ,
    Role.DISPATCHER: READ,
    Role.TECHNICIAN: READ,
    Role.QC_INSPECTOR: READ,
    Role.FINANCE: READ,
    Role.PARTS_CLERK: READ,
    Role.STATION: READ,
    Role.DIRECTOR: CONSOLE,
    Role.ADMIN: CONSOLE
    + [
        "notify.change_messagetemplate",
        "notify.view_staffcontact",
        "notify.add_staffcontact",
        "notify.change_staffcontact",
    ],
}

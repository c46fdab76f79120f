"""Which roles may use this app's models (merged into the role groups by core.roles)."""

from core.choices import Role

READ_PRICES = ["billing.view_feeschedule", "billing.view_partpricelist", "billing.view_partprice"]
QUOTE_AND_SETTLE = READ_PRICES + [
    "billing.view_quote",
    "billing.add_quote",
    "billing.view_purchasequoterequest",
    "billing.add_purchasequoterequest",
    "billing.view_settlement",
    "billing.add_settlement",
]
CONFIGURE = ["billing.add_feeschedule", "billing.add_partpricelist"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: QUOTE_AND_SETTLE,
    Role.STATION: QUOTE_AND_SETTLE,
    Role.DIRECTOR: QUOTE_AND_SETTLE + CONFIGURE + ["billing.review_settlement"],
    Role.FINANCE: READ_PRICES
    + ["billing.view_quote", "billing.view_settlement", "billing.review_settlement"]
    + CONFIGURE,
    Role.PARTS_CLERK: READ_PRICES
    + ["billing.view_purchasequoterequest", "billing.price_purchasequoterequest", "billing.add_partpricelist"],
    Role.DISPATCHER: READ_PRICES + ["billing.view_quote"],
    Role.TECHNICIAN: READ_PRICES + ["billing.view_quote"],
    Role.ADMIN: READ_PRICES + CONFIGURE + ["billing.view_quote", "billing.view_settlement"],
}

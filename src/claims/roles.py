"""Which roles may use claims: engineers and stations record the facts on site and decide by the
rule set; finance reviews the bank's slip and pays; the director approves payment and keeps the
rule sets (a new version per change)."""

from core.choices import Role

VIEW = ["claims.view_claim", "claims.view_claimruleset", "claims.view_claimevidence"]
RECORD = ["claims.add_claim", "claims.change_claim", "claims.decide_claim", "claims.add_claimevidence"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: VIEW + RECORD,
    Role.DISPATCHER: VIEW,
    Role.TECHNICIAN: VIEW + RECORD,
    Role.STATION: VIEW + RECORD,
    Role.FINANCE: VIEW + ["claims.add_claimevidence", "claims.review_claim", "claims.pay_claim", "claims.reject_claim"],
    Role.DIRECTOR: VIEW
    + RECORD
    + [
        "claims.review_claim",
        "claims.approve_claim",
        "claims.reject_claim",
        "claims.add_claimruleset",
        "claims.change_claimruleset",
    ],
    Role.ADMIN: VIEW + ["claims.add_claimruleset", "claims.change_claimruleset"],
}

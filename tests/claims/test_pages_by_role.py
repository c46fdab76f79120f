"""Every claims console page rendered for every role: 200 where the role may, 403 where not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from claims.models import Claim, ClaimRuleSet
from core.choices import Role
from core.testing import make_user

from .conftest import ELIGIBLE_ANSWERS

pytestmark = pytest.mark.django_db

VIEW = frozenset({Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.STATION, Role.FINANCE, Role.DIRECTOR, Role.ADMIN})
#: page → the roles that may open it (the rest get 403).
PAGES: dict[str, frozenset[str]] = {
    "/claims/": VIEW,
    "/claims/{claim}/": VIEW,
    "/claims/new/": frozenset({Role.AGENT, Role.TECHNICIAN, Role.STATION, Role.DIRECTOR, Role.ADMIN}),
    "/claims/rule-sets/": VIEW,
    "/claims/rule-sets/{rule_set}/": VIEW,
    "/claims/rule-sets/{rule_set}/new-version/": frozenset({Role.DIRECTOR, Role.ADMIN}),
}


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_claims_page_opens_for_the_roles_that_may_use_it(
    role: str, org: Any, make_claim: Any, customer_a: Any, rule_set: ClaimRuleSet
) -> None:
    claim: Claim = make_claim(customer_a, answers=ELIGIBLE_ANSWERS)
    unit = org.station_a if role == Role.STATION else org.hq
    client = Client()
    client.force_login(make_user(role, unit))
    for page, allowed in PAGES.items():
        url = page.format(claim=claim.pk, rule_set=rule_set.pk)
        response = client.get(url)
        assert response.status_code == (200 if role in allowed else 403), (role, url)

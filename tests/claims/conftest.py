"""Fixtures for claims: the ready-made counterfeit-note rule set, finance, answers that pass."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import ClaimRuleSet
from claims.reference import COUNTERFEIT_CODE, install_counterfeit_rule_set
from claims.services import claim_create
from core.choices import Role
from core.testing import make_user
from tests.conftest import speak_english  # noqa: F401  (this app's modules import it from here)

#: Facts on site under which every condition 1–4 is met and no exclusion a)–g) applies.
ELIGIBLE_ANSWERS = {
    "notified_immediately": "yes",
    "detection_fully_on": "yes",
    "serial_found_in_machine": "yes",
    "export_connected": "yes",
    "outlet": "accepted",
    "serial_altered": "no",
    "records_obstructed": "no",
    "agent_paid_privately": "no",
}

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def slip_file(name: str = "假币鉴别单.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted by their English msgids (zh-hans is the project default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def rule_set(db: Any) -> ClaimRuleSet:
    install_counterfeit_rule_set()
    return ClaimRuleSet.objects.filter(code=COUNTERFEIT_CODE).order_by("-version").first()


@pytest.fixture
def finance(org: Any) -> Any:
    return make_user(Role.FINANCE, org.hq, username="finance")


@pytest.fixture
def make_claim(rule_set: ClaimRuleSet, agent: Any) -> Any:
    def build(customer: Any, *, amount: str = "100.00", answers: dict[str, str] | None = None, **extra: Any) -> Any:
        return claim_create(
            acting_user=extra.pop("acting_user", agent),
            rule_set=extra.pop("rule_set_override", rule_set),
            customer=customer,
            claimed_amount=Decimal(amount),
            answers=answers,
            **extra,
        )

    return build


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en  # this app's API tests assert English msgids: its API users chose English

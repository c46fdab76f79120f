"""The public service terms page (服务条款) is generated from the live configuration: service
items, the fee schedule in force, response commitments, warranty terms with the exclusions the
policies configure, and the contacts of the service network — in Chinese and in English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def terms_text(lang: str) -> str:
    response = Client().get(f"/s/terms/?lang={lang}")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Service terms", "Response commitments", "Warranty terms", "main parts 24 months", "Contacts"]),
        ("zh-hans", ["服务条款", "响应承诺", "保修条款", "收费标准", "服务热线"]),
    ],
    ids=["english", "chinese"],
)
def test_terms_page_has_every_section_in_both_languages(lang: str, words: list[str]) -> None:
    from sla.models import ServiceLevel

    page = terms_text(lang)
    for word in words:
        assert word in page, word
    level = ServiceLevel.objects.filter(is_active=True).order_by("rank", "code").first()
    assert level is not None and level.name in page
    assert 'id="terms-commitments"' in page and 'id="terms-warranty"' in page and 'id="terms-exclusions"' in page
    assert "笔记本电脑：整机1年，主要部件2年" in page  # the ready-made notebook policy


def test_exclusions_come_from_the_policies_in_force(director: Any) -> None:
    from catalog.models import ProductCategory
    from policies.services import warranty_policy_create

    page = terms_text("en")
    exclusions = page.split('id="terms-exclusions">')[1].split("</p>")[0]
    assert "Water or damp" in exclusions and "Normal wear and tear" in exclusions
    assert "policy-exclusions" not in page
    warranty_policy_create(
        acting_user=director,
        category=ProductCategory.objects.get(code="phone"),
        effective_from=timezone.localdate(),
        excluded_causes=["water"],
    )
    page = terms_text("en")
    phone_row = page.split("手机：主机1年，电池6个月")[1].split("</li>")[0]
    assert 'class="small d-block policy-exclusions">Not covered: Water or damp</span>' in phone_row


def test_contacts_list_the_service_units_with_their_phones(org: Any) -> None:
    org.station_a.phone, org.station_a.address = "0571-88886666", "杭州市西湖区文三路 1 号"
    org.station_a.save(update_fields=["phone", "address"])
    page = terms_text("en")
    units = page.split('id="terms-units"')[1].split("</ul>")[0]
    assert "西湖特约维修站" in units and 'href="tel:0571-88886666"' in units and "西湖区" in units
    assert "北京海淀特约维修站" not in units  # no phone configured: not listed

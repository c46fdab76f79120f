"""Devices in the header's search (core.site_search): serial, model, owner; an exact serial
number of one device the user may see opens that device."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.site_search import SearchHit, SearchKind, register_search_kind
from devices.models import Device
from devices.selectors import device_search, devices_visible_to


def _find(user: Any, query: str) -> QuerySet[Device]:
    return device_search(user=user, query=query).order_by("-id")


def _exact(user: Any, query: str) -> str | None:
    """Serials are unique per model only: the device when exactly one visible device has it."""
    ids = list(devices_visible_to(user).filter(serial_number__iexact=query).values_list("pk", flat=True)[:2])
    return reverse("devices:detail", args=[ids[0]]) if len(ids) == 1 else None


def _hit(device: Device) -> SearchHit:
    model = device.product_model
    return SearchHit(
        title=f"{model.code} #{device.serial_number}",
        detail=" · ".join(part for part in (model.name, device.customer.name) if part),
        url=reverse("devices:detail", args=[device.pk]),
    )


def register() -> None:
    register_search_kind(
        SearchKind(
            key="devices",
            label=_("Devices"),
            permission="devices.view_device",
            find=_find,
            hit=_hit,
            exact=_exact,
            list_url_name="devices:list",
            order=30,
        )
    )

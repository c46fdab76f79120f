"""How the technician's events read on the order's timeline (issue 18, point 7): the arrival and
its position, who signed; never the keys or row ids the events carry for the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from workorders.panels import moment_text


def check_in_event_params(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    rows = [(_("arrived on site"), moment_text(data.get("arrived_at")))] if data.get("arrived_at") else []
    if data.get("lat") is not None and data.get("lon") is not None:
        rows.append((_("position"), f"{data['lat']}, {data['lon']}"))
    return rows


def signature_event_params(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    return [(_("signed by"), str(data["signer"]))] if data.get("signer") else []


def repair_log_event_params(event: Any) -> list[tuple[str, str]]:
    return []  # the entry's text is the event's note

"""The change history people read (issue 18, point 7): field names, choice labels, the related
record and local time instead of the log's raw codes, ids and ISO timestamps."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from core.choices import UnitKind
from core.models import ChangeLogEntry, OrgUnit
from core.templatetags.changelog import field_changes

pytestmark = pytest.mark.django_db


def _entry(unit: OrgUnit, before: dict, after: dict) -> ChangeLogEntry:
    return ChangeLogEntry(
        content_type=ContentType.objects.get_for_model(OrgUnit),
        object_id=str(unit.pk),
        object_repr=str(unit),
        action=ChangeLogEntry.Action.UPDATE,
        before=before,
        after=after,
    )


def test_codes_ids_and_timestamps_read_as_people_read_them() -> None:
    hq = OrgUnit.objects.create(code="HQX", name="总部X", kind=UnitKind.HQ)
    unit = OrgUnit.objects.create(code="STX", name="西湖站X", kind=UnitKind.STATION, parent=hq)
    entry = _entry(
        unit,
        {"kind": "centre", "parent_id": None, "is_active": True, "created_at": "2026-12-03T02:05:00+00:00"},
        {"kind": "station", "parent_id": hq.pk, "is_active": False, "created_at": "2026-12-03T02:05:00Z"},
    )
    with translation.override("zh-hans"):
        rows = field_changes(entry)
    assert rows[0] == ("类型", "服务中心", "特约维修站")
    assert rows[1][1:] == (None, str(hq))
    assert rows[2][1:] == ("是", "否")
    assert rows[3][1:] == ("2026-12-03 10:05", "2026-12-03 10:05")  # Asia/Shanghai
    with translation.override("en"):
        names = [name for name, _old, _new in field_changes(entry)]
    assert names == ["kind", "parent unit", "active", "created at"]


def test_unknown_keys_deleted_records_and_json_are_shown_without_raw_structures() -> None:
    unit = OrgUnit.objects.create(code="STY", name="站Y", kind=UnitKind.STATION)
    entry = _entry(unit, {"parent_id": 999999, "legacy": {"a": 1}}, {"parent_id": None, "legacy": "x"})
    with translation.override("en"):
        rows = field_changes(entry)
    assert rows == [("parent unit", "#999999", None), ("legacy", "(changed)", "x")]

"""The audit log (issue 10, point 6): who changed what (the generic change log, core.changelog) and
every refused request (``AccessRefusal``), for admins and directors, filterable by user, object
type and date range, exportable as CSV.

Scoping follows the one rule (core.scoping) applied to the *acting* user's unit: HQ staff and
superusers see every entry, a centre's director those made by the people of the centre and its
stations. Entries without a person (the system, a customer on the portal, an anonymous request)
are organisation-wide: only viewers who see every unit see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AccessRefusal, ChangeLogEntry
from core.scoping import ALL_UNITS, unit_ids_visible_to

VIEW_CHANGES = "core.view_changelogentry"
VIEW_REFUSALS = "core.view_accessrefusal"
#: The most rows one CSV export carries (the filters narrow it further).
EXPORT_LIMIT = 50000


@dataclass(frozen=True)
class AuditFilters:
    """The page's filters, read from the query string; bad values are ignored (never a 400)."""

    user_id: int | None = None
    content_type_id: int | None = None
    start: date | None = None
    end: date | None = None

    @classmethod
    def from_query(cls, query: Any) -> AuditFilters:
        def number(name: str) -> int | None:
            raw = str(query.get(name, "")).strip()
            return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(str(query.get(name, "")).strip())
            except ValueError:
                return None

        return cls(user_id=number("user"), content_type_id=number("type"), start=day("from"), end=day("to"))


def _by_acting_unit(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    units = unit_ids_visible_to(user)
    if units is ALL_UNITS:
        return queryset
    return queryset.filter(user__profile__unit_id__in=units or [])


def _in_range(queryset: QuerySet[Any], filters: AuditFilters) -> QuerySet[Any]:
    zone = timezone.get_current_timezone()
    if filters.start is not None:
        queryset = queryset.filter(at__gte=datetime.combine(filters.start, time.min, tzinfo=zone))
    if filters.end is not None:
        queryset = queryset.filter(at__lt=datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=zone))
    if filters.user_id is not None:
        queryset = queryset.filter(user_id=filters.user_id)
    return queryset


def changes_visible_to(user: Any, filters: AuditFilters | None = None) -> QuerySet[ChangeLogEntry]:
    """The change-log entries this user may read (nothing without the permission), newest first."""
    if not user.has_perm(VIEW_CHANGES):
        return ChangeLogEntry.objects.none()
    filters = filters or AuditFilters()
    queryset = _in_range(_by_acting_unit(ChangeLogEntry.objects.all(), user), filters)
    if filters.content_type_id is not None:
        queryset = queryset.filter(content_type_id=filters.content_type_id)
    return queryset.select_related("user", "content_type").order_by("-at", "-id")


def refusals_visible_to(user: Any, filters: AuditFilters | None = None) -> QuerySet[AccessRefusal]:
    """The refused requests this user may read (nothing without the permission), newest first."""
    if not user.has_perm(VIEW_REFUSALS):
        return AccessRefusal.objects.none()
    queryset = _in_range(_by_acting_unit(AccessRefusal.objects.all(), user), filters or AuditFilters())
    return queryset.select_related("user").order_by("-at", "-id")


def audit_object_types() -> list[tuple[int, str]]:
    """The kinds of record the change log holds, by their readable name (the filter's choices)."""
    ids = ChangeLogEntry.objects.order_by().values_list("content_type_id", flat=True).distinct()
    types = ContentType.objects.filter(pk__in=list(ids))
    named = [(ct.pk, str(model._meta.verbose_name) if (model := ct.model_class()) else ct.model) for ct in types]
    return sorted(named, key=lambda item: item[1])


def audit_users(viewer: Any) -> QuerySet[Any]:
    """The people the user filter offers: staff of the units the viewer sees."""
    users = get_user_model().objects.filter(profile__isnull=False).select_related("profile__unit")
    units = unit_ids_visible_to(viewer)
    if units is not ALL_UNITS:
        users = users.filter(profile__unit_id__in=units or [])
    return users.order_by("username")


def person(user: Any) -> str:
    if user is None:
        return str(_("system"))
    return str(user.get_full_name() or user.get_username())


def change_summary(entry: ChangeLogEntry) -> str:
    """What changed, as people read it (the order page's change history, one line)."""
    from core.templatetags.changelog import field_changes

    if entry.action != ChangeLogEntry.Action.UPDATE:
        return ""
    return "; ".join(
        f"{name}: {'—' if old is None else old} → {'—' if new is None else new}"
        for name, old, new in field_changes(entry)
    )


def object_type_name(entry: ChangeLogEntry) -> str:
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else entry.content_type.model


CHANGE_HEADER = (_("Time"), _("By"), _("Object type"), _("Record"), _("Change"), _("Fields"), _("Request id"))
REFUSAL_HEADER = (_("Time"), _("By"), _("Method"), _("Path"), _("Reason"), _("Client address"), _("Request id"))


def change_rows(entries: QuerySet[ChangeLogEntry]) -> Any:
    for entry in entries[:EXPORT_LIMIT].iterator(chunk_size=500):
        yield [
            entry.at,
            person(entry.user),
            object_type_name(entry),
            entry.object_repr,
            entry.get_action_display(),
            change_summary(entry),
            entry.request_id,
        ]


def refusal_rows(refusals: QuerySet[AccessRefusal]) -> Any:
    for refusal in refusals[:EXPORT_LIMIT].iterator(chunk_size=500):
        yield [
            refusal.at,
            person(refusal.user) if refusal.user_id else str(_("anonymous")),
            refusal.method,
            refusal.path,
            refusal.reason,
            refusal.client_ip,
            refusal.request_id,
        ]

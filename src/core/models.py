"""Shared base: organisation units, user profiles, change log, tokens, idempotency, numbering."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import LanguageChoices, Role, UnitKind


class BaseModel(models.Model):
    """Every business model: timestamps and a generic change log (see core.changelog).

    Nothing is hard-deleted; models that can be retired carry an ``is_active`` flag or a status.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    change_logged = True
    _loaded_snapshot: dict[str, Any] | None = None

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:  # type: ignore[override]
        instance = super().from_db(db, field_names, values)
        # The change log compares against what was loaded, without a second query on save.
        instance._loaded_snapshot = dict(zip(field_names, values, strict=False))
        return instance


class OrgUnit(BaseModel):
    """HQ → service centres → stations. A user's unit and role decide what they may see."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency of the staff console

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CoverageRegion(BaseModel):
    """An administrative division (adcode prefix: 2 = province, 4 = city, 6 = district) a unit serves."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="regions")
    adcode_prefix = models.CharField(_("region code"), max_length=6)
    name = models.CharField(_("region name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("coverage region")
        verbose_name_plural = _("coverage regions")
        constraints = [models.UniqueConstraint(fields=["unit", "adcode_prefix"], name="uniq_unit_region")]
        indexes = [models.Index(fields=["adcode_prefix"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.name or self.adcode_prefix}"


class UserProfile(BaseModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=LanguageChoices.choices, default=LanguageChoices.ZH_HANS
    )
    # Bumped by every edit of the person in the staff console or API (roles and account included).
    version = models.PositiveIntegerField(default=1)

    #: The account's facts the staff console logs on the profile's history (core.staff): label and
    #: the choices their codes come from.
    change_log_extra: ClassVar[dict[str, tuple[Any, Any]]] = {
        "username": (_("user name"), None),
        "full_name": (_("full name"), None),
        "email": (_("e-mail"), None),
        "is_active": (_("active"), None),
        "roles": (_("roles"), Role),
        "password": (_("password changed"), None),
    }

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class ChangeLogEntry(models.Model):
    """Generic history of every business model: who, when, request, before/after."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=8, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    request_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class AccessRefusal(models.Model):
    """A refused request (HTTP 403): who, what path, when — every permission refusal of the
    console, the API and the CSRF check (ASVS 4.0.3 §7.1.3), written by
    ``core.middleware.AccessRefusalMiddleware`` and read on the audit-log page."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL
    )
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=500)
    client_ip = models.CharField(_("client address"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("refused access")
        verbose_name_plural = _("refused accesses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class ApiToken(models.Model):
    """A bearer token for the public API; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token of {self.user_id}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: Any) -> str:
        key = secrets.token_urlsafe(32)
        cls.objects.create(user=user, key_hash=cls.hash_key(key))
        return key


class IdempotencyRecord(models.Model):
    """The first response to a creation request with an ``Idempotency-Key``, replayed on retries."""

    key = models.CharField(max_length=128)
    scope = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)  # the daily purge

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "user", "key"], name="uniq_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class NumberSequence(models.Model):
    """Per-prefix counter for human numbers (WO-20261122-0001). Gaps are fine; duplicates are not."""

    prefix = models.CharField(max_length=32, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last_value}"


class SavedView(BaseModel):
    """A named set of list filters a user keeps (e.g. "my urgent repairs")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(_("list"), max_length=64)
    name = models.CharField(_("name"), max_length=64)
    query_string = models.CharField(_("filters"), max_length=1000)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(fields=["user", "list_name", "name"], name="uniq_saved_view")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SynonymGroup(BaseModel):
    """Words that mean the same to a customer and a technician (死机 / 卡死): a query for one
    finds the others (core.search). Kept as data; admins edit it; a data migration seeds it."""

    terms = models.CharField(
        _("terms"), max_length=500, help_text=_("Words that mean the same, separated by slashes: 死机/卡死/卡住")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering: ClassVar[list[str]] = ["pk"]

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        return [t.strip().lower() for t in self.terms.replace("／", "/").split("/") if t.strip()]


class SearchDocument(models.Model):
    """One searchable record's pre-segmented text (core.search): the rows of the full-text index
    (SQLite FTS5 ``core_search_fts`` with rowid = this id; PostgreSQL ``tsv`` tsvector + GIN),
    written in the same transaction as the record by its service."""

    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    title = models.TextField(default="")  # title tokens, space-separated
    body = models.TextField(default="")  # body tokens (words, characters, pinyin), space-separated
    length = models.PositiveIntegerField(default=0)
    product_model_id = models.BigIntegerField(null=True, blank=True)
    product_category_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="core_searchdocument_kind_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id}"

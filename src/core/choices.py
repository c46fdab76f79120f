from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


def choice_labels(choices: type[models.Choices], values: Iterable[Any] | None) -> list[str]:
    """The labels of stored codes (a JSON list field of a choice set), for people to read; a value
    the set does not know is shown as it is (issue 18, point 7: never ``repair, installation``)."""
    known = set(choices.values)
    return [str(choices(value).label) if value in known else str(value) for value in values or ()]


class UnitKind(models.TextChoices):
    HQ = "hq", _("Headquarters")
    CENTRE = "centre", _("Service centre")
    STATION = "station", _("Authorised station")


class LanguageChoices(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Role(models.TextChoices):
    """Staff roles of SPEC §1; each is a Django group with its permissions (core.roles)."""

    AGENT = "agent", _("Agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    TECHNICIAN = "technician", _("Technician")
    QC_INSPECTOR = "qc_inspector", _("QC inspector")
    DIRECTOR = "director", _("Service director")
    FINANCE = "finance", _("Finance")
    PARTS_CLERK = "parts_clerk", _("Parts clerk")
    STATION = "station", _("Station staff")
    ADMIN = "admin", _("Administrator")


class FeeKind(models.TextChoices):
    """Kinds of charge on a quote (seed 000 第三篇 附件1 服务收费标准); contracts waive them by kind."""

    LABOUR = "labour", _("Labour")
    PARTS = "parts", _("Parts")
    SOFTWARE = "software", _("Software service")
    TRAVEL = "travel", _("Travel")
    LODGING = "lodging", _("Lodging")
    MEALS = "meals", _("Meals")
    ALLOWANCE = "allowance", _("Personnel allowance")

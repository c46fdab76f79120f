"""Choice sets of the parts app (SPEC §8, §14.2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")
    OBSOLETE = "obsolete", _("Obsolete")


class WarehouseKind(models.TextChoices):
    HQ = "hq", _("Headquarters warehouse")
    CENTRE = "centre", _("Distribution centre")
    DEPOT = "depot", _("City depot")
    STATION = "station", _("Station stock")
    VAN = "van", _("Technician van")


class MoveKind(models.TextChoices):
    """What a move does. The first seven are what ``POST /stock/moves`` takes (SPEC §14.2);
    ``reserve`` / ``release`` come from the reservation endpoints, ``ship_receive`` from
    ``POST /stock/moves/{id}/receive``, ``reversal`` corrects a mistaken move."""

    RECEIVE = "receive", _("Receive")
    TRANSFER = "transfer", _("Transfer")
    SHIP = "ship", _("Ship")
    ISSUE = "issue", _("Issue")
    RETURN = "return", _("Return")
    SCRAP = "scrap", _("Scrap")
    ADJUST = "adjust", _("Adjust")
    RESERVE = "reserve", _("Reserve")
    RELEASE = "release", _("Release")
    SHIP_RECEIVE = "ship_receive", _("Receive shipment")
    REVERSAL = "reversal", _("Reversal")


#: The kinds a client posts to ``POST /stock/moves``.
API_MOVE_KINDS = ("receive", "transfer", "ship", "issue", "return", "scrap", "adjust")
#: Kinds a reversal may correct (the reservation moves are undone by release, a shipment by receiving it).
REVERSIBLE_KINDS = frozenset({"receive", "transfer", "issue", "return", "scrap", "adjust"})


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONSUMED = "consumed", _("Consumed")
    RELEASED = "released", _("Released")


class FaultyReturnStatus(models.TextChoices):
    """旧件返还: expected → received → inspected → scrapped or returned to the supplier."""

    PENDING = "pending", _("Expected back")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    SCRAPPED = "scrapped", _("Scrapped")
    SUPPLIER = "supplier", _("Returned to the supplier")


class InspectionResult(models.TextChoices):
    FAULT_CONFIRMED = "fault_confirmed", _("Fault confirmed")
    NO_FAULT_FOUND = "no_fault_found", _("No fault found")
    CUSTOMER_DAMAGE = "customer_damage", _("Customer damage")


class LoanerStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LENT = "lent", _("Lent")
    RETIRED = "retired", _("Retired")


class LoanerCondition(models.TextChoices):
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn")
    DAMAGED = "damaged", _("Damaged")


class SuggestionKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    TRANSFER = "transfer", _("Transfer")


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DISMISSED = "dismissed", _("Dismissed")


class PartPromiseKind(models.TextChoices):
    """What a part request on a work order promises (SPEC §6, seed 000: "默认备件级别是5×10×NBD发出",
    7×24×4 on site where the contract asks for it)."""

    NBD = "5x10_nbd", _("5×10×NBD: shipped by the end of the next business day")
    ONSITE_4H = "7x24_4", _("7×24×4: on site within 4 hours")


class PromiseSource(models.TextChoices):
    """Where a part request's promise came from (the first that says something wins)."""

    SERVICE_LEVEL = "service_level", _("The order's service level")
    CONTRACT = "contract", _("The customer's contract tag")
    REQUEST = "request", _("Chosen on the request")
    DEFAULT = "default", _("The default promise")


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    WITHDRAWN = "withdrawn", _("Withdrawn")

"""Choice sets of follow-up work: callbacks (回访) and complaints (投诉)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CallbackReason(models.TextChoices):
    DUE = "due", _("On-site service in the last 7 days")
    HQ_SAMPLE = "hq_sample", _("HQ random sample")


class CallbackStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("callback", "Open")
    RETRY = "retry", _("Call again")
    DONE = "done", _("Reached")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    UNREACHABLE = "unreachable", _("Not reached after every attempt")


CALLBACK_OPEN_STATUSES = (CallbackStatus.OPEN, CallbackStatus.RETRY)


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web portal")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter")
    CALLBACK = "callback", _("Callback")
    API = "api", _("API")


class ComplaintSubject(models.TextChoices):
    ORDER = "order", _("A work order")
    TECHNICIAN = "technician", _("A technician")
    STATION = "station", _("A station")
    PRODUCT = "product", _("A product")
    POLICY = "policy", _("A policy")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Under investigation")
    RESOLVED = "resolved", _("Resolved, awaiting the customer")
    CLOSED = "closed", pgettext_lazy("complaint", "Closed")


class ComplaintAlert(models.TextChoices):
    NONE = "", _("On time")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


class CustomerAnswer(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied with the handling")
    UNSATISFIED = "unsatisfied", _("Not satisfied with the handling")
    NOT_REACHED = "not_reached", _("Could not be asked (not reachable)")


class ComplaintEventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    INVESTIGATE = "investigate", _("Investigation started")
    NOTE = "note", _("Investigation note")
    CONTACT = "contact", _("Contact with the customer")
    RESOLVE = "resolve", _("Resolved")
    CUSTOMER_ANSWER = "customer_answer", _("Customer asked about the handling")
    CLOSE = "close", pgettext_lazy("complaint", "Closed")
    REOPEN = "reopen", _("Reopened")
    ESCALATE = "escalate", _("Escalated")
    AT_RISK = "at_risk", _("Acknowledgement at risk")


class CareKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    PURCHASE_ANNIVERSARY = "anniversary", _("Purchase anniversary")
    FESTIVAL = "festival", _("Festival")
    WEEKLY = "weekly", _("Weekly")
    CAMPAIGN = "campaign", _("Activity or new-product notice")


class Festival(models.TextChoices):
    NEW_YEAR = "new_year", _("New Year's Day")
    SPRING = "spring", _("Spring Festival")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    NATIONAL = "national", _("National Day")


class QualityRoute(models.TextChoices):
    ENGINEERING = "engineering", _("Engineering")
    PURCHASING = "purchasing", _("Purchasing (supplier part)")


class QualityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("quality", "Open")
    INVESTIGATING = "investigating", _("Under investigation")
    CLOSED = "closed", pgettext_lazy("quality", "Closed")

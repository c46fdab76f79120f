"""Codes fixed by the public API (SPEC §14) with their Chinese/English labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    INSTALLATION = "installation", _("Installation & commissioning")
    MAINTENANCE = "maintenance", _("Maintenance")
    INSPECTION = "inspection", _("Inspection")
    CONSULTATION = "consultation", _("Consultation")
    TECHNICAL_GUIDANCE = "technical_guidance", _("Technical guidance")
    TRAINING = "training", _("Training")
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    COMPLAINT = "complaint", _("Complaint")
    SOFTWARE_UPGRADE = "software_upgrade", _("Software upgrade")
    CLAIM = "claim", _("Claim")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    QR = "qr", _("QR code")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    INFO_REQUESTED = "info_requested", _("Awaiting information")
    ACCEPTED = "accepted", _("Accepted")
    QUOTED = "quoted", _("Quote awaiting approval")
    APPROVED = "approved", _("Quote approved")
    ASSIGNED = "assigned", _("Assigned")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting")
    QC = "qc", _("Awaiting QC")
    AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting customer sign-off")
    COMPLETED = "completed", _("Completed")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.INFO_REQUESTED,
        Status.ACCEPTED,
        Status.QUOTED,
        Status.APPROVED,
        Status.ASSIGNED,
        Status.SCHEDULED,
        Status.IN_PROGRESS,
        Status.WAITING,
        Status.QC,
        Status.AWAITING_SIGNOFF,
    }
)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    SAFETY = "safety", _("Safety-related")


class Priority(models.IntegerChoices):
    """Lower number first. Safety faults and urgent parts needs go first (SPEC §6)."""

    P1 = 1, _("P1 highest")
    P2 = 2, _("P2 high")
    P3 = 3, _("P3 normal")
    P4 = 4, _("P4 low")


class ChargeType(models.TextChoices):
    UNDETERMINED = "undetermined", _("Not yet decided")
    FREE = "free", _("Free (无偿服务)")
    PAID = "paid", _("Paid (有偿服务)")


class CompletionStatus(models.TextChoices):
    NONE = "", _("—")
    DONE = "done", _("Completed")
    NOT_DONE = "not_done", _("Not completed")


class WaitReason(models.TextChoices):
    PARTS = "parts", _("Waiting for parts")
    CUSTOMER = "customer", _("Waiting for the customer")
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video")


class EventKind(models.TextChoices):
    """Timeline event types; transitions use their action code."""

    CREATED = "created", _("Created")
    UPDATED = "updated", _("Details changed")
    COMMENT = "comment", _("Comment")
    ATTACHMENT = "attachment", _("Attachment added")
    ESCALATED = "escalated", _("Escalated")
    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Rejected")
    REQUEST_INFO = "request_info", _("Information requested")
    PROVIDE_INFO = "provide_info", _("Information provided")
    CANCEL = "cancel", _("Cancelled")
    QUOTE = "quote", _("Quote sent")
    APPROVE_QUOTE = "approve_quote", _("Quote approved")
    DECLINE_QUOTE = "decline_quote", _("Quote declined")
    ASSIGN = "assign", _("Technician assigned")
    SCHEDULE = "schedule", _("Appointment booked")
    START = "start", _("Work started")
    PAUSE = "pause", _("Paused")
    RESUME = "resume", _("Resumed")
    SUBMIT_QC = "submit_qc", _("Sent to QC")
    QC_PASS = "qc_pass", _("QC passed")
    QC_FAIL = "qc_fail", _("QC failed")
    SIGN_OFF = "sign_off", _("Signed off by customer")
    OBJECT = "object", _("Customer objected")
    RESOLVE_REMOTELY = "resolve_remotely", _("Resolved remotely")
    CLOSE_INCOMPLETE = "close_incomplete", _("Ended without completion")
    FOLLOW_UP = "follow_up", _("Followed up")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened (repeat repair)")
    DIAGNOSE = "diagnose", _("Diagnosis recorded")
    WARRANTY = "warranty", _("Warranty decision")
    QUOTE_LINES = "quote_lines", _("Quote drawn up")
    SETTLEMENT = "settlement", _("Settlement")
    SLA = "sla", _("Service level")
    BACKUP_UNIT = "backup_unit", _("Backup unit")
    CLAIM = "claim", _("Claim decision")
    APPOINTMENT = "appointment", _("Appointment")
    CHECK_IN = "check_in", _("Checked in on site")
    REPAIR_LOG = "repair_log", _("Repair log")
    SIGNATURE = "signature", _("Customer signature")
    REPEAT_REQUEST = "repeat_request", _("Caller reported again")
    DUPLICATE_CONFIRMED = "duplicate_confirmed", _("Confirmed as a new request")


class FaultCause(models.TextChoices):
    """故障原因: a quality fault is covered; the others are the exclusions of SPEC §4 / 第十八条."""

    QUALITY = "quality", _("Quality fault")
    MISUSE = "misuse", _("Not used, maintained or stored per the manual")
    WATER = "water", _("Water or damp")
    DROP = "drop", _("Drop")
    COLLISION = "collision", _("Collision or transport damage")
    UNAUTHORIZED_REPAIR = "unauthorized_repair", _("Opened or repaired by an unauthorised party")
    LABEL_TAMPERED = "label_tampered", _("Label or voucher removed, altered or not matching")
    WEAR = "wear", _("Normal wear and tear")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    UNKNOWN = "unknown", _("Not yet diagnosed")

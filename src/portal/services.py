"""Writes of the customer self-service pages (SPEC §3 step 1 and 4): no staff account involved.

The portal files a request as the customer (``by_customer=True``, no acting user) through the
work-order and customer services, and lets the customer act on an order they have tracked.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import ProductModel
from core.phones import PHONE_HELP, phone_is_valid, phone_normalise
from customers.models import Customer
from customers.services import customer_create
from devices.models import Device
from portal.models import StagedPhoto
from workorders.attachments import check_upload
from workorders.choices import OPEN_STATUSES, Channel, ServiceType
from workorders.models import Attachment, WorkOrder
from workorders.services import workorder_add_attachment, workorder_create

# What a customer may ask for themselves; inspections, training, upgrades and claims are
# arranged by staff (contracts, campaigns, claim rules).
CUSTOMER_SERVICE_TYPES: tuple[str, ...] = (
    ServiceType.REPAIR,
    ServiceType.INSTALLATION,
    ServiceType.MAINTENANCE,
    ServiceType.CONSULTATION,
    ServiceType.RETURN,
    ServiceType.EXCHANGE,
    ServiceType.COMPLAINT,
)
DESCRIPTION_MIN_LENGTH = 5
MAX_PHOTOS_PER_REQUEST = 3
MAX_CUSTOMER_ATTACHMENTS_PER_ORDER = 10
DUPLICATE_WINDOW = timedelta(minutes=2)
#: How long photos of a refused request form are held for the customer's next try.
STAGED_PHOTO_TTL = timedelta(hours=2)
STAGED_PHOTO_SALT = "portal.staged-photos"


def _customer_by_phone(phone: str) -> Customer | None:
    """Exact match on the customer's phone; of several, active first, then the most recent."""
    return Customer.objects.filter(phone=phone).order_by("-is_active", "-created_at", "-id").first()


def _duplicate_of(
    *,
    phone: str,
    name: str,
    description: str,
    service_type: str,
    device: Device | None,
    product_model: ProductModel | None,
    serial_number: str,
) -> WorkOrder | None:
    """The open order this same request created moments ago (a double click, a browser retry).

    Everything the person typed must match — the same words about a second machine are a second
    request, not a duplicate.
    """
    existing = (
        WorkOrder.objects.filter(
            contact_phone=phone,
            applicant_name=name,
            description=description,
            service_type=service_type,
            device=device,
            status__in=OPEN_STATUSES,
            submitted_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .order_by("-submitted_at", "-id")
        .first()
    )
    if existing is None or device is not None:
        return existing
    same_product = existing.product_model_id == (product_model.pk if product_model else None)
    return existing if same_product and existing.reported_serial == serial_number else None


def _check_photos(uploads: Sequence[UploadedFile]) -> None:
    if len(uploads) > MAX_PHOTOS_PER_REQUEST:
        raise ValidationError({"photos": _("Attach at most %(count)s photos.") % {"count": MAX_PHOTOS_PER_REQUEST}})
    for upload in uploads:
        try:
            check_upload(upload)
        except ValidationError as error:
            messages = [str(m) for m in error.message_dict.get("file", error.messages)]
            raise ValidationError({"photos": f"{upload.name}: {' '.join(messages)}"})


def _validate_request(*, name: str, phone: str, description: str, service_type: str, address: str, qr: bool) -> None:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter your name.")
    if not phone_is_valid(phone):
        errors["phone"] = _("Enter a valid phone number.") + " " + str(PHONE_HELP)
    if not qr and not address:
        errors["address"] = _("Enter the address where the service is needed.")
    if service_type not in CUSTOMER_SERVICE_TYPES:
        errors["service_type"] = _("Choose a service type.")
    if len(description) < DESCRIPTION_MIN_LENGTH:
        errors["description"] = _("Describe the problem in at least %(count)s characters.") % {
            "count": DESCRIPTION_MIN_LENGTH
        }
    if errors:
        raise ValidationError(errors)


def _delete_files(attachments: list[Attachment]) -> None:
    for attachment in attachments:
        with contextlib.suppress(OSError):  # best effort: the rows are rolled back either way
            if attachment.file.name:
                default_storage.delete(attachment.file.name)


@transaction.atomic
def portal_request_submit(
    *,
    name: str,
    phone: str,
    address: str = "",
    service_type: str,
    description: str,
    product_model: ProductModel | None = None,
    serial_number: str = "",
    device: Device | None = None,
    uploads: Sequence[UploadedFile] = (),
) -> WorkOrder:
    """File a customer's own request (申请) from the web portal or a device's QR label.

    Rules: the customer is found by exact phone or created; on a QR request the device's owner is
    the customer and the reporter (who may be a colleague or relative) is the applicant and
    contact. The same request again within two minutes returns the order already filed instead
    of a duplicate, marked ``is_repeat_submission`` (the caller must not hand a stranger access
    to it). Everything is saved in one transaction or not at all.
    """
    name, address = (name or "").strip(), (address or "").strip()
    description, serial_number = (description or "").strip(), (serial_number or "").strip()
    phone = phone_normalise(phone)
    qr = device is not None
    _validate_request(
        name=name, phone=phone, description=description, service_type=service_type, address=address, qr=qr
    )
    uploads = list(uploads)
    _check_photos(uploads)

    find_duplicate = partial(
        _duplicate_of,
        phone=phone,
        name=name,
        description=description,
        service_type=service_type,
        device=device,
        product_model=product_model,
        serial_number=serial_number,
    )
    existing = find_duplicate()
    if existing is not None:
        setattr(existing, "is_repeat_submission", True)  # noqa: B010 (not a model field)
        return existing

    customer: Customer | None
    if device is not None:
        customer = Customer.objects.select_for_update().get(pk=device.customer_id)
    else:
        customer = _customer_by_phone(phone)
        if customer is not None:
            # Serialises two simultaneous submits of the same customer, so the duplicate check holds.
            customer = Customer.objects.select_for_update().get(pk=customer.pk)
            existing = find_duplicate()
            if existing is not None:
                setattr(existing, "is_repeat_submission", True)  # noqa: B010 (not a model field)
                return existing
        else:
            # A new customer hears from us in the language they used on the form.
            language = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
            customer = customer_create(acting_user=None, name=name, phone=phone, address=address, language=language)

    order = workorder_create(
        acting_user=None,
        by_customer=True,
        customer=customer,
        device=device,
        service_type=service_type,
        channel=Channel.QR if qr else Channel.WEB,
        description=description,
        applicant_name=name,
        contact_phone=phone,
        service_address=address,
        product_model=None if qr else product_model,
        reported_serial="" if qr else serial_number,
    )
    saved: list[Attachment] = []
    try:
        for upload in uploads:
            saved.append(workorder_add_attachment(order=order, upload=upload, acting_user=None, by_customer=True))
    except Exception:
        _delete_files(saved)
        raise
    return order


@transaction.atomic
def portal_photo_add(*, order: WorkOrder, upload: UploadedFile) -> Attachment:
    """A photo the customer adds later to an open order they track; a few per order at most."""
    order = WorkOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in OPEN_STATUSES:
        raise ValidationError({"photo": _("Photos can only be added while the request is open.")})
    if order.attachments.filter(uploaded_by__isnull=True).count() >= MAX_CUSTOMER_ATTACHMENTS_PER_ORDER:
        raise ValidationError(
            {"photo": _("At most %(count)s photos can be added.") % {"count": MAX_CUSTOMER_ATTACHMENTS_PER_ORDER}}
        )
    try:
        return workorder_add_attachment(order=order, upload=upload, acting_user=None, by_customer=True)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "file" in error.error_dict:
            raise ValidationError({"photo": error.message_dict["file"]})
        raise


# --- photos of a request form the portal refused -----------------------------------------------


def staged_photos_token(photos: Sequence[StagedPhoto]) -> str:
    """The signed value the re-rendered form carries: which staged photos are this customer's.
    Unguessable keys, signed and timed (``STAGED_PHOTO_TTL``): nobody can name another's photo."""
    if not photos:
        return ""
    return signing.dumps([photo.key.hex for photo in photos], salt=STAGED_PHOTO_SALT, compress=True)


def staged_photos_from_token(token: str | None, *, keep: Sequence[str] | None = None) -> list[StagedPhoto]:
    """The staged photos a token names, still held (an expired, forged or unknown token: none).
    ``keep``: the keys the customer left ticked; the others are dropped from the request."""
    if not token:
        return []
    try:
        keys = signing.loads(token, salt=STAGED_PHOTO_SALT, max_age=STAGED_PHOTO_TTL)
    except signing.BadSignature:  # also SignatureExpired
        return []
    if not isinstance(keys, list):
        return []
    keys = [key for key in keys if isinstance(key, str)][:MAX_PHOTOS_PER_REQUEST]
    if keep is not None:
        keys = [key for key in keys if key in set(keep)]
    photos = StagedPhoto.objects.filter(key__in=keys, created_at__gte=timezone.now() - STAGED_PHOTO_TTL)
    return sorted(photos, key=lambda photo: keys.index(photo.key.hex))


def portal_photos_stage(*, uploads: Sequence[UploadedFile], already: Sequence[StagedPhoto] = ()) -> list[StagedPhoto]:
    """Hold the photos of a refused request for the next try: the ones already held plus the new
    uploads that are acceptable photos (type and size checked now), ``MAX_PHOTOS_PER_REQUEST``
    at most. A file that is not acceptable is not held: its error is shown with the form."""
    held = list(already)
    for upload in uploads:
        if len(held) >= MAX_PHOTOS_PER_REQUEST:
            break
        try:
            check_upload(upload)
        except ValidationError:
            continue
        photo = StagedPhoto(original_name=(upload.name or "photo")[:200])
        extension = os.path.splitext(upload.name or "")[1].lower()[:10]
        upload.seek(0)
        photo.file.save(f"photo{extension}", upload, save=False)
        photo.save()
        held.append(photo)
    return held


def staged_photo_uploads(photos: Sequence[StagedPhoto]) -> list[UploadedFile]:
    """The held photos as uploads, for ``portal_request_submit`` (checked again there)."""
    uploads: list[UploadedFile] = []
    for photo in photos:
        try:
            with photo.file.open("rb") as stored:
                content = stored.read()
        except OSError:  # the file went missing: the photo is simply not attached
            continue
        uploads.append(SimpleUploadedFile(photo.original_name, content))
    return uploads


def staged_photos_discard(photos: Sequence[StagedPhoto]) -> None:
    """Remove held photos (attached to the order now, or dropped): rows and files."""
    for photo in photos:
        with contextlib.suppress(OSError):
            if photo.file.name:
                default_storage.delete(photo.file.name)
    StagedPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()


def staged_photos_purge(*, now: datetime | None = None) -> int:
    """Drop photos held longer than ``STAGED_PHOTO_TTL`` (the customer gave up). Idempotent."""
    cutoff = (now or timezone.now()) - STAGED_PHOTO_TTL
    old = list(StagedPhoto.objects.filter(created_at__lt=cutoff))
    staged_photos_discard(old)
    return len(old)

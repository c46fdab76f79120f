"""Training pages: the list with the contracts' trainings due (alert), the form, the record with
its PDF, and the phone page where each attendee signs (fieldwork's signature pad)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import add_service_errors, add_submission_token, create_once, form_int, form_status
from customers.selectors import customers_visible_to
from devices.selectors import devices_visible_to
from policies.selectors import contracts_visible_to
from training import services
from training.forms import TrainingForm
from training.models import TrainingSignature
from training.pdf import training_form_pdf
from training.selectors import commitments_due, trainings_visible_to

PAGE_SIZE = 50


@login_required
@permission_required("training.view_trainingrecord", raise_exception=True)
def training_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(trainings_visible_to(request.user).order_by("-held_on", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    due = (
        commitments_due(user=request.user, today=timezone.localdate())
        if request.user.has_perm("training.view_trainingcommitment")
        else []
    )
    return render(request, "training/training_list.html", {"page": page, "due": due})


@login_required
@permission_required("training.add_trainingrecord", raise_exception=True)
def training_create(request: HttpRequest) -> HttpResponse:
    initial = {"held_on": timezone.localdate(), "device": form_int(request.GET.get("device"))}
    form = TrainingForm(request.POST or None, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = request.user
        try:
            customer = device = contract = None
            if data.get("device"):
                device = devices_visible_to(user).filter(pk=data["device"]).first()
                if device is None:
                    raise ValidationError({"device": _("Unknown device.")})
            if data.get("customer"):
                customer = customers_visible_to(user).filter(pk=data["customer"]).first()
                if customer is None:
                    raise ValidationError({"customer": _("Unknown customer.")})
            elif device is not None:
                customer = device.customer
            if data.get("contract"):
                contract = contracts_visible_to(user).filter(pk=data["contract"]).first()
                if contract is None:
                    raise ValidationError({"contract": _("Unknown contract.")})
            record_id, _replayed = create_once(
                form,
                user=user,
                scope="training.record_create",
                create=lambda: (
                    services.training_record_create(
                        acting_user=user,
                        kind=data["kind"],
                        audience=data["audience"],
                        content=data["content"],
                        held_on=data["held_on"],
                        duration_hours=data["duration_hours"],
                        attendees=form.attendee_rows(),
                        trainer=user,
                        trainer_name=data.get("trainer_name") or "",
                        customer=customer,
                        device=device,
                        contract=contract,
                        location=data.get("location") or "",
                        satisfaction=data.get("satisfaction") or "",
                        comment=data.get("comment") or "",
                    ).pk
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Training recorded: now let the attendees sign."))
            return redirect("training:sign", pk=record_id)
    return render(request, "training/training_form.html", {"form": form}, status=form_status(form))


def _record(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(trainings_visible_to(request.user).prefetch_related("attendees", "signatures"), pk=pk)


@login_required
@permission_required("training.view_trainingrecord", raise_exception=True)
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    return render(request, "training/training_detail.html", {"record": record})


@login_required
@permission_required("training.sign_trainingrecord", raise_exception=True)
def training_sign(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.training_signature_capture(
                record=record,
                acting_user=request.user,
                image=request.POST.get("signature", ""),
                signer_name=request.POST.get("signer_name", ""),
                attendee_id=form_int(request.POST.get("attendee")),
            )
        except ValidationError as refusal:
            error, status = " ".join(refusal.messages), 400
        else:
            messages.success(request, _("Signature saved."))
            return redirect("training:sign", pk=record.pk)
        record = _record(request, pk)
    signed = {s.attendee_id for s in record.signatures.all()}
    waiting = [a for a in record.attendees.all() if a.pk not in signed]
    return render(
        request, "training/training_sign.html", {"record": record, "waiting": waiting, "error": error}, status=status
    )


@login_required
@permission_required("training.view_trainingrecord", raise_exception=True)
def training_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    response = HttpResponse(training_form_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{record.number}.pdf"'
    return response


@login_required
@permission_required("training.view_trainingrecord", raise_exception=True)
def signature_image(request: HttpRequest, pk: int) -> FileResponse:
    signature = get_object_or_404(
        TrainingSignature.objects.filter(record__in=trainings_visible_to(request.user)), pk=pk
    )
    return FileResponse(signature.image.open("rb"), content_type="image/png")

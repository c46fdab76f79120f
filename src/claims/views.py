"""Staff pages for claims and their rule sets. Thin: forms validate, services decide and write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from claims import services
from claims.choices import EvidenceKind
from claims.forms import (
    ClaimActionForm,
    ClaimCreateForm,
    ClaimFilterForm,
    EvidenceForm,
    RuleFormSet,
    RuleSetVersionForm,
    answers_form,
)
from claims.models import Claim
from claims.policies import question_for
from claims.selectors import claim_list as select_claims
from claims.selectors import claims_visible_to, rule_sets_visible_to
from core.exceptions import TransitionNotAllowed, VersionConflict
from core.forms import add_service_errors, add_submission_token, create_once, form_int, form_status
from workorders.selectors import workorders_visible_to

PAGE_SIZE = 25

ACTION_SERVICES = {
    "decide": lambda claim, user, data: services.claim_decide(
        claim=claim, acting_user=user, expected_version=data.get("version")
    ),
    "review": lambda claim, user, data: services.claim_review_slip(
        claim=claim, acting_user=user, note=data.get("note") or "", expected_version=data.get("version")
    ),
    "approve": lambda claim, user, data: services.claim_approve_payment(
        claim=claim, acting_user=user, expected_version=data.get("version")
    ),
    "pay": lambda claim, user, data: services.claim_mark_paid(
        claim=claim, acting_user=user, reference=data.get("reference") or "", expected_version=data.get("version")
    ),
    "reject": lambda claim, user, data: services.claim_reject(
        claim=claim, acting_user=user, reason=data.get("reason") or "", expected_version=data.get("version")
    ),
}


def _get_claim(request: HttpRequest, pk: int) -> Claim:
    return get_object_or_404(claims_visible_to(request.user), pk=pk)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
def claim_list(request: HttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET or None)
    cleaned: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    claims = select_claims(
        user=request.user, status=cleaned.get("status", ""), outcome=cleaned.get("outcome", ""), q=cleaned.get("q", "")
    )
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "claims/claim_list.html", {"filter_form": form, "page": page})


@login_required
@permission_required("claims.add_claim", raise_exception=True)
def claim_create(request: HttpRequest) -> HttpResponse:
    order = None
    raw_order = request.GET.get("work_order") or request.POST.get("work_order") or ""
    if raw_order:
        if not (raw_order.isascii() and raw_order.isdigit()):
            raise Http404
        order = get_object_or_404(workorders_visible_to(request.user), pk=int(raw_order))
    initial = {}
    if form_int(request.GET.get("customer")) is not None:
        initial["customer"] = request.GET["customer"]
    form = ClaimCreateForm(request.POST or None, user=request.user, order=order, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim_id, _replayed = create_once(
                form,
                user=request.user,
                scope="claims.create",
                create=lambda: (
                    services.claim_create(
                        acting_user=request.user,
                        rule_set=data["rule_set"],
                        customer=data["customer"],
                        device=data.get("device"),
                        work_order=order,
                        claimed_amount=data["claimed_amount"],
                        description=data.get("description") or "",
                    ).pk
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            claim = claims_visible_to(request.user).get(pk=claim_id)
            messages.success(request, _("Claim %(number)s registered.") % {"number": claim.number})
            return redirect("claims:detail", pk=claim.pk)
    return render(request, "claims/claim_form.html", {"form": form, "order": order}, status=form_status(form))


def _render_detail(
    request: HttpRequest,
    claim: Claim,
    *,
    status: int = 200,
    page_error: str = "",
    answers: Any = None,
    evidence_form: Any = None,
) -> HttpResponse:
    claim = claims_visible_to(request.user).get(pk=claim.pk)
    decision = services.claim_decision(claim)
    allowed = services.allowed_actions(claim, request.user)
    questions = [
        {"label": question.label, "answer": question.option_label((claim.answers or {}).get(question.key))}
        for question in claim.rule_set.terms().questions()
    ]
    context = {
        "claim": claim,
        "decision": decision,
        "questions": questions,
        "allowed": allowed,
        "answers_form": answers if answers is not None else answers_form(claim),
        "evidence_form": evidence_form or EvidenceForm(),
        "may_add_evidence": request.user.has_perm("claims.add_claimevidence") and claim.status in services.OPEN,
        "evidence": list(claim.evidence.all()),
        "missing_documents": [
            EvidenceKind(kind).label if kind in EvidenceKind.values else kind
            for kind in services.missing_documents(claim)
        ],
        "action_buttons": [
            (code, services.ACTIONS[code].label) for code in allowed if code not in {"answers", "reject"}
        ],
        "page_error": page_error,
    }
    return render(request, "claims/claim_detail.html", context, status=status)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get_claim(request, pk))


@login_required
@permission_required("claims.change_claim", raise_exception=True)
@require_POST
def claim_answers(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _get_claim(request, pk)
    form = answers_form(claim, request.POST)
    if not form.is_valid():
        return _render_detail(request, claim, status=400, page_error=_("The facts were not saved."), answers=form)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.claim_record_answers(claim=claim, acting_user=request.user, answers=data, expected_version=version)
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_detail(request, claim, status=400, page_error=_("The facts were not saved."), answers=form)
    except (TransitionNotAllowed, VersionConflict) as error:
        return _render_detail(request, claim, status=409, page_error=error.message)
    messages.success(request, _("Facts saved."))
    return redirect("claims:detail", pk=claim.pk)


@login_required
@permission_required("claims.add_claimevidence", raise_exception=True)
@require_POST
def claim_evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _get_claim(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.claim_add_evidence(
                claim=claim, acting_user=request.user, upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except TransitionNotAllowed as refused:
            return _render_detail(request, claim, status=409, page_error=refused.message)
        else:
            messages.success(request, _("Document attached."))
            return redirect("claims:detail", pk=claim.pk)
    problems = " ".join(str(m) for errors in form.errors.values() for m in errors) or _("No file was attached.")
    return _render_detail(request, claim, status=400, page_error=problems, evidence_form=form)


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_GET
def claim_evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    claim = _get_claim(request, pk)
    evidence = get_object_or_404(claim.evidence.all(), pk=evidence_pk)
    inline = evidence.content_type.startswith("image/") or evidence.content_type == "application/pdf"
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=not inline,
        filename=evidence.original_name,
    )


@login_required
@permission_required("claims.view_claim", raise_exception=True)
@require_POST
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    claim = _get_claim(request, pk)
    run = ACTION_SERVICES.get(action)
    if run is None:
        raise Http404
    form = ClaimActionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, claim, status=400, page_error=_("The form is out of date; reload the page."))
    try:
        claim = run(claim, request.user, form.cleaned_data)
    except ValidationError as error:
        return _render_detail(request, claim, status=400, page_error=" ".join(error.messages))
    except (TransitionNotAllowed, VersionConflict) as error:
        return _render_detail(request, claim, status=409, page_error=error.message)
    except PermissionDenied as error:
        return _render_detail(request, claim, status=403, page_error=str(error) or _("You may not do this."))
    messages.success(
        request,
        _("%(action)s: %(number)s is now “%(status)s”.")
        % {"action": services.ACTIONS[action].label, "number": claim.number, "status": claim.get_status_display()},
    )
    return redirect("claims:detail", pk=claim.pk)


# --- rule sets (setup) ----------------------------------------------------------------------


@login_required
@permission_required("claims.view_claimruleset", raise_exception=True)
def rule_set_list(request: HttpRequest) -> HttpResponse:
    rule_sets = rule_sets_visible_to(request.user).order_by("code", "-version")
    return render(request, "claims/rule_set_list.html", {"rule_sets": rule_sets})


@login_required
@permission_required("claims.view_claimruleset", raise_exception=True)
def rule_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = get_object_or_404(rule_sets_visible_to(request.user), pk=pk)
    rules = [
        {"rule": rule, "question": question_for(rule.question)} for rule in rule_set.rules.all().order_by("position")
    ]
    return render(
        request,
        "claims/rule_set_detail.html",
        {"rule_set": rule_set, "rules": rules, "claims_count": rule_set.claims.count()},
    )


@login_required
@permission_required("claims.add_claimruleset", raise_exception=True)
def rule_set_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor: starts from this version; saving makes the next version (nothing is edited in place)."""
    base = get_object_or_404(rule_sets_visible_to(request.user), pk=pk)
    initial = {
        "name": base.name,
        "effective_from": base.effective_from,
        "payout_ratio": base.payout_ratio,
        "max_amount": base.max_amount,
        "required_documents": base.required_documents,
        "description": base.description,
    }
    rules_initial = [
        {
            "kind": rule.kind,
            "code": rule.code,
            "text_zh": rule.text_zh,
            "text_en": rule.text_en,
            "question": rule.question,
            "expected": ", ".join(rule.expected or []),
        }
        for rule in base.rules.all().order_by("position")
    ]
    form = RuleSetVersionForm(request.POST or None, initial=initial)
    formset = RuleFormSet(request.POST or None, initial=rules_initial, prefix="rules")
    page_error = ""
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        drafts = [
            services.RuleDraft(
                kind=item["kind"],
                code=item["code"],
                text_zh=item["text_zh"],
                text_en=item.get("text_en") or "",
                question=item["question"],
                expected=item["expected"],
            )
            for item in formset.cleaned_data
            if item and not item.get("DELETE")
        ]
        data = form.cleaned_data
        try:
            created = services.rule_set_new_version(
                base=base,
                acting_user=request.user,
                name=data["name"],
                effective_from=data["effective_from"],
                payout_ratio=data["payout_ratio"],
                max_amount=data.get("max_amount"),
                required_documents=list(data.get("required_documents") or []),
                rules=drafts,
                description=data.get("description") or "",
            )
        except ValidationError as error:
            page_error = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in error.message_dict.items())
        else:
            messages.success(
                request,
                _("Version %(version)s of %(name)s saved.") % {"version": created.version, "name": created.name},
            )
            return redirect("claims:rule_set", pk=created.pk)
    elif request.method == "POST":
        page_error = _("The new version was not saved; see the marked fields.")
    status = 400 if page_error else 200
    return render(
        request,
        "claims/rule_set_form.html",
        {"base": base, "form": form, "formset": formset, "page_error": page_error},
        status=status,
    )

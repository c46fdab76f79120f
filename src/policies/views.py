"""Staff pages: warranty policies (versions) and contracts. Thin: forms → services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import (
    add_service_errors,
    add_submission_token,
    apply_versioned_edit,
    create_once,
    form_int,
    form_status,
)
from policies import services
from policies.choices import EXCLUSION_ARTICLES, FaultCause
from policies.forms import ContractForm, WarrantyPolicyForm
from policies.selectors import contracts_visible_to, policy_versions, warranty_policies_visible_to

PAGE_SIZE = 25


@login_required
@permission_required("policies.view_warrantypolicy", raise_exception=True)
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = warranty_policies_visible_to(request.user)
    page = Paginator(policies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "policies/policy_list.html", {"page": page})


@login_required
@permission_required("policies.view_warrantypolicy", raise_exception=True)
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(warranty_policies_visible_to(request.user), pk=pk)
    exclusions = [
        {"code": code, "label": FaultCause(code).label, "article": EXCLUSION_ARTICLES[code]}
        for code in policy.excluded_causes or []
        if code in EXCLUSION_ARTICLES
    ]
    return render(
        request,
        "policies/policy_detail.html",
        {"policy": policy, "versions": list(policy_versions(policy)), "exclusions": exclusions},
    )


@login_required
@permission_required("policies.add_warrantypolicy", raise_exception=True)
def policy_create(request: HttpRequest) -> HttpResponse:
    """A new version: ``?from=<id>`` starts from that version's terms and scope."""
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    base = None
    if (base_id := form_int(request.GET.get("from"))) is not None:
        base = warranty_policies_visible_to(request.user).filter(pk=base_id).first()
    if base is not None:
        initial.update({name: getattr(base, name) for name in services.TERM_FIELDS})
        initial.update({"name": base.name, "category": base.category_id, "product_model": base.product_model_id})
    form = WarrantyPolicyForm(request.POST or None, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.POLICY_FIELDS if name in form.cleaned_data}
        try:
            policy_id, _replayed = create_once(
                form,
                user=request.user,
                scope="policies.policy_create",
                create=lambda: services.warranty_policy_create(acting_user=request.user, **data).pk,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Policy version saved."))
            return redirect("policies:policy_detail", pk=policy_id)
    return render(request, "policies/policy_form.html", {"form": form, "base": base}, status=form_status(form))


@login_required
@permission_required("policies.view_contract", raise_exception=True)
def contract_list(request: HttpRequest) -> HttpResponse:
    contracts = contracts_visible_to(request.user)
    if (customer_id := form_int(request.GET.get("customer"))) is not None:
        contracts = contracts.filter(customer_id=customer_id)
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "policies/contract_list.html", {"page": page})


@login_required
@permission_required("policies.view_contract", raise_exception=True)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(contracts_visible_to(request.user), pk=pk)
    return render(
        request,
        "policies/contract_detail.html",
        {"contract": contract, "devices": list(contract.devices.select_related("product_model"))},
    )


@login_required
@permission_required("policies.add_contract", raise_exception=True)
def contract_create(request: HttpRequest) -> HttpResponse:
    initial = {"customer": request.GET["customer"]} if form_int(request.GET.get("customer")) is not None else {}
    form = ContractForm(request.POST or None, user=request.user, initial=initial)
    add_submission_token(form)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        data.pop("is_active", None)
        data["devices"] = list(data.get("devices") or [])
        if not data.get("waived_fee_kinds"):
            data["waived_fee_kinds"] = None  # the kind's default waivers
        try:
            contract_id, _replayed = create_once(
                form,
                user=request.user,
                scope="policies.contract_create",
                create=lambda: services.contract_create(acting_user=request.user, **data).pk,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contract saved."))
            return redirect("policies:contract_detail", pk=contract_id)
    return render(request, "policies/contract_form.html", {"form": form, "contract": None}, status=form_status(form))


@login_required
@permission_required("policies.change_contract", raise_exception=True)
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(contracts_visible_to(request.user), pk=pk)
    form = ContractForm(request.POST or None, instance=contract, user=request.user)
    status: int | None = 200
    if request.method == "POST":

        def update(changes: dict[str, Any], version: int | None) -> object:
            changes.pop("customer", None)
            changes["devices"] = list(changes.get("devices") or [])
            return services.contract_update(
                contract=contract, acting_user=request.user, changes=changes, expected_version=version
            )

        status = apply_versioned_edit(form, update)
        if status is None:
            messages.success(request, _("Changes saved."))
            return redirect("policies:contract_detail", pk=pk)
    return render(request, "policies/contract_form.html", {"form": form, "contract": contract}, status=status)

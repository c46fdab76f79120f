"""Warranty in the public API v1 (SPEC §14): device warranty status, decisions, policies, contracts.

Thin: parse, call selectors/services, serialise. A device, customer or contract the user may not
see answers 404 (or 400 naming the field in a body), exactly like one that does not exist.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from catalog.models import ProductCategory
from catalog.selectors import product_models_visible_to
from core.api import (
    ERROR_RESPONSES,
    MAX_ID,
    Date,
    DateText,
    DateTimeText,
    DecimalText,
    Id,
    IdName,
    Money,
    MoneyText,
    PageQuery,
    Percent,
    StrictIn,
    idempotent_create,
    paginate,
    parse_id,
)
from customers.selectors import customers_visible_to
from devices.selectors import devices_visible_to
from policies import services
from policies.models import Contract, WarrantyPolicy
from policies.policies import WarrantyDecision
from policies.selectors import contracts_visible_to, warranty_policies_visible_to

router = Router(tags=["policies"])
device_router = Router(tags=["policies"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/warranty", router), ("/devices", device_router)]

RequestCode = Literal["repair", "exchange", "return"]
FaultCode = Literal[
    "quality",
    "misuse",
    "water",
    "drop",
    "collision",
    "unauthorized_repair",
    "label_tampered",
    "wear",
    "force_majeure",
    "unknown",
]
FeeCode = Literal["labour", "parts", "software", "travel", "lodging", "meals", "allowance"]
ContractKindCode = Literal["extended_warranty", "annual_maintenance", "service_package"]


class WarrantyReasonOut(Schema):
    """Why: the rule applied, in words, and the article of the 三包 regulation it rests on."""

    rule: str
    message: str
    article: str


class DecisionPolicyRef(Schema):
    """The policy version decided by; nulls when no policy applies."""

    id: int | None
    revision: int | None


class DeviceWarrantyOut(Schema):
    status: str
    starts_on: DateText | None
    ends_on: DateText | None
    reasons: list[WarrantyReasonOut]
    parts_ends_on: DateText | None
    coverage: str
    policy: DecisionPolicyRef


class DecisionOut(Schema):
    status: str
    coverage: str
    starts_on: DateText | None
    ends_on: DateText | None
    parts_ends_on: DateText | None
    remedies: list[str]
    reasons: list[WarrantyReasonOut]
    repeat_repairs: int
    repair_days: int
    depreciation_percent: DecimalText | None
    policy: DecisionPolicyRef


def _reasons(decision: WarrantyDecision) -> list[dict[str, str]]:
    return [{"rule": r.rule, "message": r.message, "article": r.article} for r in decision.reasons]


def decision_out(decision: WarrantyDecision) -> dict[str, Any]:
    data = decision.as_dict()
    data.pop("inputs")
    data["reasons"] = _reasons(decision)
    return data


# --- device warranty and decisions -------------------------------------------------------------


class WarrantyQuery(Schema):
    on: Date | None = Field(
        default=None, description="YYYY-MM-DD, past or future (answered from what is known today); today when omitted"
    )


@device_router.get(
    "/{device_id}/warranty",
    response={200: DeviceWarrantyOut, **ERROR_RESPONSES},
    summary="A device's warranty on a date",
)
def device_warranty(request: HttpRequest, device_id: int, filters: Query[WarrantyQuery]) -> Any:
    device = devices_visible_to(request.user).filter(pk=device_id).first() if 1 <= device_id <= MAX_ID else None
    if device is None:
        raise _not_found()
    decision = services.warranty_status(device=device, on=filters.on or timezone.localdate())
    data = decision_out(decision)
    return {
        "status": data["status"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "reasons": data["reasons"],
        "parts_ends_on": data["parts_ends_on"],
        "coverage": data["coverage"],
        "policy": data["policy"],
    }


def _not_found() -> Exception:
    return Http404()


class DecisionIn(StrictIn):
    device: Id
    on: Date | None = Field(default=None, description="The day of the fault report; today when omitted")
    request: RequestCode = "repair"
    fault_cause: FaultCode = "unknown"


@router.post(
    "/decisions", response={200: DecisionOut, **ERROR_RESPONSES}, summary="Decide a warranty case (not recorded)"
)
def decide(request: HttpRequest, payload: DecisionIn) -> Any:
    device = devices_visible_to(request.user).filter(pk=payload.device).first()
    if device is None:
        raise _not_found()
    decision = services.warranty_decision(
        device=device,
        on=payload.on or timezone.localdate(),
        request=payload.request,
        fault_cause=payload.fault_cause,
    )
    return decision_out(decision)


# --- policies ----------------------------------------------------------------------------------


class PolicyOut(Schema):
    id: int
    name: str
    revision: int
    category: str | None = Field(description="Category code; null with a product model or for the default")
    product_model: str | None = Field(description="Product model code")
    effective_from: DateText
    unit_months: int | None = Field(description="Null: the product model's catalogue months")
    parts_months: int | None
    parts: list[str]
    start_basis: str
    start_fallback: str
    extend_for_repair_time: bool
    restart_on_exchange: bool
    return_days: int
    exchange_days: int
    repeat_failure_threshold: int
    repeat_same_fault_consecutive: bool
    parts_wait_limit_days: int
    repairer_fault_limit_days: int
    depreciation_percent_per_day: DecimalText
    repair_warranty_days: int
    parts_supply_years: int
    excluded_causes: list[str]
    note: str
    created_at: DateTimeText


class PolicyListOut(Schema):
    items: list[PolicyOut]
    count: int


def policy_out(policy: WarrantyPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "name": policy.name,
        "revision": policy.revision,
        "category": policy.category.code if policy.category else None,
        "product_model": policy.product_model.code if policy.product_model else None,
        "effective_from": policy.effective_from.isoformat(),
        "unit_months": policy.unit_months,
        "parts_months": policy.parts_months,
        "parts": list(policy.parts_list),
        "start_basis": policy.start_basis,
        "start_fallback": policy.start_fallback,
        "extend_for_repair_time": policy.extend_for_repair_time,
        "restart_on_exchange": policy.restart_on_exchange,
        "return_days": policy.return_days,
        "exchange_days": policy.exchange_days,
        "repeat_failure_threshold": policy.repeat_failure_threshold,
        "repeat_same_fault_consecutive": policy.repeat_same_fault_consecutive,
        "parts_wait_limit_days": policy.parts_wait_limit_days,
        "repairer_fault_limit_days": policy.repairer_fault_limit_days,
        "depreciation_percent_per_day": str(policy.depreciation_percent_per_day),
        "repair_warranty_days": policy.repair_warranty_days,
        "parts_supply_years": policy.parts_supply_years,
        "excluded_causes": list(policy.excluded_causes or []),
        "note": policy.note,
        "created_at": timezone.localtime(policy.created_at).isoformat(),
    }


class PolicyTermsIn(StrictIn):
    """Terms of a policy version; those left out are copied from the version in force for the scope."""

    unit_months: int | None = Field(default=None, ge=0, le=240)
    parts_months: int | None = Field(default=None, ge=0, le=240)
    parts: str | None = Field(default=None, max_length=300)
    start_basis: Literal["invoice", "installation", "acceptance"] | None = None
    start_fallback: Literal["needs_review", "other_dates"] | None = None
    extend_for_repair_time: bool | None = None
    restart_on_exchange: bool | None = None
    return_days: int | None = Field(default=None, ge=0, le=365)
    exchange_days: int | None = Field(default=None, ge=0, le=365)
    repeat_failure_threshold: int | None = Field(default=None, ge=1, le=100)
    repeat_same_fault_consecutive: bool | None = None
    parts_wait_limit_days: int | None = Field(default=None, ge=0, le=3650)
    repairer_fault_limit_days: int | None = Field(default=None, ge=0, le=3650)
    depreciation_percent_per_day: Percent | None = None
    repair_warranty_days: int | None = Field(default=None, ge=0, le=3650)
    parts_supply_years: int | None = Field(default=None, ge=0, le=50)
    excluded_causes: list[FaultCode] | None = Field(default=None, max_length=20)


class PolicyIn(PolicyTermsIn):
    name: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=100, description="Category code; omit both for the default")
    product_model: str | None = Field(default=None, max_length=64, description="Product model code")
    effective_from: Date
    note: str = Field(default="", max_length=5000)


class PolicyFilters(PageQuery):
    category: str = ""
    product_model: str = ""


def _policy_fields(request: HttpRequest, payload: PolicyIn) -> dict[str, Any]:
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "category" in fields:
        category = ProductCategory.objects.filter(code=fields["category"].strip()).first()
        if category is None:
            raise ValidationError({"category": _("Unknown category.")})
        fields["category"] = category
    if "product_model" in fields:
        model = product_models_visible_to(request.user).filter(code=fields["product_model"].strip()).first()
        if model is None:
            raise ValidationError({"product_model": _("Unknown product model code.")})
        fields["product_model"] = model
    return fields


@router.get("/policies", response={200: PolicyListOut, **ERROR_RESPONSES}, summary="List warranty policy versions")
def list_policies(request: HttpRequest, filters: Query[PolicyFilters]) -> Any:
    policies = warranty_policies_visible_to(request.user)
    if filters.category:
        policies = policies.filter(category__code=filters.category)
    if filters.product_model:
        policies = policies.filter(product_model__code=filters.product_model)
    return paginate(policies, page=filters.page, page_size=filters.page_size, serialize=policy_out)


@router.get("/policies/{policy_id}", response={200: PolicyOut, **ERROR_RESPONSES}, summary="One policy version")
def get_policy(request: HttpRequest, policy_id: int) -> Any:
    if not 1 <= policy_id <= MAX_ID:
        raise WarrantyPolicy.DoesNotExist
    return policy_out(warranty_policies_visible_to(request.user).get(pk=policy_id))


@router.post(
    "/policies", response={201: PolicyOut, **ERROR_RESPONSES}, summary="Add a policy version (Idempotency-Key honoured)"
)
def create_policy(request: HttpRequest, payload: PolicyIn) -> Any:
    if not request.user.has_perm("policies.add_warrantypolicy"):
        raise PermissionDenied(_("You may not change warranty policies."))

    def create() -> tuple[int, dict[str, Any]]:
        policy = services.warranty_policy_create(acting_user=request.user, **_policy_fields(request, payload))
        return 201, policy_out(policy)

    return idempotent_create(request, "warranty-policies", create)


# --- contracts ---------------------------------------------------------------------------------


class ContractOut(Schema):
    id: int
    number: str
    kind: str
    customer: IdName
    devices: list[int] = Field(description="Device ids covered; empty: every device of the customer")
    all_devices: bool
    starts_on: DateText
    ends_on: DateText
    price: MoneyText
    waived_fee_kinds: list[str]
    extends_months: int | None
    note: str
    is_active: bool
    version: int


class ContractListOut(Schema):
    items: list[ContractOut]
    count: int


def contract_out(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "number": contract.number,
        "kind": contract.kind,
        "customer": {"id": contract.customer_id, "name": contract.customer.name},
        "devices": sorted(device.pk for device in contract.devices.all()),  # prefetched by the list
        "all_devices": not contract.devices.all(),
        "starts_on": contract.starts_on.isoformat(),
        "ends_on": contract.ends_on.isoformat(),
        "price": f"{contract.price:.2f}",
        "waived_fee_kinds": list(contract.waived_fee_kinds),
        "extends_months": contract.extends_months,
        "note": contract.note,
        "is_active": contract.is_active,
        "version": contract.version,
    }


class ContractIn(StrictIn):
    kind: ContractKindCode
    customer: Id
    devices: list[Id] = Field(default_factory=list, max_length=1000, description="Empty: every device of the customer")
    starts_on: Date
    ends_on: Date | None = Field(default=None, description="Omitted: starts_on + extends_months")
    price: Money = Decimal("0.00")
    waived_fee_kinds: list[FeeCode] | None = Field(default=None, description="Omitted: the kind's default")
    extends_months: int | None = Field(default=None, ge=1, le=120)
    note: str = Field(default="", max_length=5000)


class ContractPatch(StrictIn):
    version: int
    kind: ContractKindCode | None = None
    devices: list[Id] | None = Field(default=None, max_length=1000)
    starts_on: Date | None = None
    ends_on: Date | None = None
    price: Money | None = None
    waived_fee_kinds: list[FeeCode] | None = None
    extends_months: int | None = Field(default=None, ge=1, le=120)
    note: str | None = Field(default=None, max_length=5000)
    is_active: bool | None = None


class ContractFilters(PageQuery):
    customer: int | None = Field(default=None, ge=1, le=MAX_ID)
    active: bool | None = None


def _devices_of(request: HttpRequest, ids: list[int], customer_id: int) -> list[Any]:
    found = list(devices_visible_to(request.user).filter(pk__in=ids, customer_id=customer_id))
    if len(found) != len(set(ids)):
        raise ValidationError({"devices": _("Only devices of the contract's customer can be covered.")})
    return found


def _get_contract(request: HttpRequest, contract_id: int) -> Contract:
    if not 1 <= contract_id <= MAX_ID:
        raise Contract.DoesNotExist
    return contracts_visible_to(request.user).get(pk=contract_id)


@router.get("/contracts", response={200: ContractListOut, **ERROR_RESPONSES}, summary="List contracts")
def list_contracts(request: HttpRequest, filters: Query[ContractFilters]) -> Any:
    contracts = contracts_visible_to(request.user).prefetch_related("devices")
    if filters.customer:
        contracts = contracts.filter(customer_id=filters.customer)
    if filters.active is not None:
        contracts = contracts.filter(is_active=filters.active)
    return paginate(contracts, page=filters.page, page_size=filters.page_size, serialize=contract_out)


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERROR_RESPONSES}, summary="One contract")
def get_contract(request: HttpRequest, contract_id: int) -> Any:
    return contract_out(_get_contract(request, contract_id))


@router.post(
    "/contracts", response={201: ContractOut, **ERROR_RESPONSES}, summary="Create a contract (Idempotency-Key honoured)"
)
def create_contract(request: HttpRequest, payload: ContractIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        number = parse_id(payload.customer, "customer")
        customer = customers_visible_to(request.user).filter(pk=number).first()
        if customer is None:
            raise ValidationError({"customer": _("Unknown customer.")})
        data = payload.dict()
        data.pop("customer")
        data["devices"] = _devices_of(request, data["devices"], customer.pk)
        contract = services.contract_create(acting_user=request.user, customer=customer, **data)
        return 201, contract_out(contract)

    return idempotent_create(request, "warranty-contracts", create)


@router.patch(
    "/contracts/{contract_id}",
    response={200: ContractOut, **ERROR_RESPONSES},
    summary="Edit a contract (optimistic concurrency)",
)
def update_contract(request: HttpRequest, contract_id: int, payload: ContractPatch) -> Any:
    contract = _get_contract(request, contract_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items()}
    version = changes.pop("version")
    for name in ("kind", "starts_on", "ends_on", "price", "waived_fee_kinds", "is_active"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field may not be empty.")})
    if changes.get("note", "") is None:
        changes["note"] = ""
    if "devices" in changes:
        changes["devices"] = _devices_of(request, changes["devices"] or [], contract.customer_id)
    services.contract_update(contract=contract, acting_user=request.user, changes=changes, expected_version=version)
    return contract_out(_get_contract(request, contract_id))

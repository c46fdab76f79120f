"""Forms of the staff console. They parse and present input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductModel
from catalog.selectors import product_models_visible_to
from core.forms import BootstrapMixin, MultipleFileField, model_choice
from core.forms import add_service_errors as core_add_service_errors
from customers.choices import CustomerKind
from customers.models import Customer
from customers.selectors import customers_visible_to
from devices.models import Device
from devices.selectors import devices_visible_to
from workorders.attachments import check_upload
from workorders.choices import OPEN_STATUSES, Channel, ChargeType, Priority, ServiceType, Urgency
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to
from workorders.transitions import FieldSpec, Transition

MAX_FILES = 10


def add_service_errors(form: forms.Form, error: ValidationError, *, aliases: dict[str, str] | None = None) -> None:
    """Service errors on the console's forms, labelled with the work order's field names."""
    core_add_service_errors(form, error, aliases=aliases, label_of=_field_label)


def _field_label(name: str) -> str:
    if name == "__all__":
        return ""
    try:
        return str(getattr(WorkOrder._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def check_uploads(files: list[Any]) -> list[str]:
    """Messages naming each file that cannot be attached (wrong type, empty, too large)."""
    problems = []
    if len(files) > MAX_FILES:
        problems.append(str(_("Attach at most %(count)s files at once.") % {"count": MAX_FILES}))
    for upload in files:
        try:
            check_upload(upload)
        except ValidationError as error:
            for message in error.messages:
                problems.append(f"{upload.name}: {message}")
    return problems


class RegisterForm(BootstrapMixin, forms.Form):
    """The agent's one-page intake (phone request in under a minute)."""

    customer_search = forms.CharField(label=_("Find customer"), required=False, max_length=100)
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.none(), widget=forms.HiddenInput
    )
    new_customer = forms.BooleanField(label=_("New caller: create the customer"), required=False)
    new_customer_name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    new_customer_phone = forms.CharField(label=_("Customer phone"), required=False, max_length=32)
    new_customer_address = forms.CharField(label=_("Customer address"), required=False, max_length=200)
    new_customer_kind = forms.ChoiceField(
        label=_("Customer kind"), required=False, choices=CustomerKind.choices, initial=CustomerKind.PERSON
    )
    device = forms.ModelChoiceField(
        label=_("Device"), required=False, queryset=Device.objects.none(), widget=forms.HiddenInput
    )
    product_model = forms.ModelChoiceField(
        label=_("Product model"),
        required=False,
        queryset=ProductModel.objects.none(),
        empty_label=_("— unknown / not listed —"),
    )
    reported_serial = forms.CharField(label=_("Serial number"), required=False, max_length=64)
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices, initial=ServiceType.REPAIR)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    applicant_unit = forms.CharField(label=_("Applicant unit"), required=False, max_length=100)
    applicant_name = forms.CharField(label=_("Applicant"), required=False, max_length=64)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=32)
    service_address = forms.CharField(label=_("Service address"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Fault description / service content"), widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(label=_("Photos / PDF"), required=False)
    #: A possible duplicate was shown and the agent says it is a new customer / a new order.
    confirm_new_customer = forms.BooleanField(label=_("Confirm a new customer"), required=False)
    confirm_new_order = forms.BooleanField(label=_("Confirm a new order"), required=False)
    #: The caller reports again about this open order: their words go on its timeline instead.
    attach_order = forms.ModelChoiceField(
        label=_("Open work order"), required=False, queryset=WorkOrder.objects.none(), widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        model_choice(self, "customer").queryset = customers_visible_to(user)
        model_choice(self, "device").queryset = devices_visible_to(user)
        model_choice(self, "product_model").queryset = product_models_visible_to(user).filter(is_active=True)
        model_choice(self, "attach_order").queryset = workorders_visible_to(user).filter(status__in=OPEN_STATUSES)
        self.fields["customer_search"].widget.attrs.update(
            {"autocomplete": "off", "placeholder": _("Phone, name, pinyin or initials"), "autofocus": True}
        )
        self.fields["new_customer"].widget.attrs["class"] = "form-check-input"
        self.fields["description"].widget.attrs["placeholder"] = _("What happens, since when, what was tried")
        for name in ("new_customer_name", "new_customer_phone"):
            # As the agent types, customers already on file with this phone or name are shown.
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("workorders:lookup_duplicates"),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#customer-duplicates",
                    "hx-include": "#id_new_customer_name, #id_new_customer_phone",
                    "autocomplete": "off",
                }
            )

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data.get("attachments") or []
        problems = check_uploads(files)
        if problems:
            raise ValidationError(problems)
        return files

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("attach_order"):
            return cleaned  # the report goes on an existing order: no customer or device to choose
        if cleaned.get("new_customer"):
            cleaned["customer"] = None
            cleaned["device"] = None
            for name in ("new_customer_name", "new_customer_phone"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, _("This field is required for a new customer."))
        elif not cleaned.get("customer") and "customer" not in self.errors:
            self.add_error("customer_search", _("Choose a customer, or tick “new caller” to create one."))
        customer, device = cleaned.get("customer"), cleaned.get("device")
        if customer and device and device.customer_id != customer.pk:
            self.add_error("device", _("This device does not belong to the customer."))
        if device:  # the device on file says which model and serial it is
            cleaned["product_model"], cleaned["reported_serial"] = None, ""
        return cleaned

    def new_customer_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {"kind": data.get("new_customer_kind") or CustomerKind.PERSON}
        if data.get("new_customer_address"):
            fields["address"] = data["new_customer_address"].strip()
        return fields

    def workorder_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "service_type",
            "channel",
            "urgency",
            "applicant_unit",
            "applicant_name",
            "contact_phone",
            "service_address",
            "description",
            "device",
            "product_model",
            "reported_serial",
        )
        return {name: data.get(name) for name in names}


NEW_CUSTOMER_ALIASES = {
    "name": "new_customer_name",
    "phone": "new_customer_phone",
    "address": "new_customer_address",
    "kind": "new_customer_kind",
    "unit": "new_customer_address",
}


class WorkOrderEditForm(BootstrapMixin, forms.Form):
    """The editable details of an order (``workorders.services.EDITABLE_FIELDS``) plus its version."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    service_type = forms.ChoiceField(label=_("Service type"), choices=ServiceType.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    applicant_unit = forms.CharField(label=_("Applicant unit"), required=False, max_length=100)
    applicant_name = forms.CharField(label=_("Applicant"), max_length=64)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32)
    service_address = forms.CharField(label=_("Service address"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Fault description / service content"), widget=forms.Textarea(attrs={"rows": 4})
    )
    device = forms.ModelChoiceField(
        label=_("Device"), required=False, queryset=Device.objects.none(), empty_label=_("— none —")
    )
    product_model = forms.ModelChoiceField(
        label=_("Product model"), required=False, queryset=ProductModel.objects.none(), empty_label=_("— unknown —")
    )
    reported_serial = forms.CharField(label=_("Serial number"), required=False, max_length=64)
    charge_type = forms.ChoiceField(label=_("Paid or free"), choices=ChargeType.choices)
    actual_charge = forms.DecimalField(
        label=_("Actual charge"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    payment_receiver = forms.CharField(label=_("Payment received by"), required=False, max_length=64)
    technician_signature = forms.CharField(label=_("Technician signature"), required=False, max_length=64)
    supervisor_signature = forms.CharField(label=_("Department head signature"), required=False, max_length=64)

    def __init__(self, *args: Any, user: Any, order: WorkOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        model_choice(self, "device").queryset = devices_visible_to(user).filter(customer_id=order.customer_id)
        model_choice(self, "product_model").queryset = product_models_visible_to(user)

    @classmethod
    def initial_for(cls, order: WorkOrder) -> dict[str, Any]:
        initial = {name: getattr(order, name) for name in cls.base_fields if name not in {"device", "product_model"}}
        initial["device"] = order.device_id
        initial["product_model"] = order.product_model_id
        return initial

    def changes(self) -> dict[str, Any]:
        """Every editable field as submitted; the service keeps only what really differs."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in ("applicant_unit", "applicant_name", "contact_phone", "service_address", "reported_serial"):
            data[name] = (data.get(name) or "").strip()
        data["description"] = (data.get("description") or "").strip()
        return data


class CommentForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Add a comment to the timeline")}),
    )


class UploadForm(BootstrapMixin, forms.Form):
    attachments = MultipleFileField(label=_("Photos / PDF"))

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data.get("attachments") or []
        problems = check_uploads(files)
        if problems:
            raise ValidationError(problems)
        return files


class MaterialForm(BootstrapMixin, forms.Form):
    """One 材料 line of the seed form: material, model, unit, quantity, unit price, extra."""

    name = forms.CharField(label=_("Material"), max_length=100)
    model = forms.CharField(label=_("Model"), required=False, max_length=64)
    unit_of_measure = forms.CharField(label=_("Unit"), max_length=16, initial="个")
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2, initial=1
    )
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=Decimal("0"), max_digits=12, decimal_places=2)
    extra = forms.DecimalField(
        label=_("Extra"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2, initial=0
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("quantity", "unit_price", "extra"):
            self.fields[name].widget.attrs["step"] = "0.01"


class SavedViewForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("View name"), max_length=64)
    query_string = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"class": "form-control form-control-sm", "id": "id_saved_view_name"})


class TransitionForm(forms.Form):
    """The inline form of one action, generated from the transition's ``FieldSpec``s.

    It only renders and carries the raw values: ``workorder_transition`` validates them.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, transition: Transition, technicians: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", None)
        super().__init__(*args, **kwargs)
        self.transition = transition
        for spec in transition.fields:
            self.fields[spec.name] = self._field(spec, technicians)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"id_{transition.action}_{name}")
        self.service_errors: dict[str, list[str]] = {}

    def rows(self) -> list[tuple[Any, list[str]]]:
        """(bound field, the service's messages for it) for every action field."""
        rows = []
        for name in self.fields:
            if name == "version":
                continue
            errors = self.service_errors.get(name, [])
            if errors:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"
            rows.append((self[name], errors))
        return rows

    def general_errors(self) -> list[str]:
        return self.service_errors.get("__all__", [])

    @staticmethod
    def _field(spec: FieldSpec, technicians: Any) -> forms.Field:
        label = spec.label or spec.name
        common: dict[str, Any] = {"label": label, "required": spec.required}
        if spec.type == "text":
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), **common)
        if spec.type == "datetime":
            return forms.CharField(
                widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}), **common
            )
        if spec.type == "user":
            choices = [("", "—")] + [
                (str(user.pk), f"{user.get_full_name() or user.username} · {user.profile.unit}")
                for user in (technicians or [])
            ]
            return forms.ChoiceField(choices=choices, widget=forms.Select(attrs={"class": "form-select"}), **common)
        if spec.type == "choice":
            return forms.ChoiceField(
                choices=[("", "—"), *[(value, spec.choice_label(value)) for value in spec.choices]],
                widget=forms.Select(attrs={"class": "form-select"}),
                **common,
            )
        if spec.type == "decimal":
            return forms.DecimalField(
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "form-control"}), **common
            )
        if spec.type == "score":
            return forms.TypedChoiceField(
                choices=[("", "—"), *[(str(n), str(n)) for n in range(1, 6)]],
                coerce=int,
                widget=forms.Select(attrs={"class": "form-select"}),
                **common,
            )
        raise ValueError(spec.type)  # pragma: no cover


class OrderIdsField(forms.Field):
    """The ticked rows of the list: ``order`` once per row (their ids), each once, in order."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one work order."),
        "invalid": _("Select work orders from the list."),
    }

    def to_python(self, value: Any) -> list[int]:
        from core.forms import form_int

        ids: list[int] = []
        for raw in value or []:
            number = form_int(raw)
            if not number:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            if number not in ids:
                ids.append(number)
        return ids


class TechnicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        name = obj.get_full_name() or obj.username
        return f"{name} · {profile.unit}" if profile is not None else str(name)


class BulkActionForm(BootstrapMixin, forms.Form):
    """The list's bulk bar: which action (the button pressed), the ticked orders with the version
    each was listed at (``version_<id>``), the action's own fields and the form's one-time token.
    The services (``workorders.bulk``) check permission, scope and each order."""

    ASSIGN, PRIORITY, EXPORT = "assign", "priority", "export"
    ACTIONS = {ASSIGN: _("Assign technician"), PRIORITY: _("Change priority"), EXPORT: _("Export selected (Excel)")}

    action = forms.ChoiceField(label=_("Action"), choices=list(ACTIONS.items()))
    order = OrderIdsField(label=_("Work orders"))
    technician = TechnicianChoiceField(
        label=_("Technician"), required=False, queryset=None, empty_label=_("Choose a technician")
    )  # the queryset is the user's (technicians_visible_to), set in __init__
    reason = forms.CharField(label=_("Reason for reassignment"), required=False, max_length=500)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Choose a priority")), *Priority.choices],
    )
    token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    query_string = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from workorders.selectors import technicians_visible_to

        technicians = model_choice(self, "technician")
        if user.has_perm("workorders.dispatch_workorder"):
            technicians.queryset = technicians_visible_to(user)
        else:  # the others never see the picker
            technicians.queryset = technicians_visible_to(user).none()
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"id_bulk_{name}")

    def clean_order(self) -> list[int]:
        from workorders.bulk import BULK_LIMIT

        ids: list[int] = self.cleaned_data["order"]
        if len(ids) > BULK_LIMIT:
            raise ValidationError(_("Select at most %(limit)s work orders at a time.") % {"limit": BULK_LIMIT})
        return ids

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action == self.ASSIGN and not cleaned.get("technician"):
            self.add_error("technician", _("Choose the technician to assign."))
        if action == self.PRIORITY and cleaned.get("priority") is None:
            self.add_error("priority", _("Choose a priority."))
        return cleaned

    def selection(self) -> dict[int, int | None]:
        """``{order id: the version it was listed at}`` (None when the page did not send it)."""
        from core.forms import form_int

        return {pk: form_int(self.data.get(f"version_{pk}")) for pk in self.cleaned_data.get("order") or []}

    def error_lines(self) -> list[str]:
        """Every error with the label of its field ("Priority: Choose a priority.")."""
        lines = []
        for name, messages in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            lines += [f"{label}: {message}" if label else str(message) for message in messages]
        return lines

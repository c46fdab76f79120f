"""Forms of the claims pages; they validate input, ``claims.services`` decides and writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.choices import ClaimOutcome, ClaimStatus, EvidenceKind, RuleKind
from claims.models import Claim, ClaimRuleSet
from claims.policies import RuleSetTerms
from claims.selectors import rule_sets_in_effect
from core.forms import BootstrapMixin, model_choice
from customers.selectors import customers_visible_to
from devices.selectors import devices_visible_to


class ClaimFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=64)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *ClaimStatus.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *ClaimOutcome.choices])


class ClaimCreateForm(BootstrapMixin, forms.Form):
    rule_set = forms.ModelChoiceField(label=_("Rule set"), queryset=ClaimRuleSet.objects.none())
    customer: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=None,  # type: ignore[arg-type]
        error_messages={"invalid_choice": _("Unknown customer.")},
    )
    device: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Device"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        error_messages={"invalid_choice": _("Unknown device.")},
    )
    claimed_amount = forms.DecimalField(
        label=_("Amount claimed"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, order: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = rule_sets_in_effect()
        rule_set = model_choice(self, "rule_set")
        rule_set.queryset = ClaimRuleSet.objects.filter(pk__in=[item.pk for item in current])
        if len(current) == 1:
            self.initial.setdefault("rule_set", current[0].pk)
        customers = customers_visible_to(user)
        devices = devices_visible_to(user)
        if order is not None:
            customers = customers.filter(pk=order.customer_id)
            devices = devices.filter(customer_id=order.customer_id)
            self.initial.setdefault("customer", order.customer_id)
            if order.device_id:
                self.initial.setdefault("device", order.device_id)
        model_choice(self, "customer").queryset = customers
        device = model_choice(self, "device")
        device.queryset = devices
        device.label_from_instance = lambda item: f"{item.serial_number} · {item.customer.name}"  # type: ignore[method-assign,assignment]


def answers_form_class(terms: RuleSetTerms) -> type[forms.Form]:
    """One radio question per question the rule set asks ("" = not known yet)."""
    fields: dict[str, forms.Field] = {
        "version": forms.IntegerField(widget=forms.HiddenInput, min_value=1),
    }
    for question in terms.questions():
        fields[question.key] = forms.ChoiceField(
            label=question.label,  # type: ignore[arg-type]  # a lazy string
            required=False,
            choices=[("", _("Not known yet")), *[(value, label) for value, label in question.options]],
            widget=forms.RadioSelect,
        )
    return type("ClaimAnswersForm", (forms.Form,), fields)


def answers_form(claim: Claim, data: Any = None) -> forms.Form:
    form_class = answers_form_class(claim.rule_set.terms())
    initial = {"version": claim.version, **(claim.answers or {})}
    return form_class(data, initial=initial, prefix="answers")


class EvidenceForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices, initial=EvidenceKind.BANK_SLIP)
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"})
    )


class ClaimActionForm(BootstrapMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=64)


class RuleSetVersionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    payout_ratio = forms.DecimalField(
        label=_("Payout ratio"), min_value=Decimal("0"), max_digits=6, decimal_places=4, initial=Decimal("1")
    )
    max_amount = forms.DecimalField(
        label=_("Maximum payout"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    required_documents = forms.MultipleChoiceField(
        label=_("Documents required before payment"),
        choices=EvidenceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RuleForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    code = forms.CharField(label=_("Code"), max_length=8)
    text_zh = forms.CharField(label=_("Wording (Chinese)"), widget=forms.Textarea(attrs={"rows": 2}))
    text_en = forms.CharField(label=_("Wording (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    question = forms.SlugField(label=_("Question"), max_length=48)
    expected = forms.CharField(
        label=_("Answers that satisfy the rule"),
        max_length=200,
        help_text=_("Comma-separated answer codes, e.g. yes or accepted, damaged."),
    )

    def clean_expected(self) -> list[str]:
        raw = self.cleaned_data.get("expected") or ""
        return [value.strip() for value in raw.split(",") if value.strip()]


RuleFormSet = forms.formset_factory(RuleForm, extra=1, can_delete=True)

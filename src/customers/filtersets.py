"""List filters of the customer page (the API list takes q and kind the same way)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, model_choice
from core.models import OrgUnit
from customers.choices import CustomerKind, PaymentStanding
from customers.forms import units_for
from customers.models import Customer
from customers.selectors import customer_search


class CustomerFilterSet(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *CustomerKind.choices], required=False)
    payment_standing = forms.ChoiceField(
        label=_("Payment standing"), choices=[("", _("All")), *PaymentStanding.choices], required=False
    )
    unit = forms.ModelChoiceField(label=_("Serving unit"), queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.user = user
        model_choice(self, "unit").queryset = units_for(user)

    def queryset(self) -> QuerySet[Customer]:
        self.is_valid()  # invalid filters are ignored; the valid ones still apply
        cleaned: dict[str, Any] = getattr(self, "cleaned_data", {})
        unit = cleaned.get("unit")
        return customer_search(
            user=self.user,
            query=cleaned.get("q") or "",
            kind=cleaned.get("kind") or "",
            unit=unit.pk if unit else None,
            payment_standing=cleaned.get("payment_standing") or "",
        )

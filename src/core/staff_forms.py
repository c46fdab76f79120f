"""Forms of the staff console (core.staff): people and units. Choices come from what the acting user
may grant (a director is not offered the admin or director role, nor units outside their own)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import LanguageChoices, Role, UnitKind
from core.forms import BootstrapMixin
from core.models import OrgUnit
from core.staff import ADMIN_GRANTED_ROLES, assignable_units, is_admin_user


class StaffFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Every role")), *Role.choices])
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Everyone")), ("1", _("Active")), ("0", _("Deactivated"))],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = assignable_units(user)  # type: ignore[attr-defined]


class StaffUserForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language"), choices=LanguageChoices.choices, initial=LanguageChoices.ZH_HANS)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep it (a new person without one cannot sign in until it is set)."),
    )
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, user: Any, person: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = assignable_units(user)  # type: ignore[attr-defined]
        if not is_admin_user(user):
            roles_field: Any = self.fields["roles"]
            roles_field.choices = [(value, label) for value, label in Role.choices if value not in ADMIN_GRANTED_ROLES]
        if person is None:
            del self.fields["is_active"]
            del self.fields["version"]


def regions_text(unit: OrgUnit) -> str:
    return "\n".join(f"{region.adcode_prefix} {region.name}".strip() for region in unit.regions.all())


class OrgUnitForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=OrgUnit.objects.none(), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    regions = forms.CharField(
        label=_("Coverage regions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One region per line: its code (2, 4 or 6 digits) and name, e.g. “330106 西湖区”."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, unit: OrgUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = OrgUnit.objects.filter(is_active=True).order_by("code")
        self.fields["parent"].queryset = parents.exclude(pk=unit.pk) if unit else parents  # type: ignore[attr-defined]
        if unit is None:
            del self.fields["is_active"]
            del self.fields["version"]

    def clean_regions(self) -> list[tuple[str, str]]:
        regions = []
        for line in (self.cleaned_data.get("regions") or "").splitlines():
            if line.strip():
                code, _space, name = line.strip().partition(" ")
                regions.append((code, name.strip()))
        return regions

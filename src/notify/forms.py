from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, VersionedForm
from notify.choices import DeliveryChannel, OutboxStatus
from notify.models import MessageTemplate


class OutboxFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", "—"), *OutboxStatus.choices])
    channel = forms.ChoiceField(label=_("channel"), required=False, choices=[("", "—"), *DeliveryChannel.choices])
    template_key = forms.CharField(label=_("message"), required=False, max_length=64)
    order = forms.IntegerField(label=_("work order"), required=False, min_value=1, widget=forms.HiddenInput)
    customer = forms.IntegerField(label=_("customer"), required=False, min_value=1, widget=forms.HiddenInput)


class MessageTemplateForm(VersionedForm):
    class Meta:
        model = MessageTemplate
        fields = ["subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

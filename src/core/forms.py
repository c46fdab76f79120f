"""Form pieces every app's pages share: Bootstrap styling, service errors on fields, uploads,
and the versioned edit form (optimistic concurrency)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, cast, overload

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(
    form: forms.BaseForm,
    error: ValidationError,
    *,
    aliases: dict[str, str] | None = None,
    label_of: Callable[[str], str] | None = None,
) -> None:
    """Put a service's ``{field: message}`` errors on the form fields they name.

    ``aliases`` maps a service's field name to the form's (e.g. the new customer's ``name``).
    Errors for fields the form does not have go on top, prefixed with ``label_of(field)`` if given.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    aliases = aliases or {}
    for name, messages in error.message_dict.items():
        target = aliases.get(name, name)
        if target in form.fields:
            for message in messages:
                form.add_error(target, message)
            continue
        label = label_of(name) if label_of is not None and name != NON_FIELD_ERRORS else ""
        for message in messages:
            form.add_error(None, f"{label}: {message}" if label else message)


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field ``name``, typed as the model choice field it is (to set its queryset)."""
    return cast(forms.ModelChoiceField, form.fields[name])


def _add_css(widget: forms.Widget, css: str) -> None:
    current = widget.attrs.get("class", "")
    missing = [name for name in css.split() if name not in current.split()]
    if missing:
        widget.attrs["class"] = " ".join([current, *missing]).strip()


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, and ``is-invalid`` on a field once it has an error."""

    bootstrap_size = "sm"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.style_fields()

    def style_fields(self) -> None:
        suffix = f" form-select-{self.bootstrap_size}" if self.bootstrap_size else ""
        control = f" form-control-{self.bootstrap_size}" if self.bootstrap_size else ""
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                _add_css(widget, "form-check-input")
            elif isinstance(widget, forms.Select):
                _add_css(widget, f"form-select{suffix}")
            else:
                _add_css(widget, f"form-control{control}")

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                _add_css(self.fields[name].widget, "is-invalid")  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); ``max_files`` caps the count.

    Each file's real type and size is checked by the service that stores it.
    """

    def __init__(self, *args: Any, max_files: int | None = None, max_files_message: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf,video/mp4"}))
        self.max_files = max_files
        self.max_files_message = max_files_message
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [item for item in data if item] if isinstance(data, list | tuple) else ([data] if data else [])
        if self.max_files is not None and len(files) > self.max_files:
            raise ValidationError(self.max_files_message or f"≤ {self.max_files}", code="max_files")
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        single = super().clean
        return [single(item, initial) for item in files]


class VersionedForm(BootstrapMixin, forms.ModelForm):
    """An edit form carrying the version it was loaded at (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "version" not in self.initial:
            self.initial["version"] = self.instance.version

    def validate_unique(self) -> None:
        """Uniqueness is the service's decision (it names the field and runs under the lock)."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        # Multi-field unique constraints too: the service reports them on the right field.
        form_errors: Any = self._errors  # type: ignore[attr-defined]
        errors = form_errors.get(NON_FIELD_ERRORS) if form_errors else None
        if errors:
            kept = [error for error in errors.as_data() if error.code not in {"unique_together", "unique"}]
            if kept:
                form_errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
            else:
                del form_errors[NON_FIELD_ERRORS]

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or () if name in self.cleaned_data}


SUBMISSION_TOKEN = "submission_token"


def add_submission_token(form: forms.BaseForm) -> None:
    """A hidden one-time token on a creation form, so a double click or a resubmitted page
    creates one record (see ``create_once``). Optional: a post without it simply creates."""
    form.fields[SUBMISSION_TOKEN] = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=uuid.uuid4().hex
    )


def create_once(form: forms.BaseForm, *, user: Any, scope: str, create: Callable[[], int]) -> tuple[int, bool]:
    """Run ``create`` (returning the new record's id) once per submission token of ``form``:
    ``(id, replayed)``; a repeat of the same submission gets the first record's id back."""
    from core.idempotency import submit_once

    token = (form.cleaned_data.get(SUBMISSION_TOKEN) or "").strip()
    if not token:
        return create(), False
    return submit_once(scope=scope, user=user, token=token, create=create)


def apply_versioned_edit(form: Any, update: Callable[[dict[str, Any], int | None], object]) -> int | None:
    """Validate a ``VersionedForm`` and run the service's update with its changes and version.

    Returns ``None`` when saved, else the status to re-show the form with: 409 when someone
    else saved first (nothing is overwritten), 400 when the input or the service refused.
    """
    from core.exceptions import VersionConflict

    if not form.is_valid():
        return 400
    try:
        update(form.changes(), form.cleaned_data.get("version"))
    except VersionConflict as conflict:
        form.add_error(None, conflict.message)
        return 409
    except ValidationError as error:
        add_service_errors(form, error)
        return 400
    return None


def form_status(form: forms.BaseForm) -> int:
    """A re-shown form with errors answers 400, so scripts and tests see the refusal."""
    return 400 if form.is_bound and form.errors else 200


#: The largest id an integer column holds.
MAX_FORM_INT = 2**63 - 1


@overload
def form_int(raw: Any) -> int | None: ...
@overload
def form_int(raw: Any, default: int) -> int: ...
def form_int(raw: Any, default: int | None = None) -> int | None:
    """A whole number typed into a form or a query string, or ``default``: only ASCII digits
    count ("²" passes ``str.isdigit`` but not ``int``), and only what a column can hold."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_FORM_INT:
        return default
    return int(text)

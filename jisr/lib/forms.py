from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from jisr.lib import reference
from jisr.lib.errors import JisrError


def add_error_to_form(form: forms.BaseForm, error: JisrError) -> None:
    """Show a service's JisrError on the form it came from, field by field where it can."""
    if not error.fields:
        form.add_error(None, str(error.message))
    for field, messages in error.fields.items():
        target = field if field in form.fields else None
        # A field named without words of its own carries the error's message.
        for message in messages or [str(error.message)]:
            form.add_error(target, message)


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """The records a model choice field offers (the stubs type form fields as plain Fields)."""
    field = cast(forms.ModelChoiceField, form.fields[name])  # type: ignore[type-arg]  # generic only in the stubs
    if reference.is_reference(queryset.model):
        # Options kept per process; set first: the widget takes its iterator with the queryset.
        field.iterator = reference.ReferenceChoiceIterator
    field.queryset = queryset


class ColumnMappingForm(forms.Form):
    """Which column of an uploaded spreadsheet holds each field: one choice per target (objects
    with `key` and `label`), among the file's headers; `mapping()` gives {key: header}."""

    def __init__(self, *args: Any, headers: list[str], targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *[(h, h) for h in headers if h]]
        for target in targets:
            self.fields[f"map_{target.key}"] = forms.ChoiceField(
                label=str(target.label), choices=choices, required=False
            )

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("map_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("map_") and value
        }

from __future__ import annotations

from django import forms

from jisr.lib.errors import JisrError


def add_error_to_form(form: forms.BaseForm, error: JisrError) -> None:
    """Show a service's JisrError on the form it came from, field by field where it can."""
    if not error.fields:
        form.add_error(None, str(error.message))
    for field, messages in error.fields.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)

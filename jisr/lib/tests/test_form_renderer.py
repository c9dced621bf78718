"""The drop-down lists written in Python are the markup Django's templates write."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from jisr.lib.formrenderer import Renderer


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Any"), ("a", "A & <b>"), ("b", 'quote " here')])
    grouped = forms.ChoiceField(
        choices=[
            ("", "—"),
            ("Group <1>", [("1", "one"), ("2", mark_safe("<i>two</i>"))]),
            (gettext_lazy("Other"), [("3", gettext_lazy("Other"))]),
        ],
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[(1, "x"), (2, "y"), (3, "z")], required=False)
    numbers = forms.ChoiceField(choices=[(1, 1), (2, 2)])  # a label that is not text
    flags = forms.NullBooleanField()
    boxes = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "a", "grouped": "2", "many": ["1", "3"], "numbers": "2", "flags": "true"},
        {"plain": "zz", "grouped": "<x>", "many": ["9"], "numbers": "x", "flags": "false"},
    ],
)
@pytest.mark.parametrize("name", ["plain", "grouped", "many", "numbers", "flags", "boxes"])
def test_each_widget_renders_as_the_templates_render_it(data: Any, name: str) -> None:
    attrs: dict[str, str | bool] = {
        "class": "form-select",
        "aria-invalid": "true",
        "required": True,
        "x": False,
    }
    form = _Form(data, renderer=Renderer())
    reference = _Form(data, renderer=DjangoTemplates())
    assert str(form[name].as_widget(attrs=attrs)) == str(reference[name].as_widget(attrs=attrs))


def test_the_settings_use_the_renderer() -> None:
    assert isinstance(forms.Form().renderer or _default(), Renderer)


def _default() -> Any:
    from django.forms.renderers import get_default_renderer

    return get_default_renderer()

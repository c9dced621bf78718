"""Django's form renderer, with the drop-down lists written without a template per option.

Django renders a `<select>` through `select.html`, which includes `select_option.html` and
`attrs.html` for every option: a list of 108 districts costs as much as the rest of a page
(issue 14, `benchmarks/load/cost.py`). This renderer writes the same markup, character for
character, in Python; every other widget, and a select whose options use another template, goes
through Django's templates as before.
"""

from __future__ import annotations

import html
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import SafeData, SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class Renderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if template_name == SELECT and isinstance(widget, dict) and "optgroups" in widget:
            html = select_html(widget)
            if html is not None:
                return html
        return super().render(template_name, context, request)


def _escaped(value: Any) -> str:
    """`conditional_escape`: Django's `escape` is `html.escape`, without its lazy wrapper."""
    return str(value.__html__()) if hasattr(value, "__html__") else html.escape(str(value))


def _text(value: Any) -> str | None:
    """`{{ value }}` for a text (escaped unless marked safe); None for anything else, which
    the template would localise."""
    if isinstance(value, str | Promise):
        return _escaped(value)
    return None


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`."""
    return _escaped(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """`attrs.html`."""
    return "".join(
        f" {_escaped(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict[str, Any]) -> SafeString | None:
    """`select.html` and its options' `select_option.html` for the widget's context, or None
    where the templates would do something this does not (another option template, a label
    that is not text)."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if group_name:
            label = _text(group_name)
            if label is None:
                return None
            parts.append(f'\n  <optgroup label="{label}">')
        for option in group_choices:
            text = _text(option["label"])
            if option.get("template_name") != OPTION or text is None:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{text}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # the renderer strips what the template ends with
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped

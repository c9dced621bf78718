"""Template helpers: numbers and dates in the reader's language, permission checks, safe links."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django import template
from django.contrib.auth.models import AnonymousUser

from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.lib import i18n

register = template.Library()


@register.filter
def localnumber(value: Any) -> str:
    if value is None or value == "":
        return ""
    return i18n.format_number(value)


@register.filter
def localdate(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return i18n.format_datetime(value)
    return i18n.format_date(value)


@register.filter
def can(user: User | AnonymousUser, perm: str) -> bool:
    return isinstance(user, User) and user.can(Perm(perm))


@register.filter
def bootstrap(field: Any) -> str:
    """Render a form field's widget with Bootstrap's classes (and is-invalid when it has errors)."""
    css = "form-select" if field.widget_type in ("select", "selectmultiple") else "form-control"
    if field.errors:
        css += " is-invalid"
    existing = field.field.widget.attrs.get("class", "")
    attrs = {"class": f"{existing} {css}".strip()}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return str(field.as_widget(attrs=attrs))


@register.filter
def localyear(value: Any) -> str:
    """A year in the reader's digits, never grouped (١٩٩٥, not ١٬٩٩٥)."""
    if not value:
        return ""
    return i18n.localise_digits(str(value))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`mapping[key]` in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def safe_url(value: Any) -> str:
    """`value` if it is an http(s) URL or a path on this site, else "": every stored URL that
    becomes an href goes through this, so that a `javascript:` or `data:` URL stored before
    validation refused them (or by a way around it) renders no link that runs."""
    text = str(value or "").strip()
    # Browsers drop tabs and newlines inside a URL ("java\tscript:"): refuse any control character.
    if not text or any(ord(char) < 32 or ord(char) == 127 for char in text):
        return ""
    if text.startswith("/"):
        return "" if text.startswith(("//", "/\\")) else text  # not another site's "//host"
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else ""

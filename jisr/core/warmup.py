"""What a web process loads before it answers its first request.

Django loads a good deal on first use: every view module (on the first URL resolved), each
language's catalogues, each template (compiled once, then cached), the form templates and the
password library. A new web worker paid for all of it on its first requests: issue 14's soak
found the sign-ins of its first seconds at 1.3 s, and `benchmarks/cold_start.py` measured a new
worker's first page at 1.7 s against 5 ms warm. `jisr.wsgi` calls `warm` once the application is
loaded, so a worker is warm before gunicorn hands it a connection. Nothing here touches the
database or Redis: a worker starts while they are down, and answers 503 until they are back.
"""

from __future__ import annotations

import logging
from pathlib import Path

import argon2  # noqa: F401 - loaded with the process, not on the first sign-in
from django import forms
from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent


class _Sample(forms.Form):
    text = forms.CharField()
    choice = forms.ChoiceField(choices=[("a", "a")])
    when = forms.DateField()
    yes = forms.BooleanField()


def project_templates() -> list[str]:
    """The names of Jisr's own templates (Django's and other apps' stay loaded on use)."""
    names: set[str] = set()
    for engine in engines.all():
        for folder in map(Path, engine.template_dirs):
            if folder.resolve().is_relative_to(PACKAGE_DIR) and folder.is_dir():
                names.update(path.relative_to(folder).as_posix() for path in folder.rglob("*.html"))
    return sorted(names)


def warm() -> int:
    """Load what the first requests would; returns how many templates were compiled."""
    get_resolver().reverse_dict  # noqa: B018 - imports every view module, readies `reverse`
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Sign in")
    engine = engines["django"]
    compiled = 0
    for name in project_templates():
        try:
            engine.get_template(name)
        except TemplateSyntaxError:  # that page fails when asked for, as it would have
            logger.exception("template %s does not compile", name)
        else:
            compiled += 1
    str(_Sample())  # the form renderer and its widgets' templates
    return compiled

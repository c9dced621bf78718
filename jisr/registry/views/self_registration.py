"""Self-registration pages: public, on a phone, in the person's language."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jisr.accounts.decorators import public
from jisr.core.ratelimit import client_key
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.registry import self_registration
from jisr.registry.forms import (
    CodeForm,
    DraftTokenForm,
    SelfRegistrationForm,
    initial_from_draft,
)
from jisr.registry.models import SelfRegistration


def _token(request: HttpRequest) -> str | None:
    """The draft's token: from the form that carries it, or from the link followed."""
    for data in (request.POST, request.GET):
        form = DraftTokenForm(data)
        if form.is_valid() and form.cleaned_data["draft"]:
            return str(form.cleaned_data["draft"])
    return None


def _form(
    request: HttpRequest, *, submitting: bool
) -> tuple[str | None, SelfRegistration | None, SelfRegistrationForm]:
    """The token, its draft (if any) and the registration form filled from both."""
    token = _token(request)
    draft = self_registration.draft_get(token=token) if token else None
    initial = {**initial_from_draft(draft.data), "contact": draft.contact} if draft else None
    form = SelfRegistrationForm(request.POST or None, initial=initial, submitting=submitting)
    return token, draft, form


def _draft_link(draft: SelfRegistration) -> str:
    return f"{reverse('registry:register')}?draft={draft.token}"


@public
def register(request: HttpRequest) -> HttpResponse:
    """The questions; posting them sends a code to the phone or e-mail given."""
    token, draft, form = _form(request, submitting=True)
    if request.method == "POST" and form.is_valid():
        try:
            draft = self_registration.registration_submit(
                token=token,
                contact=form.cleaned_data["contact"],
                data=form.serialisable(),
                password=form.cleaned_data["password1"],
                language=get_language() or "ar",
                client=client_key(request),
            )
        except JisrError as error:
            add_error_to_form(form, error)
            # Too many codes and a gateway that failed say so in their status too.
            status = error.status if error.code in ("rate_limited", "sms_failed") else 200
            return render(
                request, "registry/register.html", {"form": form, "draft": draft}, status=status
            )
        return redirect("registry:register_confirm", token=draft.token)
    return render(request, "registry/register.html", {"form": form, "draft": draft})


@public
def register_draft(request: HttpRequest) -> HttpResponse:
    """Keep what is filled in, to finish later with a link (the page's "Save" button)."""
    token, draft, form = _form(request, submitting=False)
    if request.method != "POST":
        return redirect(_draft_link(draft) if draft else reverse("registry:register"))
    if form.is_valid():
        draft = self_registration.draft_save(
            token=token, contact=form.cleaned_data["contact"], data=form.serialisable()
        )
        link = request.build_absolute_uri(_draft_link(draft))
        messages.success(
            request,
            _("Your answers are saved. Come back to them with this link: %(link)s")
            % {"link": link},
        )
        return redirect(_draft_link(draft))
    return render(request, "registry/register.html", {"form": form, "draft": draft})


@public
def register_confirm(request: HttpRequest, token: str) -> HttpResponse:
    draft = self_registration.draft_get(token=token)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = self_registration.registration_confirm(
                token=token, code=form.cleaned_data["code"], language=get_language() or "ar"
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            login(request, user, backend="jisr.accounts.backends.EmailOrPhoneBackend")
            messages.success(request, _("Welcome to Jisr. Your registration is complete."))
            return redirect("registry:my_record")
    return render(request, "registry/register_confirm.html", {"form": form, "draft": draft})

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
from jisr.registry.forms import CodeForm, SelfRegistrationForm, initial_from_draft


@public
def register(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("draft") or request.POST.get("draft") or None
    draft = self_registration.draft_get(token) if token else None
    saving_draft = request.POST.get("action") == "draft"
    initial = {**initial_from_draft(draft.data), "contact": draft.contact} if draft else None
    form = SelfRegistrationForm(request.POST or None, initial=initial, submitting=not saving_draft)
    if request.method == "POST" and form.is_valid():
        if saving_draft:
            draft = self_registration.draft_save(
                token=token, contact=form.cleaned_data["contact"], data=form.serialisable()
            )
            link = request.build_absolute_uri(f"{reverse('registry:register')}?draft={draft.token}")
            messages.success(
                request,
                _("Your answers are saved. Come back to them with this link: %(link)s")
                % {"link": link},
            )
            return redirect(f"{reverse('registry:register')}?draft={draft.token}")
        try:
            draft = self_registration.registration_submit(
                token=token, contact=form.cleaned_data["contact"], data=form.serialisable(),
                password=form.cleaned_data["password1"], language=get_language() or "ar",
                client=client_key(request),
            )  # fmt: skip
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
def register_confirm(request: HttpRequest, token: str) -> HttpResponse:
    draft = self_registration.draft_get(token)
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

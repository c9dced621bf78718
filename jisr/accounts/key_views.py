"""Pages where an organisation's administrator makes, rotates and revokes API keys."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jisr.accounts import selectors, services
from jisr.accounts.decorators import AuthedRequest, permission
from jisr.accounts.forms import ApiKeyForm, ApiKeyRotateForm
from jisr.accounts.models import ApiKey
from jisr.accounts.roles import Perm, Scope, Sensitivity
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form


@permission(Perm.API_KEY_MANAGE)
def api_key_list(request: AuthedRequest) -> HttpResponse:
    keys = selectors.api_key_list(fetched_by=request.user)
    return render(request, "accounts/api_key_list.html", {"keys": keys})


def _shown_once(request: AuthedRequest, key: ApiKey, token: str) -> HttpResponse:
    # The key is in this response only: never in a redirect, a message or the session.
    context = {"key": key, "token": token, "api_base": request.build_absolute_uri("/api/v1/")}
    return render(request, "accounts/api_key_made.html", context)


@never_cache
@permission(Perm.API_KEY_MANAGE)
def api_key_create(request: AuthedRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None, maker=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, token = services.api_key_create(
                by=request.user,
                name=data["name"],
                permissions=frozenset(Perm(value) for value in data["permissions"]),
                scope=Scope(data["scope"]),
                clearance=Sensitivity(data["clearance"]),
                expires_on=data["expires_on"],
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return _shown_once(request, key, token)
    return render(request, "accounts/api_key_form.html", {"form": form})


@never_cache
@permission(Perm.API_KEY_MANAGE)
def api_key_rotate(request: AuthedRequest, key_id: int) -> HttpResponse:
    key = selectors.api_key_get(fetched_by=request.user, key_id=key_id)
    form = ApiKeyRotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new, token = services.api_key_rotate(
                by=request.user, key=key, overlap_hours=form.cleaned_data["overlap_hours"]
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            return _shown_once(request, new, token)
    return render(request, "accounts/api_key_rotate.html", {"key": key, "form": form})


@permission(Perm.API_KEY_MANAGE)
def api_key_revoke(request: AuthedRequest, key_id: int) -> HttpResponse:
    key = selectors.api_key_get(fetched_by=request.user, key_id=key_id)
    if request.method == "POST":
        services.api_key_revoke(by=request.user, key=key)
        messages.success(request, _("The key has been revoked: it no longer works."))
        return redirect("accounts:api_key_list")
    return render(request, "accounts/api_key_revoke.html", {"key": key})

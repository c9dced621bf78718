from __future__ import annotations

from base64 import b32encode
from typing import TypeVar

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisr.accounts import selectors, services
from jisr.accounts.decorators import AuthedRequest, permission, public, self_service, signed_in
from jisr.accounts.forms import (
    EnrolmentCodeForm,
    LanguageForm,
    NextForm,
    OrganisationForm,
    PasswordChangeForm,
    PasswordLinkForm,
    PasswordSetForm,
    SignInForm,
    TokenForm,
    UserForm,
)
from jisr.accounts.models import User
from jisr.accounts.roles import Perm, Scope
from jisr.core.ratelimit import RateLimited, client_key
from jisr.lib.errors import JisrError
from jisr.lib.forms import add_error_to_form
from jisr.registry.models import Person

PAGE_SIZE = 50
M = TypeVar("M", bound=models.Model)


def remember_language(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
    )


def _safe_next(request: HttpRequest, target: str, default: str) -> str:
    """`target` if it is a path on this site (or this host), else `default`."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Staff land on their dashboard; a person on their own record (or account page)."""
        user = self.request.user
        if user.is_authenticated and user.can(Perm.DASHBOARD_VIEW):
            return reverse("core:dashboard")
        if user.is_authenticated and Person.objects.filter(account_id=user.pk).exists():
            return reverse("registry:my_record")
        return reverse("accounts:me")

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # The user's saved language wins over the browser's from now on.
        remember_language(response, form.get_user().language)
        return response


sign_in = public(SignInView.as_view())


@signed_in
def sign_out(request: AuthedRequest) -> HttpResponseBase:
    if request.method != "POST":
        return render(request, "accounts/sign_out.html")
    return auth_views.LogoutView.as_view()(request)


def locked_out(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


class PasswordReset(auth_views.PasswordResetView):
    form_class = PasswordLinkForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordLinkForm) -> HttpResponse:
        try:
            return super().form_valid(form)
        except RateLimited as error:
            # The same refusal for every address asked for: it says nothing about accounts.
            add_error_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=429)


password_reset = public(PasswordReset.as_view())
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    form_class = PasswordSetForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: PasswordSetForm) -> HttpResponse:
        response = super().form_valid(form)  # the form saves through the service
        # The link came to the account's e-mail: proof enough to set up two-factor here.
        enrolment = services.two_factor_password_link_redeem(user=form.user)
        if enrolment is not None:
            self.request.session[services.ENROLMENT_SESSION_KEY] = enrolment.pk
        return response


password_reset_confirm = public(PasswordResetConfirm.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)


@signed_in
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    user = request.user
    # is_verified() is added to the user by django-otp's middleware, unknown to the type checker.
    if selectors.two_factor_set_up(user=user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:two_factor_verify")
    enrolment = selectors.enrolment_proof_get(
        fetched_by=user, enrolment_id=request.session.get(services.ENROLMENT_SESSION_KEY)
    )
    if enrolment is None:
        # The password alone proves too little to add an authenticator app: first a link sent
        # to the account's own e-mail or phone, or an administrator's code.
        return _two_factor_prove(request)
    device = services.two_factor_device_start(user=user)
    form = TokenForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        if services.two_factor_confirm(
            user=user, device=device, token=form.cleaned_data["token"], enrolment=enrolment
        ):
            request.session.pop(services.ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            target = _safe_next(request, form.cleaned_data["next"], reverse("core:dashboard"))
            return HttpResponseRedirect(target)
        form.add_error(
            "token", _("That code is not right. Check the time on your phone and try again.")
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": _base32(device)},
    )


def _masked(contact: str) -> str:
    """Enough of the address for its owner to recognise it, not for a stranger to learn it."""
    if "@" in contact:
        name, _at, domain = contact.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"•••{contact[-3:]}"


def _setup_url(next_url: str) -> str:
    return reverse("accounts:two_factor_setup") + (
        f"?{urlencode({'next': next_url})}" if next_url else ""
    )


def _two_factor_prove(
    request: AuthedRequest,
    *,
    link_form: NextForm | None = None,
    code_form: EnrolmentCodeForm | None = None,
    link_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The page that asks for a proof: a link to send, or an administrator's code."""
    user = request.user
    initial = {"next": request.GET.get("next", "")}
    return render(
        request,
        "accounts/two_factor_prove.html",
        {
            "link_form": link_form or NextForm(initial=initial),
            "code_form": code_form or EnrolmentCodeForm(initial=initial),
            "link_error": link_error,
            "where": _masked(user.email or user.phone or ""),
        },
        status=status,
    )


@signed_in
def two_factor_link(request: AuthedRequest) -> HttpResponse:
    """Send a link to the account's own e-mail or phone (the proof asked for before setting up
    an authenticator app)."""
    if request.method != "POST":
        return redirect("accounts:two_factor_setup")
    user = request.user
    form = NextForm(request.POST)
    next_url = form.cleaned_data["next"] if form.is_valid() else ""
    try:
        services.two_factor_link_send(user=user, client=client_key(request))
    except JisrError as error:
        return _two_factor_prove(
            request, link_form=form, link_error=str(error.message), status=error.status
        )
    messages.success(
        request,
        _("A link is on its way to %(where)s. It works for an hour.")
        % {"where": _masked(user.email or user.phone or "")},
    )
    return redirect(_setup_url(next_url))


@signed_in
def two_factor_code(request: AuthedRequest) -> HttpResponse:
    """An administrator's enrolment code, as the proof asked for before setting up an app."""
    if request.method != "POST":
        return redirect("accounts:two_factor_setup")
    form = EnrolmentCodeForm(request.POST)
    if not form.is_valid():
        return _two_factor_prove(request, code_form=form)
    try:
        enrolment = services.two_factor_code_redeem(
            user=request.user, code=form.cleaned_data["code"]
        )
    except JisrError as error:
        add_error_to_form(form, error)
        return _two_factor_prove(request, code_form=form, status=error.status)
    if enrolment is None:
        form.add_error("code", _("That code is not right, or it has expired."))
        return _two_factor_prove(request, code_form=form)
    request.session[services.ENROLMENT_SESSION_KEY] = enrolment.pk
    return redirect(_setup_url(form.cleaned_data["next"]))


@signed_in
def two_factor_enrol(request: AuthedRequest, token: str) -> HttpResponse:
    """The link sent for enrolment. Opening it shows a button, so that mail scanners that fetch
    links use nothing up; pressing it, signed in as the account it was sent to, is the proof."""
    if request.method == "POST":
        enrolment = services.two_factor_link_redeem(user=request.user, token=token)
        if enrolment is not None:
            request.session[services.ENROLMENT_SESSION_KEY] = enrolment.pk
            return redirect("accounts:two_factor_setup")
        messages.error(
            request,
            _(
                "This link has expired or was already used, or it was sent to another account. "
                "Ask for a new one."
            ),
        )
    return render(request, "accounts/two_factor_enrol.html")


def _base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


@signed_in
def two_factor_verify(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            target = _safe_next(request, form.cleaned_data["next"], reverse("core:dashboard"))
            return HttpResponseRedirect(target)
        form.add_error(
            "token", _("That code is not right. Check the time on your phone and try again.")
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@self_service
def my_account(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        services.user_language_set(user=user, language=form.cleaned_data["language"])
        response = redirect("accounts:me")
        remember_language(response, user.language)
        return response
    return render(request, "accounts/me.html", {"form": form, "account": user})


class PasswordChange(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:me")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)  # the form saves through the service
        messages.success(self.request, _("Your password has been changed."))
        return response


password_change = self_service(PasswordChange.as_view())


def _page(request: HttpRequest, items: QuerySet[M]) -> Page[M]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@permission(Perm.ORGANISATION_VIEW)
def organisation_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    organisations = selectors.organisation_list(fetched_by=request.user, search=query)
    context = {"page": _page(request, organisations), "q": query}
    template = (
        "accounts/_organisation_rows.html"
        if _is_htmx(request)
        else "accounts/organisation_list.html"
    )
    return render(request, template, context)


@permission(Perm.ORGANISATION_VIEW)
def organisation_detail(request: AuthedRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get(
        fetched_by=request.user, organisation_id=organisation_id
    )
    members = None
    if request.user.can(Perm.USER_VIEW):
        members = selectors.user_list(fetched_by=request.user).filter(organisation=organisation)
    can_manage = (
        request.user.can(Perm.ORGANISATION_MANAGE)
        and selectors.organisation_list_managed(fetched_by=request.user)
        .filter(pk=organisation.pk)
        .exists()
    )
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "branches": organisation.branches.select_related("governorate"),
            "members": members,
            "can_manage": can_manage,
        },
    )


@permission(Perm.ORGANISATION_MANAGE)
def organisation_create(request: AuthedRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(by=request.user, **form.cleaned_data)
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The organisation has been added."))
            return redirect("accounts:organisation_detail", organisation_id=organisation.pk)
    return render(request, "accounts/organisation_form.html", {"form": form})


@permission(Perm.ORGANISATION_MANAGE)
def organisation_edit(request: AuthedRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get(
        fetched_by=request.user, organisation_id=organisation_id
    )
    if (
        not selectors.organisation_list_managed(fetched_by=request.user)
        .filter(pk=organisation.pk)
        .exists()
    ):
        raise JisrError("forbidden", _("You do not have permission to do this."), status=403)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                by=request.user, organisation=organisation, **form.cleaned_data
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("accounts:organisation_detail", organisation_id=organisation.pk)
    return render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": organisation}
    )


@permission(Perm.USER_VIEW)
def user_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    users = selectors.user_list(fetched_by=request.user, search=query)
    context = {"page": _page(request, users), "q": query}
    template = "accounts/_user_rows.html" if _is_htmx(request) else "accounts/user_list.html"
    return render(request, template, context)


@permission(Perm.USER_VIEW)
def user_detail(request: AuthedRequest, user_id: int) -> HttpResponse:
    account = selectors.user_get(fetched_by=request.user, user_id=user_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "can_manage": _can_manage(request, account),
            "two_factor": selectors.two_factor_set_up(user=account),
        },
    )


@permission(Perm.USER_MANAGE)
def user_two_factor_reset(request: AuthedRequest, user_id: int) -> HttpResponse:
    account = selectors.user_get(fetched_by=request.user, user_id=user_id)
    if not selectors.user_can_manage(manager=request.user, user=account):
        raise JisrError("forbidden", _("You do not have permission to do this."), status=403)
    if request.method == "POST":
        code = services.user_two_factor_reset(by=request.user, user=account)
        messages.success(request, _("Two-factor authentication has been reset for this account."))
        return _show_enrolment_code(request, account, code)
    return render(request, "accounts/two_factor_reset.html", {"account": account})


def _show_enrolment_code(request: AuthedRequest, account: User, code: str) -> HttpResponse:
    """The code, in the answer to the POST that made it and nowhere else: shown once."""
    response = render(
        request,
        "accounts/enrolment_code.html",
        {
            "account": account,
            "enrolment_code": code,
            "days": services.CODE_LIFETIME.days,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _can_manage(request: AuthedRequest, account: User) -> bool:
    return request.user.can(Perm.USER_MANAGE) and selectors.user_can_manage(
        manager=request.user, user=account
    )


def _user_form(request: AuthedRequest, instance: User | None = None) -> UserForm:
    return UserForm(
        request.POST or None,
        organisations=selectors.organisation_list_managed(fetched_by=request.user),
        manager_scope=request.user.scope_for(Perm.USER_MANAGE) or Scope.OWN,
        instance=instance,
    )


@permission(Perm.USER_MANAGE)
def user_create(request: AuthedRequest) -> HttpResponse:
    form = _user_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.user_create(
                by=request.user,
                full_name=data["full_name"],
                email=data["email"] or None,
                phone=data["phone"],
                organisation=data["organisation"],
                language=data["language"],
                password=data.get("password") or None,
                roles=form.roles(),
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The account has been created."))
            if data.get("password") and settings.JISR_REQUIRE_2FA and account.is_staff_member:
                # No e-mailed link set this password, so nothing yet proves the new user: the
                # administrator hands over an enrolment code with it.
                code = services.two_factor_code_issue(by=request.user, user=account)
                return _show_enrolment_code(request, account, code)
            return redirect("accounts:user_detail", user_id=account.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@permission(Perm.USER_MANAGE)
def user_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    account = selectors.user_get(fetched_by=request.user, user_id=user_id)
    if not selectors.user_can_manage(manager=request.user, user=account):
        raise JisrError("forbidden", _("You do not have permission to do this."), status=403)
    form = _user_form(request, instance=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                by=request.user,
                user=account,
                roles=form.roles(),
                full_name=data["full_name"],
                email=data["email"] or None,
                phone=data["phone"],
                organisation=data["organisation"],
                language=data["language"],
                is_active=data["is_active"],
            )
        except JisrError as error:
            add_error_to_form(form, error)
        else:
            messages.success(request, _("The account has been saved."))
            return redirect("accounts:user_detail", user_id=account.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": account})

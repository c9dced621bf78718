"""Changes to organisations and accounts. Each runs in one transaction with its audit entry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisr.accounts.access import forbidden, require
from jisr.accounts.backends import find_user
from jisr.accounts.limits import limit_messages_to
from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
from jisr.accounts.roles import ROLE_MAX_SCOPE, STAFF_ROLES, Perm, Role, Scope
from jisr.accounts.selectors import organisations_managed_by, user_can_manage
from jisr.audit.models import Action
from jisr.audit.services import audit_record, diff
from jisr.core.tasks import send_email_on_commit
from jisr.lib.errors import JisrError
from jisr.lib.validation import invalid, validated_save

ORGANISATION_FIELDS = [
    "name_ar", "name_ckb", "name_en", "kind", "acronym", "parent_id", "governorate_id",
    "country", "email", "phone", "website", "is_active", "verified",
]  # fmt: skip
USER_FIELDS = ["full_name", "email", "phone", "organisation_id", "language", "is_active"]


def _snapshot(instance: Any, fields: list[str]) -> dict[str, Any]:
    return {field: _plain(getattr(instance, field)) for field in fields}


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


def _check_placement(*, by: Any, fields: dict[str, Any], current: Organisation | None) -> None:
    """Where an organisation sits decides whose records its staff reach, so only an
    administrator of all records may move one, or put one outside their own tree."""
    if by.scope_for(Perm.ORGANISATION_MANAGE) == Scope.ALL:
        return
    if fields.get("verified") and (current is None or not current.verified):
        raise invalid({"verified": [_("Only an administrator of all records can verify.")]})
    if fields.get("kind") == OrganisationKind.PLATFORM:
        raise forbidden()
    if current is None:
        parent = fields.get("parent")
        if parent is None or not organisations_managed_by(by).filter(pk=parent.pk).exists():
            raise invalid({"parent": [_("Add it as a branch of an organisation you manage.")]})
        if (
            fields.get("governorate") is not None
            and by.governorate_id
            and (
                by.scope_for(Perm.ORGANISATION_MANAGE) == Scope.GOVERNORATE
                and fields["governorate"].pk != by.governorate_id
            )
        ):
            raise invalid({"governorate": [_("Only your own governorate.")]})
        return
    for name, stored in (
        ("parent", current.parent_id),
        ("governorate", current.governorate_id),
        ("kind", current.kind),
    ):
        if name in fields:
            value = fields[name]
            new = value.pk if hasattr(value, "pk") else value
            if new != stored:
                raise invalid({name: [_("Only an administrator of all records can change this.")]})


@transaction.atomic
def organisation_create(*, by: Any, **fields: Any) -> Organisation:
    require(by, Perm.ORGANISATION_MANAGE)
    _check_placement(by=by, fields=fields, current=None)
    organisation = Organisation(**fields)
    validated_save(organisation)
    audit_record(
        actor=by, action=Action.CREATE, target=organisation,
        changes=diff({}, _snapshot(organisation, ORGANISATION_FIELDS)),
    )  # fmt: skip
    return organisation


@transaction.atomic
def organisation_update(*, by: Any, organisation: Organisation, **fields: Any) -> Organisation:
    require(by, Perm.ORGANISATION_MANAGE)
    if not organisations_managed_by(by).filter(pk=organisation.pk).exists():
        raise forbidden()
    stored = Organisation.objects.get(pk=organisation.pk)
    _check_placement(by=by, fields=fields, current=stored)
    if fields.get("parent") is not None and fields["parent"].pk in organisation.descendant_ids():
        raise invalid({"parent": [_("An organisation cannot be part of itself or its branches.")]})
    # Compare with what is stored: a ModelForm may already have changed the instance in memory.
    before = _snapshot(stored, ORGANISATION_FIELDS)
    for name, value in fields.items():
        setattr(organisation, name, value)
    validated_save(organisation)
    changes = diff(before, _snapshot(organisation, ORGANISATION_FIELDS))
    if changes:
        audit_record(actor=by, action=Action.UPDATE, target=organisation, changes=changes)
    return organisation


def _check_roles(*, by: Any, roles: dict[Role, Scope], organisation: Organisation | None) -> None:
    own_scope = by.scope_for(Perm.USER_MANAGE) or Scope.OWN
    errors: list[str] = []
    for role, scope in roles.items():
        if role == Role.PERSON:
            errors.append(_("The self-service role comes with a person's own registration."))
        elif scope > ROLE_MAX_SCOPE[role]:
            errors.append(
                _("%(role)s cannot be granted a scope wider than “%(scope)s”.")
                % {"role": role.label, "scope": ROLE_MAX_SCOPE[role].label}
            )
        elif scope > own_scope:
            errors.append(_("You cannot grant a scope wider than your own."))
    if roles and any(role in STAFF_ROLES for role in roles) and organisation is None:
        errors.append(_("Staff roles need an organisation."))
    if errors:
        raise invalid({"roles": errors})


def _set_roles(user: User, roles: dict[Role, Scope]) -> None:
    # A person's self-service grant comes with their registration, never from a staff form.
    RoleGrant.objects.filter(user=user).exclude(role__in=[*roles, Role.PERSON]).delete()
    for role, scope in roles.items():
        RoleGrant.objects.update_or_create(user=user, role=role, defaults={"scope": scope})
    user.invalidate_roles()
    getattr(user, "_prefetched_objects_cache", {}).pop("role_grants", None)


def _role_snapshot(user: User) -> dict[str, int]:
    """The grants as stored (never a prefetched copy, which may be stale)."""
    return dict(RoleGrant.objects.filter(user=user).order_by("role").values_list("role", "scope"))


@transaction.atomic
def user_create(
    *,
    by: Any,
    full_name: str,
    organisation: Organisation,
    roles: dict[Role, Scope],
    email: str | None = None,
    phone: str | None = None,
    password: str | None = None,
    language: str = settings.LANGUAGE_CODE,
) -> User:
    """A staff account. Without a password, the new user is e-mailed a link to choose one."""
    require(by, Perm.USER_MANAGE)
    if not organisations_managed_by(by).filter(pk=organisation.pk).exists():
        raise forbidden()
    _check_roles(by=by, roles=roles, organisation=organisation)
    if not organisation.is_active:
        raise invalid({"organisation": [_("This organisation is inactive.")]})
    if not password and not email:
        raise invalid(
            {"password": [_("Give a first password, or an e-mail address to send a link to.")]}
        )
    user = User(
        full_name=full_name, email=email or None, phone=phone or None,
        organisation=organisation, language=language,
    )  # fmt: skip
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise invalid({"password": [str(m) for m in error.messages]}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    validated_save(user)
    _set_roles(user, roles)
    audit_record(
        actor=by, action=Action.CREATE, target=user,
        changes={**diff({}, _snapshot(user, USER_FIELDS)), "roles": [None, _role_snapshot(user)]},
    )  # fmt: skip
    if not password and user.email:
        send_password_link(user, welcome=True)
    return user


@transaction.atomic
def user_update(
    *, by: Any, user: User, roles: dict[Role, Scope] | None = None, **fields: Any
) -> User:
    require(by, Perm.USER_MANAGE)
    if not user_can_manage(manager=by, user=user):
        raise forbidden()
    if (
        fields.get("organisation") is not None
        and not organisations_managed_by(by).filter(pk=fields["organisation"].pk).exists()
    ):
        raise forbidden()
    if user.pk == by.pk:
        _refuse_changes_to_own_power(user=user, roles=roles, fields=fields)
    stored = User.objects.get(pk=user.pk)
    before = {**_snapshot(stored, USER_FIELDS), "roles": _role_snapshot(stored)}
    for name, value in fields.items():
        setattr(user, name, value)
    validated_save(user)
    if roles is not None:
        _check_roles(by=by, roles=roles, organisation=user.organisation)
        _set_roles(user, roles)
    changes = diff(before, {**_snapshot(user, USER_FIELDS), "roles": _role_snapshot(user)})
    if changes:
        action = Action.DEACTIVATE if changes.get("is_active") == [True, False] else Action.UPDATE
        audit_record(actor=by, action=action, target=user, changes=changes)
    return user


def _refuse_changes_to_own_power(
    *, user: User, roles: dict[Role, Scope] | None, fields: dict[str, Any]
) -> None:
    """Nobody widens (or loses by mistake) their own access: another administrator must."""
    if fields.get("is_active") is False:
        raise JisrError(
            "invalid", gettext_lazy("You cannot deactivate your own account."), status=422
        )
    if roles is not None and {r.value: s.value for r, s in roles.items()} != {
        role: scope for role, scope in _role_snapshot(user).items() if role != Role.PERSON
    }:
        raise invalid({"roles": [_("You cannot change your own roles.")]})
    new_organisation = fields.get("organisation")
    if new_organisation is not None and new_organisation.pk != user.organisation_id:
        raise invalid({"organisation": [_("You cannot move your own account.")]})


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def send_password_link(user: User, *, welcome: bool = False) -> None:
    """E-mail a link to choose a password, in the user's own language."""
    if not user.email:
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(user.language):
        subject = _("Welcome to Jisr") if welcome else _("Reset your Jisr password")
        body = render_to_string(
            "accounts/email/password_link.txt", {"user": user, "link": link, "welcome": welcome}
        )
    send_email_on_commit(str(subject), body, [user.email])


@transaction.atomic
def password_link_request(*, email: str, client: str) -> None:
    """Someone asks for a password link for `email` from the address `client`. Limited per
    address and per address asked for, and answered alike whether or not an account has it."""
    limit_messages_to(contact=email, client=client)
    user = find_user(email)
    if user is not None and user.is_active and user.email:
        send_password_link(user)


@transaction.atomic
def user_reset_two_factor(*, by: Any, user: User) -> None:
    """For a lost phone: the user sets up a new authenticator app at their next sign-in."""
    require(by, Perm.USER_MANAGE)
    if not user_can_manage(manager=by, user=user):
        raise forbidden()
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        actor=by, action=Action.TWO_FACTOR_RESET, target=user, changes={"devices": [deleted, 0]}
    )


@transaction.atomic
def two_factor_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm a new authenticator app with its first code; False when the code is wrong."""
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(actor=user, action=Action.TWO_FACTOR_ENROLLED, target=user)
    return True

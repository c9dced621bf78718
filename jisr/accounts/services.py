"""Changes to organisations and accounts. Each runs in one transaction with its audit entry."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisr.accounts.access import forbidden, require
from jisr.accounts.apikeys import new_key
from jisr.accounts.backends import find_user
from jisr.accounts.limits import limit_messages_to
from jisr.accounts.models import (
    ApiKey,
    EnrolmentProof,
    Organisation,
    OrganisationKind,
    RoleGrant,
    TwoFactorEnrolment,
    User,
)
from jisr.accounts.roles import (
    API_KEY_PERMISSIONS,
    PERMISSION_LABELS,
    ROLE_MAX_SCOPE,
    STAFF_ROLES,
    Perm,
    Role,
    Scope,
    Sensitivity,
)
from jisr.accounts.selectors import (
    PROOF_LIFETIME,
    api_key_list,
    organisation_list_managed,
    user_can_manage,
)
from jisr.audit.models import Action
from jisr.audit.services import audit_record, diff
from jisr.core.ratelimit import rate_limit_hit
from jisr.core.tasks import send_email_on_commit
from jisr.lib.errors import JisrError
from jisr.lib.sms import SmsError, send_sms
from jisr.lib.validation import invalid, validated_save

ORGANISATION_FIELDS = [
    "name_ar", "name_ckb", "name_en", "kind", "acronym", "parent_id", "governorate_id",
    "country", "email", "phone", "website", "is_active", "verified",
]  # fmt: skip
USER_FIELDS = ["full_name", "email", "phone", "organisation_id", "language", "is_active"]


def _snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {field: _plain(getattr(instance, field)) for field in fields}


def _plain(value: object) -> str | int | bool | None:
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


def _check_placement(*, by: User, fields: dict[str, Any], current: Organisation | None) -> None:
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
        if (
            parent is None
            or not organisation_list_managed(fetched_by=by).filter(pk=parent.pk).exists()
        ):
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
def organisation_create(*, by: User, **fields: Any) -> Organisation:
    require(by, Perm.ORGANISATION_MANAGE)
    _check_placement(by=by, fields=fields, current=None)
    organisation = Organisation(**fields)
    validated_save(organisation)
    audit_record(
        actor=by,
        action=Action.CREATE,
        target=organisation,
        changes=diff({}, _snapshot(organisation, ORGANISATION_FIELDS)),
    )
    return organisation


@transaction.atomic
def organisation_update(*, by: User, organisation: Organisation, **fields: Any) -> Organisation:
    require(by, Perm.ORGANISATION_MANAGE)
    if not organisation_list_managed(fetched_by=by).filter(pk=organisation.pk).exists():
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


def _check_roles(*, by: User, roles: dict[Role, Scope], organisation: Organisation | None) -> None:
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
    by: User,
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
    if not organisation_list_managed(fetched_by=by).filter(pk=organisation.pk).exists():
        raise forbidden()
    _check_roles(by=by, roles=roles, organisation=organisation)
    if not organisation.is_active:
        raise invalid({"organisation": [_("This organisation is inactive.")]})
    if not password and not email:
        raise invalid(
            {"password": [_("Give a first password, or an e-mail address to send a link to.")]}
        )
    user = User(
        full_name=full_name,
        email=email or None,
        phone=phone or None,
        organisation=organisation,
        language=language,
    )
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
        actor=by,
        action=Action.CREATE,
        target=user,
        changes={**diff({}, _snapshot(user, USER_FIELDS)), "roles": [None, _role_snapshot(user)]},
    )
    if not password and user.email:
        password_link_send(user=user, welcome=True)
    return user


@transaction.atomic
def user_update(
    *, by: User, user: User, roles: dict[Role, Scope] | None = None, **fields: Any
) -> User:
    require(by, Perm.USER_MANAGE)
    if not user_can_manage(manager=by, user=user):
        raise forbidden()
    if (
        fields.get("organisation") is not None
        and not organisation_list_managed(fetched_by=by)
        .filter(pk=fields["organisation"].pk)
        .exists()
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
def user_language_set(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


@transaction.atomic
def user_password_set(*, user: User, password: str) -> None:
    """The user's new password (the form has checked it), with its audit entry."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action=Action.PASSWORD_CHANGED, target=user)


def password_link_send(*, user: User, welcome: bool = False) -> None:
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
        password_link_send(user=user)


# --- Two-factor enrolment (decision 0018) ---------------------------------------------------
# The password is not enough to set up an authenticator app: whoever holds it (a phished or
# shared password) would enrol their own. Enrolment needs one more proof, redeemed once in the
# browser session that enrols (`ENROLMENT_SESSION_KEY` holds its id there).

ENROLMENT_SESSION_KEY = "jisr_two_factor_enrolment"
LINK_LIFETIME = timedelta(hours=1)
CODE_LIFETIME = timedelta(days=3)
CODE_GUESSES = 5
CODE_GUESS_WINDOW = timedelta(minutes=15)
# No 0/O, 1/I/L: a code is read aloud or copied from paper.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _secret_hash(secret: str) -> str:
    return salted_hmac("jisr.accounts.enrolment", secret, algorithm="sha256").hexdigest()


def _plain_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _issue(
    *, user: User, proof: EnrolmentProof, lifetime: timedelta, issued_by: User | None = None
) -> str:
    """A new secret of this kind for `user`; one outstanding at a time, so it replaces any."""
    TwoFactorEnrolment.objects.filter(user=user, proof=proof, redeemed_at__isnull=True).delete()
    if proof == EnrolmentProof.CODE:
        plain = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        secret = "-".join(plain[i : i + 4] for i in range(0, 12, 4))
    else:
        plain = secret = secrets.token_urlsafe(32)
    TwoFactorEnrolment.objects.create(
        user=user,
        proof=proof,
        secret_hash=_secret_hash(plain),
        issued_by=issued_by,
        expires_at=timezone.now() + lifetime,
    )
    return secret


def _check_manager(*, by: User, user: User) -> None:
    require(by, Perm.USER_MANAGE)
    if not user_can_manage(manager=by, user=user):
        raise forbidden()


@transaction.atomic
def two_factor_code_issue(*, by: User, user: User) -> str:
    """An enrolment code for `user`, to be shown once to the administrator `by`, who hands it
    over (in person, or by calling back a number already known)."""
    _check_manager(by=by, user=user)
    code = _issue(user=user, proof=EnrolmentProof.CODE, lifetime=CODE_LIFETIME, issued_by=by)
    audit_record(actor=by, action=Action.UPDATE, target=user, changes={"enrolment_code": "issued"})
    return code


@transaction.atomic
def user_two_factor_reset(*, by: User, user: User) -> str:
    """For a lost phone: the authenticator apps go, and every proof not yet used with them;
    the user sets up a new app with the enrolment code returned (shown once to `by`) or with a
    link sent to their e-mail or phone."""
    _check_manager(by=by, user=user)
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    TwoFactorEnrolment.objects.filter(user=user, completed_at__isnull=True).delete()
    code = _issue(user=user, proof=EnrolmentProof.CODE, lifetime=CODE_LIFETIME, issued_by=by)
    audit_record(
        actor=by,
        action=Action.TWO_FACTOR_RESET,
        target=user,
        changes={"devices": [deleted, 0], "enrolment_code": "issued"},
    )
    return code


@transaction.atomic
def two_factor_link_send(*, user: User, client: str) -> None:
    """Send `user` a one-time link to their own e-mail (or phone, without one) that lets the
    browser session opening it enrol. Counted like every message to a contact."""
    contact = user.email or user.phone
    if not contact:
        raise JisrError(
            "no_contact",
            gettext_lazy("This account has no e-mail or phone. Ask an administrator for a code."),
            status=422,
        )
    limit_messages_to(contact=contact, client=client)
    secret = _issue(user=user, proof=EnrolmentProof.LINK, lifetime=LINK_LIFETIME)
    link = settings.SITE_URL.rstrip("/") + reverse(
        "accounts:two_factor_enrol", kwargs={"token": secret}
    )
    with translation.override(user.language):
        subject = str(_("Set up two-factor authentication on Jisr"))
        asked = _(
            "Someone signed in to your Jisr account with your password and asked to set up "
            "two-factor authentication. If it was you, open this link within an hour, in the "
            "browser where you are setting it up: %(link)s"
        ) % {"link": link}
        warning = _(
            "If it was not you, do not open it: change your password and tell your administrator."
        )
        text = f"{asked}\n\n{warning}"
    if user.email:
        send_email_on_commit(subject, text, [user.email])
        return
    try:
        send_sms(contact, text)
    except SmsError:
        raise JisrError(
            "sms_failed",
            gettext_lazy(
                "We could not send the text message just now. Try again in a few minutes."
            ),
            status=503,
        ) from None


@transaction.atomic
def two_factor_device_start(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: its unconfirmed device, made the first time."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Jisr", confirmed=False)


def _redeem(queryset: QuerySet[TwoFactorEnrolment]) -> TwoFactorEnrolment | None:
    """Mark one issued proof redeemed, at most once even under racing requests."""
    now = timezone.now()
    enrolment = queryset.filter(redeemed_at__isnull=True, expires_at__gt=now).first()
    if enrolment is None:
        return None
    if not TwoFactorEnrolment.objects.filter(pk=enrolment.pk, redeemed_at__isnull=True).update(
        redeemed_at=now
    ):
        return None
    # A fresh secret for the app: whatever was shown before the proof is void.
    TOTPDevice.objects.filter(user_id=enrolment.user_id, confirmed=False).delete()
    enrolment.redeemed_at = now
    return enrolment


@transaction.atomic
def two_factor_link_redeem(*, user: User, token: str) -> TwoFactorEnrolment | None:
    """The link's proof for the signed-in `user`; None when it is not theirs, used or expired."""
    return _redeem(
        TwoFactorEnrolment.objects.filter(
            user=user, proof=EnrolmentProof.LINK, secret_hash=_secret_hash(token)
        )
    )


@transaction.atomic
def two_factor_code_redeem(*, user: User, code: str) -> TwoFactorEnrolment | None:
    """An administrator's code for `user`; None when wrong. Each guess counts, and the count is
    committed with the request (a wrong code returns instead of raising, so nothing rolls the
    count back); RateLimited once the guesses are spent."""
    rate_limit_hit(
        bucket="enrolment-code:user",
        key=str(user.pk),
        limit=CODE_GUESSES,
        window=CODE_GUESS_WINDOW,
        message=gettext_lazy("Too many wrong codes."),
    )
    return _redeem(
        TwoFactorEnrolment.objects.filter(
            user=user, proof=EnrolmentProof.CODE, secret_hash=_secret_hash(_plain_code(code))
        )
    )


@transaction.atomic
def two_factor_password_link_redeem(*, user: User) -> TwoFactorEnrolment | None:
    """Choosing a password with an e-mailed link (an invitation or a reset) proves the e-mail:
    an account without an authenticator app may enrol in that browser session."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    now = timezone.now()
    TwoFactorEnrolment.objects.filter(
        user=user, proof=EnrolmentProof.PASSWORD_LINK, completed_at__isnull=True
    ).delete()
    return TwoFactorEnrolment.objects.create(
        user=user, proof=EnrolmentProof.PASSWORD_LINK, expires_at=now, redeemed_at=now
    )


@transaction.atomic
def two_factor_confirm(
    *, user: User, device: TOTPDevice, token: str, enrolment: TwoFactorEnrolment
) -> bool:
    """Confirm a new authenticator app with its first code, under a redeemed proof; False when
    the code is wrong or the proof is no longer good."""
    if device.user_id != user.pk or not device.verify_token(token):
        return False
    if not TwoFactorEnrolment.objects.filter(
        pk=enrolment.pk,
        user=user,
        completed_at__isnull=True,
        redeemed_at__gte=timezone.now() - PROOF_LIFETIME,
    ).update(completed_at=timezone.now()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    TwoFactorEnrolment.objects.filter(user=user, completed_at__isnull=True).delete()
    audit_record(
        actor=user,
        action=Action.TWO_FACTOR_ENROLLED,
        target=user,
        changes={"proof": [None, enrolment.proof]},
    )
    return True


# The longest an API key lives: a key that outlives the project it was made for is a risk
# nobody watches (decision 0021).
API_KEY_MAX_DAYS = 365


def _check_key_rights(
    *,
    by: User,
    permissions: frozenset[Perm],
    scope: Scope,
    clearance: Sensitivity,
    expires_at: datetime,
) -> None:
    """A key never reaches further than its maker: each permission held, the scope within the
    maker's scope for every one of them, the clearance within the maker's."""
    errors: dict[str, list[str]] = {}
    if not permissions:
        errors["permissions"] = [_("Choose at least one permission.")]
    for perm in sorted(permissions):
        if perm not in API_KEY_PERMISSIONS:
            errors.setdefault("permissions", []).append(
                _("A key cannot be given this permission: %(perm)s.")
                % {"perm": PERMISSION_LABELS[perm]}
            )
        elif not by.can(perm):
            errors.setdefault("permissions", []).append(
                _("You cannot give a key a permission you do not hold: %(perm)s.")
                % {"perm": PERMISSION_LABELS[perm]}
            )
        elif scope > (by.scope_for(perm) or Scope.OWN):
            errors.setdefault("scope", []).append(
                _("You cannot give a key a scope wider than your own for: %(perm)s.")
                % {"perm": PERMISSION_LABELS[perm]}
            )
    if clearance > by.clearance:
        errors["clearance"] = [_("You cannot let a key see fields you cannot see.")]
    now = timezone.now()
    if expires_at <= now:
        errors["expires_on"] = [_("The key must expire in the future.")]
    elif expires_at > now + timedelta(days=API_KEY_MAX_DAYS + 1):
        errors["expires_on"] = [
            _("A key lives at most %(days)s days.") % {"days": API_KEY_MAX_DAYS}
        ]
    if errors:
        raise invalid(errors)


def _end_of_day(day: date) -> datetime:
    """The last moment of a day in Baghdad, when a key with that expiry date stops working."""
    return timezone.make_aware(datetime.combine(day, time.max))


def _key_changes(key: ApiKey) -> dict[str, Any]:
    return {
        "name": [None, key.name],
        "prefix": [None, key.prefix],
        "permissions": [None, sorted(key.permissions)],
        "scope": [None, key.scope],
        "clearance": [None, key.clearance],
        "expires_at": [None, key.expires_at.isoformat()],
    }


@transaction.atomic
def api_key_create(
    *,
    by: User,
    name: str,
    permissions: frozenset[Perm],
    scope: Scope,
    clearance: Sensitivity,
    expires_on: date,
) -> tuple[ApiKey, str]:
    """A key for one of the maker's organisation's systems; the key itself is returned once and
    never stored."""
    require(by, Perm.API_KEY_MANAGE)
    if by.api_key is not None or by.organisation is None:
        raise forbidden()
    expires_at = _end_of_day(expires_on)
    _check_key_rights(
        by=by, permissions=permissions, scope=scope, clearance=clearance, expires_at=expires_at
    )
    made = new_key()
    key = ApiKey(
        organisation=by.organisation,
        name=name.strip(),
        prefix=made.prefix,
        secret_hash=made.secret_hash,
        permissions=sorted(str(p) for p in permissions),
        scope=scope,
        clearance=clearance,
        created_by=by,
        expires_at=expires_at,
    )
    validated_save(key)
    audit_record(actor=by, action=Action.CREATE, target=key, changes=_key_changes(key))
    return key, made.token


def _key_to_change(*, by: User, key: ApiKey) -> ApiKey:
    require(by, Perm.API_KEY_MANAGE)
    if by.api_key is not None:
        raise forbidden()
    # Locked, so that two administrators revoking or rotating at once cannot both succeed.
    stored = api_key_list(fetched_by=by).select_for_update(of=("self",)).filter(pk=key.pk).first()
    if stored is None:
        raise forbidden()
    return stored


@transaction.atomic
def api_key_revoke(*, by: User, key: ApiKey) -> ApiKey:
    """The key stops working at once. Any administrator who reaches the key may revoke it."""
    stored = _key_to_change(by=by, key=key)
    if stored.revoked_at is not None:
        return stored
    stored.revoked_at = timezone.now()
    stored.revoked_by = by
    stored.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=by, action=Action.DEACTIVATE, target=stored, changes={"revoked": [False, True]}
    )
    return stored


@transaction.atomic
def api_key_rotate(*, by: User, key: ApiKey, overlap_hours: int = 0) -> tuple[ApiKey, str]:
    """A new key with the same name, rights and lifetime, made by `by` (within `by`'s rights);
    the old one keeps working for `overlap_hours` (at most a week) so the system can switch."""
    stored = _key_to_change(by=by, key=key)
    if not stored.is_in_force():
        raise invalid({"__all__": [_("Only a key in force can be rotated.")]})
    if not 0 <= overlap_hours <= 24 * 7:
        raise invalid({"overlap_hours": [_("Between 0 and 168 hours.")]})
    lifetime = stored.expires_at - stored.created_at
    new, token = api_key_create(
        by=by,
        name=stored.name,
        permissions=stored.permission_set,
        scope=Scope(stored.scope),
        clearance=Sensitivity(stored.clearance),
        expires_on=timezone.localdate() + min(lifetime, timedelta(days=API_KEY_MAX_DAYS)),
    )
    new.replaces = stored
    new.save(update_fields=["replaces"])
    now = timezone.now()
    if overlap_hours:
        stored.expires_at = min(stored.expires_at, now + timedelta(hours=overlap_hours))
        stored.save(update_fields=["expires_at"])
    else:
        stored.revoked_at, stored.revoked_by = now, by
        stored.save(update_fields=["revoked_at", "revoked_by"])
    changes = {
        "replaced_by": [None, new.prefix],
        "expires_at": [None, stored.expires_at.isoformat()],
    }
    audit_record(actor=by, action=Action.UPDATE, target=stored, changes=changes)
    return new, token

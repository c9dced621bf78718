"""A person registers themself: a draft they can come back to, a code that confirms their phone
or e-mail, then their record and their own account, in one transaction.

Whether an account already uses a phone or e-mail is never shown on screen (a registry of
returnees must not tell a stranger who is in it): the message sent to that phone or e-mail says
so instead, and no code is issued.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jisr.accounts.access import not_found
from jisr.accounts.backends import canonical_identifier, find_user
from jisr.accounts.limits import limit_messages_to
from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
from jisr.accounts.roles import Role, Scope
from jisr.core.tasks import send_email_on_commit
from jisr.lib.errors import JisrError
from jisr.lib.sms import SmsError, send_sms
from jisr.places.models import District, Governorate
from jisr.registry.models import ConsentChannel, ConsentStatus, Purpose, SelfRegistration
from jisr.registry.services import _create

DRAFT_LIFETIME = dt.timedelta(days=14)
CODE_LIFETIME = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(minutes=1)


def draft_get(*, token: str) -> SelfRegistration:
    draft = SelfRegistration.objects.filter(
        token=token, created_at__gte=timezone.now() - DRAFT_LIFETIME
    ).first()
    if draft is None:
        raise not_found()
    return draft


@transaction.atomic
def draft_save(*, token: str | None, contact: str, data: dict[str, Any]) -> SelfRegistration:
    draft = draft_get(token=token) if token else SelfRegistration()
    contact = canonical_identifier(contact)
    if draft.contact != contact:
        # A code belongs to the phone or e-mail it was sent to, never to another.
        draft.code_hash, draft.code_sent_at = "", None
    draft.contact = contact
    draft.data = data
    draft.save()
    return draft


def _send(contact: str, text: str, subject: str) -> None:
    if "@" in contact:
        send_email_on_commit(subject, text, [contact])
        return
    # Sent now, inside the transaction: if the gateway fails, the code is not kept, nothing is
    # counted against the phone, and the person is told at once (not after a silent loss).
    try:
        send_sms(contact, text)
    except SmsError:
        message = _(
            "We could not send the text message just now. Try again in a few minutes, or "
            "register with an e-mail address instead."
        )
        raise JisrError("sms_failed", message, status=503, fields={"contact": [message]}) from None


@transaction.atomic
def registration_submit(
    *,
    token: str | None,
    contact: str,
    data: dict[str, Any],
    password: str,
    language: str,
    client: str,
) -> SelfRegistration:
    """Keep the answers and send a code to the phone or e-mail given (asked for from the
    address `client`: codes are limited per contact and per address, across drafts)."""
    draft = draft_save(token=token, contact=contact, data=data)
    if draft.code_sent_at and timezone.now() - draft.code_sent_at < RESEND_AFTER:
        raise JisrError(
            "too_soon",
            _("A code was sent a moment ago. Wait a minute before asking for another."),
            status=429,
            fields={"contact": []},
        )
    if draft.attempts >= MAX_ATTEMPTS:
        raise _wrong_code()
    limit_messages_to(contact=draft.contact, client=client)
    draft.password_hash = make_password(password)
    draft.code_sent_at = timezone.now()
    with translation.override(language):
        subject = _("Your Jisr registration")
        code = f"{secrets.randbelow(1_000_000):06d}"
        code_hash = make_password(code)  # made either way, so timing does not tell
        if find_user(draft.contact) is not None:
            draft.code_hash = ""
            text = _(
                "Someone tried to register with this phone or e-mail, which already has a Jisr "
                "account. If it was you, sign in or reset your password instead."
            )
        else:
            draft.code_hash = code_hash
            text = _("Your Jisr code is %(code)s. It works for 30 minutes.") % {"code": code}
    draft.save()
    _send(draft.contact, str(text), str(subject))
    return draft


def _wrong_code() -> JisrError:
    return JisrError(
        "invalid", _("That code is not right, or it has expired."), status=422, fields={"code": []}
    )


def registration_confirm(*, token: str, code: str, language: str) -> User:
    """The code is right: the account and the record are made, and the draft is deleted.

    A wrong code counts against the draft outside any rollback, so guessing stops after
    MAX_ATTEMPTS tries.
    """
    draft = draft_get(token=token)
    expired = not draft.code_sent_at or timezone.now() - draft.code_sent_at > CODE_LIFETIME
    if expired or not draft.code_hash:
        raise _wrong_code()
    # Count the try before checking it, in one conditional UPDATE: parallel guesses cannot
    # slip past the limit, and a new code does not reset the count.
    if not SelfRegistration.objects.filter(pk=draft.pk, attempts__lt=MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1
    ):
        raise _wrong_code()
    if not check_password(code.strip(), draft.code_hash):
        raise _wrong_code()
    return _complete(draft, language)


@transaction.atomic
def _complete(draft: SelfRegistration, language: str) -> User:
    if find_user(draft.contact) is not None:
        raise _wrong_code()
    email = draft.contact if "@" in draft.contact else None
    phone = None if email else draft.contact
    data = dict(draft.data)
    names = [data.get(k, "") for k in ("first_name", "father_name", "family_name")]
    user = User(
        full_name=" ".join(n for n in names if n), email=email, phone=phone, language=language
    )
    user.password = draft.password_hash
    user.full_clean()
    user.save()
    RoleGrant.objects.create(user=user, role=Role.PERSON, scope=Scope.OWN)
    consents = {Purpose(p): ConsentStatus(s) for p, s in data.pop("consents", {}).items()}
    _create(
        by=user,
        organisation=_platform(),
        consents=consents,
        channel=ConsentChannel.ONLINE,
        household=None,
        fields=_record_fields(data, email=email, phone=phone),
        account=user,
    )
    draft.delete()
    return user


def _record_fields(data: dict[str, Any], *, email: str | None, phone: str | None) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k in SELF_FIELDS}
    governorate, district = data.get("governorate"), data.get("district")
    fields["governorate"] = (
        Governorate.objects.filter(pk=governorate).first() if governorate else None
    )
    fields["district"] = District.objects.filter(pk=district).first() if district else None
    if fields.get("birth_date"):
        fields["birth_date"] = dt.date.fromisoformat(fields["birth_date"])
    fields["email"], fields["phone"] = email or "", phone or ""
    return fields


def _platform() -> Organisation:
    """Self-registrations belong to the platform until a caseworker takes the case; caseworkers
    of the person's governorate reach them through their governorate scope."""
    platform, _created = Organisation.objects.get_or_create(
        kind=OrganisationKind.PLATFORM,
        parent=None,
        defaults={"name_ar": "منصة جسر", "name_ckb": "پلاتفۆرمی جیسر", "name_en": "Jisr platform"},
    )
    return platform


SELF_FIELDS = [
    "first_name", "father_name", "grandfather_name", "family_name", "mother_name", "sex",
    "birth_year", "birth_date", "person_type", "country", "city",
]  # fmt: skip

"""Telling people what happened to a referral: in the app, and by e-mail, in their language.
Called by the services that move referrals, inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.cases.models import Notification, Referral, ReferralStatus
from jisr.core.tasks import send_email_on_commit


def notification_send(*, to: Iterable[User | None], message: str | Promise, url: str) -> None:
    """The message to each active user, once, in their language; by e-mail too where they have
    an address. The text is at most 300 characters, as a notification holds."""
    for user in {u.pk: u for u in to if u is not None and u.is_active}.values():
        with translation.override(user.language or "ar"):
            text = str(message)[:300]
            subject = _("Jisr: %(text)s") % {"text": text[:80]}
        Notification.objects.create(user=user, text=text, url=url)
        if user.email:
            send_email_on_commit(subject, text, [user.email])


def _receivers(referral: Referral) -> list[User]:
    organisations = referral.to_organisation.descendant_ids()
    return [
        user
        for user in User.objects.filter(organisation__in=organisations, is_active=True)
        if user.can(Perm.REFERRAL_RESPOND)
    ]


def referral_sent(referral: Referral) -> None:
    notification_send(
        to=_receivers(referral),
        message=gettext_lazy("New referral from %(organisation)s: %(service)s")
        % {"organisation": referral.from_organisation.name, "service": referral.service.name},
        url=reverse("cases:referral_detail", args=[referral.pk]),
    )


def referral_moved(referral: Referral, by: User | None) -> None:
    url = reverse("cases:referral_detail", args=[referral.pk])
    message = gettext_lazy("Referral to %(service)s: %(status)s") % {
        "service": referral.service.name,
        "status": ReferralStatus(referral.status).label,
    }
    if referral.status == ReferralStatus.CANCELLED:
        notification_send(to=[u for u in _receivers(referral) if u != by], message=message, url=url)
    else:
        case = referral.need.case
        notification_send(
            to=[u for u in (case.caseworker, referral.sent_by) if u != by], message=message, url=url
        )

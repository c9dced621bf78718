"""Telling people what happened to a referral: in the app, and by e-mail, in their language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.cases.models import Notification, Referral, ReferralStatus
from jisr.core.tasks import send_email_on_commit


def notify(users: Iterable[Any], message: Any, url: str) -> None:
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
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
    notify(
        _receivers(referral),
        gettext_lazy("New referral from %(organisation)s: %(service)s")
        % {"organisation": referral.from_organisation.name, "service": referral.service.name},
        reverse("cases:referral_detail", args=[referral.pk]),
    )


def referral_moved(referral: Referral, by: Any) -> None:
    url = reverse("cases:referral_detail", args=[referral.pk])
    message = gettext_lazy("Referral to %(service)s: %(status)s") % {
        "service": referral.service.name, "status": ReferralStatus(referral.status).label,
    }  # fmt: skip
    if referral.status == ReferralStatus.CANCELLED:
        notify([u for u in _receivers(referral) if u != by], message, url)
    else:
        case = referral.need.case
        notify([u for u in (case.caseworker, referral.sent_by) if u != by], message, url)

"""The referral letter: what a person takes to the service, in their language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from jisr.cases import selectors
from jisr.cases.models import Referral
from jisr.lib.i18n import format_date
from jisr.registry.pdf import document_pdf


def letter_language(referral: Referral) -> str:
    person = referral.need.case.person
    account = person.account if person.account_id else None
    return account.language if account is not None and account.language else "ar"


def referral_letter(referral: Referral, language: str | None = None) -> bytes:
    language = language or letter_language(referral)
    with translation.override(language):
        service = referral.service
        blocks = [
            (
                _("Referral letter"),
                [
                    _("Referral number: %(number)s") % {"number": referral.pk},
                    _("Date: %(date)s") % {"date": format_date(referral.created_at.date())},
                    _("From: %(organisation)s") % {"organisation": referral.from_organisation.name},
                    _("To: %(organisation)s") % {"organisation": referral.to_organisation.name},
                    _("Service: %(service)s") % {"service": service.name},
                    _("Kind of help needed: %(need)s") % {"need": referral.need.category.name},
                    _("Please answer by %(date)s.") % {"date": format_date(referral.due_on)},
                ],
            ),
            (
                _("The person"),
                [
                    f"{label}: {value}"
                    for label, value in selectors.referral_shared_view(referral=referral)
                    if value
                ],
            ),
            (
                _("How to get the service"),
                [
                    line
                    for line in [service.how_to_access, service.opening_hours, service.phone]
                    if line
                ],
            ),
        ]
        return document_pdf(blocks, language, title=str(_("Referral letter")))

"""How often a code or a link may be sent to one phone or e-mail address, and at the request of
one client address, by someone who is not (yet) proven to be its owner: self-registration,
password reset and two-factor enrolment all count here together, whatever draft or form they
come from. Staff-initiated messages (invitations, notifications) are signed in and audited, and
are not counted."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jisr.accounts.backends import canonical_identifier
from jisr.core.ratelimit import Hit, rate_limits_hit

# Providers that ignore dots in the local part (first.last and firstlast are one mailbox).
_DOTS_IGNORED = frozenset({"gmail.com", "googlemail.com"})


def _one_mailbox(contact: str) -> str:
    """The mailbox an e-mail address delivers to, for counting: most providers deliver
    name+anything to name, so aliases cannot multiply one inbox's allowance."""
    local, at, domain = contact.rpartition("@")
    if not at:
        return contact
    local = local.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def limit_messages_to(*, contact: str, client: str) -> None:
    """Count one message to `contact` asked for by `client`; RateLimited (429) past a limit.

    Counted whether or not an account uses the contact, so the answer never tells.
    """
    contact = _one_mailbox(canonical_identifier(contact))
    per_contact = _(
        "Too many messages have been sent to this phone number or e-mail address recently."
    )
    rate_limits_hit(
        Hit(
            bucket="messages:contact:hour",
            key=contact,
            limit=settings.JISR_RATE_CONTACT_PER_HOUR,
            window=timedelta(hours=1),
            message=per_contact,
        ),
        Hit(
            bucket="messages:contact:day",
            key=contact,
            limit=settings.JISR_RATE_CONTACT_PER_DAY,
            window=timedelta(days=1),
            message=per_contact,
        ),
        Hit(
            bucket="messages:address:hour",
            key=client,
            limit=settings.JISR_RATE_ADDRESS_PER_HOUR,
            window=timedelta(hours=1),
            message=_("Too many requests have come from your network recently."),
        ),
    )

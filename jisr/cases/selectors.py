"""Authorised reads of cases and referrals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from jisr.accounts.access import not_found, require
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_record
from jisr.cases.models import Case, Referral
from jisr.registry.models import RecordStatus
from jisr.registry.selectors import persons_in_scope

# What a receiving organisation may be shown of a person, and how each is read.
SHAREABLE: dict[str, Callable[[Any], Any]] = {
    "full_name": lambda p: p.full_name,
    "sex": lambda p: p.get_sex_display(),
    "birth_year": lambda p: p.birth_year or "",
    "phone": lambda p: p.phone,
    "governorate": lambda p: p.governorate.name if p.governorate else "",
    "district": lambda p: p.district.name if p.district else "",
}
MINIMUM_SHARED = ["full_name", "sex", "birth_year", "phone", "governorate", "district"]


def cases_in_scope(user: Any) -> QuerySet[Case]:
    if not (user.is_authenticated and user.can(Perm.CASE_VIEW)):
        return Case.objects.none()
    reach = Q(person__in=persons_in_scope(fetched_by=user, shared=False))
    if user.organisation_id:
        # A case transferred to the user's organisation is theirs to work, wherever the person
        # was registered.
        reach |= Q(organisation__in=user.organisation.descendant_ids())
    # A closed record's cases are on legal hold with it (decision 0019), wherever they went.
    return Case.objects.filter(reach, person__status=RecordStatus.ACTIVE)


def case_get(*, fetched_by: Any, case_id: int) -> Case:
    """One case (the person's name and needs, its plan and follow-ups), its reading recorded."""
    require(fetched_by, Perm.CASE_VIEW)
    case = (
        cases_in_scope(fetched_by)
        .select_related("person__governorate", "person__district", "organisation", "caseworker")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise not_found()
    audit_record(actor=fetched_by, action=Action.VIEW, target=case)
    return case


def referrals_received(user: Any) -> QuerySet[Referral]:
    """Referrals sent to the user's organisation (and its branches)."""
    if not (user.is_authenticated and user.can(Perm.REFERRAL_RESPOND) and user.organisation):
        return Referral.objects.none()
    return Referral.objects.filter(
        to_organisation__in=user.organisation.descendant_ids(),
        need__case__person__status=RecordStatus.ACTIVE,
    )


def referrals_sent(user: Any) -> QuerySet[Referral]:
    if not (user.is_authenticated and user.can(Perm.CASE_VIEW)):
        return Referral.objects.none()
    return Referral.objects.filter(need__case__in=cases_in_scope(user))


SHARED_LABELS = (
    ("full_name", gettext_lazy("Name")), ("sex", gettext_lazy("Sex")),
    ("birth_year", gettext_lazy("Year of birth")), ("phone", gettext_lazy("Mobile phone")),
    ("governorate", gettext_lazy("Governorate")), ("district", gettext_lazy("District")),
)  # fmt: skip


def shared_view(referral: Referral) -> list[tuple[str, Any]]:
    """What the receiving organisation sees of the person: only the fields shared with it."""
    person = referral.need.case.person
    labels = dict(SHARED_LABELS)
    return [
        (str(labels[name]), SHAREABLE[name](person))
        for name in referral.shared_fields
        if name in SHAREABLE
    ]


def shared_with(person: Any) -> list[tuple[Referral, list[str]]]:
    """Every referral of the person, with the names of the fields shared with the organisation."""
    labels = dict(SHARED_LABELS)
    referrals = Referral.objects.filter(need__case__person=person).select_related(
        "to_organisation", "service"
    )
    return [(r, [str(labels.get(name, name)) for name in r.shared_fields]) for r in referrals]

"""Authorised reads of cases, needs, referrals, plans, flags and notifications.

What depends on who is asking takes `fetched_by` and narrows to what they reach; what shows a
person's data to someone records the reading in the audit log (one entry for a list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy

from jisr.accounts.access import not_found, require
from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Perm, Scope
from jisr.audit.models import Action
from jisr.audit.services import audit_record
from jisr.cases import proposals
from jisr.cases.models import (
    REFERRAL_TRANSITIONS,
    Case,
    CaseStatus,
    Flag,
    FollowUp,
    Milestone,
    Need,
    NeedStatus,
    Notification,
    Plan,
    Referral,
    ReferralEvent,
    ReferralStatus,
    WarningRule,
)
from jisr.catalogue.models import Service, ServiceCategory
from jisr.registry.models import CaseAnswers, Person, RecordStatus
from jisr.registry.selectors import own_person_get, persons_in_scope_through

# What a receiving organisation may be shown of a person, and how each is read.
SHAREABLE: dict[str, Callable[[Person], object]] = {
    "full_name": lambda p: p.full_name,
    "sex": lambda p: p.get_sex_display(),
    "birth_year": lambda p: p.birth_year or "",
    "phone": lambda p: p.phone,
    "governorate": lambda p: p.governorate.name if p.governorate else "",
    "district": lambda p: p.district.name if p.district else "",
}
MINIMUM_SHARED = ["full_name", "sex", "birth_year", "phone", "governorate", "district"]
SHARED_LABELS = (
    ("full_name", gettext_lazy("Name")), ("sex", gettext_lazy("Sex")),
    ("birth_year", gettext_lazy("Year of birth")), ("phone", gettext_lazy("Mobile phone")),
    ("governorate", gettext_lazy("Governorate")), ("district", gettext_lazy("District")),
)  # fmt: skip
# What a referral's pages, letter and API answer read with it: its person's shared fields too.
REFERRAL_RELATED = (
    "service",
    "from_organisation",
    "to_organisation",
    "need__category",
    "need__case__person__governorate",
    "need__case__person__district",
)


_NEEDS = Prefetch("needs", queryset=Need.objects.select_related("category"))


def case_list(*, fetched_by: User) -> QuerySet[Case]:
    """The cases the user reaches: those of persons in their scope, and those transferred to
    their organisation."""
    if not (fetched_by.is_authenticated and fetched_by.can(Perm.CASE_VIEW)):
        return Case.objects.none()
    reach = persons_in_scope_through(fetched_by=fetched_by, relation="person")
    if fetched_by.organisation is not None:
        # A case transferred to the user's organisation is theirs to work, wherever the person
        # was registered.
        reach |= Q(organisation__in=fetched_by.organisation.descendant_ids())
    # A closed record's cases are on legal hold with it (decision 0019), wherever they went.
    return Case.objects.filter(reach, person__status=RecordStatus.ACTIVE)


def case_get(*, fetched_by: User, case_id: int) -> Case:
    """One case (the person's name and needs, its plan and follow-ups), its reading recorded."""
    require(fetched_by, Perm.CASE_VIEW)
    case = (
        case_list(fetched_by=fetched_by)
        .select_related("person__governorate", "person__district", "organisation", "caseworker")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise not_found()
    audit_record(actor=fetched_by, action=Action.VIEW, target=case)
    return case


def case_list_with_persons(*, fetched_by: User) -> QuerySet[Case]:
    """The cases the user reaches, with the person and caseworker the case list shows."""
    return case_list(fetched_by=fetched_by).select_related("person", "caseworker")


def case_list_with_needs(*, fetched_by: User, person_id: int | None = None) -> QuerySet[Case]:
    """The cases the user reaches (of one person, or all), each with its needs."""
    found = case_list(fetched_by=fetched_by).prefetch_related(_NEEDS)
    return found.filter(person_id=person_id) if person_id is not None else found


def case_with_needs(*, case: Case) -> Case:
    """The case, its needs (with their kinds of help) read in one query."""
    prefetch_related_objects([case], _NEEDS)
    return case


def case_open_of(*, fetched_by: User, person: Person) -> Case | None:
    """The person's case that is not closed, when the user reaches it."""
    return case_list(fetched_by=fetched_by).filter(person=person).exclude(status="closed").first()


def case_of_own(*, fetched_by: User) -> tuple[Person, Case | None]:
    """The signed-in person's own record and their case that is not closed, if any."""
    person = own_person_get(fetched_by=fetched_by)
    case = Case.objects.filter(person=person).exclude(status=CaseStatus.CLOSED).first()
    return person, case


def case_suggested_return(*, case: Case) -> dt.date | None:
    """The date of return the person's case form gives, to suggest for the plan."""
    return (
        CaseAnswers.objects.filter(person=case.person_id)
        .values_list("return_date", flat=True)
        .first()
    )


def need_list(*, case: Case) -> QuerySet[Need]:
    """A case's needs, each with its kind of help and its referrals."""
    return case.needs.select_related("category").prefetch_related(
        Prefetch(
            "referrals",
            queryset=Referral.objects.select_related("service__organisation"),
        )
    )


def need_list_with_proposals(*, case: Case) -> list[tuple[Need, list[proposals.Proposal]]]:
    """Each need of the case, with the services that fit it while it waits for a referral."""
    needs = list(need_list(case=case))
    waiting = [n.category for n in needs if n.status == NeedStatus.IDENTIFIED]
    offered = proposals.proposals_for_needs(person=case.person, categories=waiting)
    return [
        (need, offered.get(need.category_id, []) if need.status == NeedStatus.IDENTIFIED else [])
        for need in needs
    ]


def need_get(*, case: Case, need_id: int) -> Need:
    """One need of a case the user has already reached."""
    need = case.needs.select_related("category").filter(pk=need_id).first()
    if need is None:
        raise not_found()
    return need


def need_list_waiting(*, case: Case) -> list[Need]:
    """The case's needs that wait for a referral."""
    return list(case.needs.filter(status=NeedStatus.IDENTIFIED).select_related("category"))


def need_category_list() -> QuerySet[ServiceCategory]:
    """The kinds of help a need may be recorded against: the catalogue's second level."""
    return ServiceCategory.objects.exclude(parent=None).select_related("parent")


def need_category_get(*, code: str) -> ServiceCategory | None:
    """A kind of help by its code, or None."""
    return ServiceCategory.objects.filter(code=code).first()


def transfer_organisation_list(*, case: Case) -> QuerySet[Organisation]:
    """The organisations a case may be transferred to: every active one but its own."""
    return (
        Organisation.objects.filter(is_active=True)
        .exclude(pk=case.organisation_id)
        .order_by("name_ar")
    )


def organisation_list_active() -> QuerySet[Organisation]:
    """The organisations a case may go to: the active ones (its own is refused by the service,
    with a reason)."""
    return Organisation.objects.filter(is_active=True)


def organisation_get_active(*, organisation_id: int) -> Organisation:
    organisation = organisation_list_active().filter(pk=organisation_id).first()
    if organisation is None:
        raise not_found()
    return organisation


def service_get(*, service_id: int) -> Service:
    """A service to refer to (whether it takes referrals now is the service's to say)."""
    service = Service.objects.select_related("organisation").filter(pk=service_id).first()
    if service is None:
        raise not_found()
    return service


def plan_get(*, case: Case) -> Plan | None:
    """The case's plan, with its milestones, their needs and their follow-ups."""
    return (
        Plan.objects.filter(case=case)
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.prefetch_related(
                    Prefetch("needs", queryset=Need.objects.select_related("category")),
                    "follow_ups",
                ),
            )
        )
        .first()
    )


def milestone_list(*, case: Case) -> QuerySet[Milestone]:
    return Milestone.objects.filter(plan__case=case)


def milestone_get(*, case: Case, milestone_id: int) -> Milestone:
    milestone = milestone_list(case=case).filter(pk=milestone_id).first()
    if milestone is None:
        raise not_found()
    return milestone


def follow_up_list(*, case: Case) -> QuerySet[FollowUp]:
    return case.follow_ups.all()


def referral_list_received(*, fetched_by: User) -> QuerySet[Referral]:
    """Referrals sent to the user's organisation (and its branches)."""
    if not (fetched_by.is_authenticated and fetched_by.can(Perm.REFERRAL_RESPOND)):
        return Referral.objects.none()
    if fetched_by.organisation is None:
        return Referral.objects.none()
    return Referral.objects.filter(
        to_organisation__in=fetched_by.organisation.descendant_ids(),
        need__case__person__status=RecordStatus.ACTIVE,
    )


def referral_list_sent(*, fetched_by: User) -> QuerySet[Referral]:
    """Referrals from the cases the user reaches."""
    if not (fetched_by.is_authenticated and fetched_by.can(Perm.CASE_VIEW)):
        return Referral.objects.none()
    return Referral.objects.filter(need__case__in=case_list(fetched_by=fetched_by))


def referral_inbox(
    *, fetched_by: User, status: str = "", with_person: bool = False
) -> QuerySet[Referral]:
    """The referrals received, of one status or all, with what the inbox shows of each (and,
    `with_person`, the fields of each person shared with the service)."""
    found = referral_list_received(fetched_by=fetched_by).select_related(
        *(REFERRAL_RELATED if with_person else ("service", "from_organisation", "need__category"))
    )
    return found.filter(status=status) if status else found


def referral_get(*, fetched_by: User, referral_id: int) -> Referral:
    """A referral the user's organisation received, or sent from a case the user reaches; its
    reading recorded, since every page, letter and answer of it shows the person's details."""
    referral = (
        (referral_list_received(fetched_by=fetched_by) | referral_list_sent(fetched_by=fetched_by))
        .select_related(*REFERRAL_RELATED)
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise not_found()
    audit_record(
        actor=fetched_by,
        action=Action.VIEW,
        target=referral,
        persons=[referral.need.case.person_id],
    )
    return referral


def referral_sides(*, fetched_by: User | None, referral: Referral) -> set[str]:
    """Which sides of the referral the user stands on: the receiver, the sender, both or none."""
    sides: set[str] = set()
    if fetched_by is None or not fetched_by.is_authenticated:
        return sides
    organisation = fetched_by.organisation
    if organisation is None:
        return sides
    if (
        fetched_by.can(Perm.REFERRAL_RESPOND)
        and referral.to_organisation_id in organisation.descendant_ids()
    ):
        sides.add("receiver")
    if (
        fetched_by.can(Perm.CASE_MANAGE)
        and case_list(fetched_by=fetched_by).filter(pk=referral.need.case_id).exists()
    ):
        sides.add("sender")
    return sides


def referral_steps(*, fetched_by: User, referral: Referral) -> list[tuple[ReferralStatus, str]]:
    """The next steps of the referral the user may take, with the side taking each."""
    sides = referral_sides(fetched_by=fetched_by, referral=referral)
    return [
        (ReferralStatus(target), side)
        for target, side in REFERRAL_TRANSITIONS.get(referral.status, {}).items()
        if side in sides
    ]


def referral_event_list(*, referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("by")


def referral_shared_view(*, referral: Referral) -> list[tuple[str, object]]:
    """What the receiving organisation sees of the person: only the fields shared with it."""
    person = referral.need.case.person
    labels = dict(SHARED_LABELS)
    return [
        (str(labels[name]), SHAREABLE[name](person))
        for name in referral.shared_fields
        if name in SHAREABLE
    ]


def referral_shared_fields(*, referral: Referral) -> dict[str, object]:
    """The shared fields of the referral's person, by name (as the API gives them)."""
    person = referral.need.case.person
    return {name: SHAREABLE[name](person) for name in referral.shared_fields if name in SHAREABLE}


def referral_list_shared(*, person: Person) -> list[tuple[Referral, list[str]]]:
    """Every referral of the person, with the names of the fields shared with the organisation."""
    labels = dict(SHARED_LABELS)
    referrals = Referral.objects.filter(need__case__person=person).select_related(
        "to_organisation", "service"
    )
    return [(r, [str(labels.get(name, name)) for name in r.shared_fields]) for r in referrals]


def flag_list(*, fetched_by: User) -> QuerySet[Flag]:
    """The open early-warning flags of the cases the user reaches, newest first."""
    return Flag.objects.filter(
        resolved_at__isnull=True, case__in=case_list(fetched_by=fetched_by)
    ).select_related("rule", "case")


def flag_worklist(*, fetched_by: User) -> QuerySet[Flag]:
    """The supervisor's worklist: the open flags with their persons' names, by kind of setback,
    newest first."""
    return (
        flag_list(fetched_by=fetched_by)
        .select_related("case__person")
        .order_by("rule__kind", "-raised_at")
    )


def flags_scan_allowed(*, user: User) -> bool:
    """Whether the user may run the early-warning scan. It raises and resolves flags on every
    case of the platform, not only those the user reaches, and takes tens of seconds over a
    million cases: so only someone who reads every case (a supervisor of all records) may, and
    the daily command does it for everyone else."""
    return user.is_authenticated and user.scope_for(Perm.CASE_VIEW) == Scope.ALL


def flag_list_of_case(*, case: Case) -> QuerySet[Flag]:
    return case.flags.filter(resolved_at__isnull=True).select_related("rule")


def warning_rule_list(*, fetched_by: User) -> QuerySet[WarningRule]:
    require(fetched_by, Perm.CATEGORY_MANAGE)
    return WarningRule.objects.all()


def notification_list(*, fetched_by: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=fetched_by)


def notification_unread_count(*, fetched_by: User) -> int:
    return Notification.objects.filter(user=fetched_by, read_at__isnull=True).count()

"""The registry's JSON API: persons, their consents and case form answers.

Operations return the records themselves (a `Person`, a queryset of them); the response schema
says what of them goes out, resolved per reader (identity numbers, categories, answers).
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from jisr.accounts.apiauth import allowed
from jisr.accounts.decorators import AuthedRequest
from jisr.accounts.roles import Perm, Sensitivity
from jisr.audit.pagination import AuditedPagination
from jisr.lib.phones import normalise_phone
from jisr.lib.validation import invalid
from jisr.places.models import District, Governorate
from jisr.registry import selectors, services
from jisr.registry.models import (
    ConsentChannel,
    ConsentStatus,
    Person,
    PersonType,
    Purpose,
    RecordStatus,
    Relationship,
    Sex,
)

router = Router(tags=["registry"])


class ConsentOut(Schema):
    purpose: Purpose
    status: ConsentStatus | None
    at: dt.datetime | None


class PersonOut(Schema):
    id: int
    first_name: str
    father_name: str
    grandfather_name: str
    family_name: str
    mother_name: str
    latin_name: str
    aliases: str
    full_name: str
    sex: Sex
    birth_year: int | None
    birth_date: dt.date | None
    phone: str
    email: str
    national_id: str | None = Field(
        None, description="Only for readers cleared for sensitive data."
    )
    person_type: PersonType
    country: str
    city: str
    governorate: str | None
    district_id: int | None
    household_id: int
    relationship: Relationship
    organisation_id: int
    status: RecordStatus
    created_at: dt.datetime

    @staticmethod
    def resolve_country(person: Person) -> str:
        return str(person.country.code)

    @staticmethod
    def resolve_governorate(person: Person) -> str | None:
        return person.governorate.code if person.governorate else None

    @staticmethod
    def resolve_national_id(person: Person, context: dict[str, Any]) -> str | None:
        user = context["request"].user
        return person.national_id if user.can_see(Sensitivity.SENSITIVE) else None


class CategoryOut(Schema):
    key: str
    label: str
    reason: str


class PersonDetailOut(PersonOut):
    consents: list[ConsentOut]
    categories: list[CategoryOut]
    answers: dict[str, Any] = Field(description="Case form answers the caller may see.")

    @staticmethod
    def resolve_categories(person: Person, context: dict[str, Any]) -> list[dict[str, str]]:
        reader = context["request"].user
        return [
            {"key": key, "label": label, "reason": reason}
            for key, label, reason in selectors.person_category_list(
                fetched_by=reader, person=person
            )
        ]

    @staticmethod
    def resolve_answers(person: Person, context: dict[str, Any]) -> dict[str, Any]:
        sections = selectors.case_form_sections(fetched_by=context["request"].user, person=person)
        keys = {question.key for section in sections for question in section.questions}
        return {k: v for k, v in person.case_form_answers().items() if k in keys}

    @staticmethod
    def resolve_consents(person: Person) -> list[dict[str, Any]]:
        return [
            {"purpose": p, "status": e.status if e else None, "at": e.at if e else None}
            for p, e in selectors.consent_state(person).items()
        ]


def _phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        return normalise_phone(value)
    except ValueError:
        raise ValueError(_("Enter a valid phone number, for example +964 770 123 4567.")) from None


class PersonIn(Schema):
    first_name: str = Field(min_length=1, max_length=100)
    father_name: str = Field("", max_length=100)
    grandfather_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)
    mother_name: str = Field("", max_length=150)
    latin_name: str = Field("", max_length=200)
    aliases: str = Field("", max_length=200)
    sex: Sex
    birth_year: int | None = None
    birth_date: dt.date | None = None
    phone: str = ""
    email: str = ""
    national_id: str = ""
    person_type: PersonType
    country: str = Field("IQ", min_length=2, max_length=2)
    city: str = ""
    governorate: str | None = Field(None, description="ISO 3166-2 code, e.g. IQ-BG")
    district_id: int | None = None

    @field_validator("phone")
    @classmethod
    def _valid_phone(cls, value: str) -> str:
        return _phone(value)


class PersonPatch(Schema):
    """A change to some fields of a record; fields left out keep their values."""

    first_name: str | None = Field(None, min_length=1, max_length=100)
    father_name: str | None = Field(None, max_length=100)
    grandfather_name: str | None = Field(None, max_length=100)
    family_name: str | None = Field(None, max_length=100)
    mother_name: str | None = Field(None, max_length=150)
    latin_name: str | None = Field(None, max_length=200)
    aliases: str | None = Field(None, max_length=200)
    sex: Sex | None = None
    birth_year: int | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    email: str | None = None
    national_id: str | None = None
    person_type: PersonType | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    city: str | None = None
    governorate: str | None = None
    district_id: int | None = None

    @field_validator("phone")
    @classmethod
    def _valid_phone(cls, value: str | None) -> str:
        return _phone(value)


class RegistrationIn(PersonIn):
    consents: dict[Purpose, ConsentStatus] = Field(
        description="The person's decision for each purpose; registration must be 'given'."
    )
    channel: ConsentChannel = ConsentChannel.IN_PERSON
    household_of: int | None = Field(None, description="Add to the household of this person.")
    relationship: Relationship | None = None


class ConsentIn(Schema):
    purpose: Purpose
    status: ConsentStatus
    channel: ConsentChannel = ConsentChannel.IN_PERSON


def _not_online(channel: ConsentChannel) -> None:
    """Staff record what a person said to them; "online" is only ever the person themself."""
    if channel == ConsentChannel.ONLINE:
        raise invalid({"channel": [_("Only the person can give consent online.")]})


def _places(data: dict[str, Any]) -> dict[str, Any]:
    code = data.pop("governorate", None)
    data["governorate"] = Governorate.objects.filter(code=code).first() if code else None
    if code and data["governorate"] is None:
        raise invalid({"governorate": [_("Unknown governorate code.")]})
    district_id = data.pop("district_id", None)
    data["district"] = District.objects.filter(pk=district_id).first() if district_id else None
    if district_id and data["district"] is None:
        raise invalid({"district_id": [_("Unknown district.")]})
    if "national_id" in data:
        data["national_id"] = data["national_id"] or None
    return data


def _persons(
    request: AuthedRequest, *, q: str, governorate: str, person_type: str, category: str
) -> QuerySet[Person]:
    selected = Governorate.objects.filter(code=governorate).first() if governorate else None
    return selectors.person_list(
        fetched_by=request.user,
        search=q,
        governorate=selected.pk if selected else None,
        person_type=person_type,
        category=category,
    )


@router.get("/persons", response=list[PersonOut], auth=allowed(Perm.PERSON_VIEW))
@paginate(AuditedPagination, context="api.persons")
def person_list(
    request: AuthedRequest,
    governorate: str = "",
    person_type: str = "",
    category: str = "",
) -> QuerySet[Person]:
    """Active persons in the caller's scope. To search by name, phone or ID number, POST to
    `/persons/search`: terms in a URL end up in access logs. `count` stops at 1,001 (meaning
    "more than 1,000")."""
    return _persons(
        request, q="", governorate=governorate, person_type=person_type, category=category
    )


class PersonSearchIn(Schema):
    q: str = Field("", max_length=200, description="Names in any spelling, a phone or an ID.")
    governorate: str = Field("", max_length=10, description="ISO 3166-2 code, e.g. IQ-BG.")
    person_type: str = Field("", max_length=20)
    category: str = Field("", max_length=50)


@router.post("/persons/search", response=list[PersonOut], auth=allowed(Perm.PERSON_VIEW))
@paginate(AuditedPagination, context="api.persons")
def person_search(request: AuthedRequest, search: PersonSearchIn) -> QuerySet[Person]:
    """Active persons in the caller's scope that match the search, sent in the body so that no
    name, phone or ID number reaches an access log (decision 0026). Paged like `/persons`."""
    return _persons(request, **search.dict())


@router.get("/persons/{person_id}", response=PersonDetailOut, auth=allowed(Perm.PERSON_VIEW))
def person_get(request: AuthedRequest, person_id: int) -> Person:
    return selectors.person_get(fetched_by=request.user, person_id=person_id)


@router.post("/persons", response={201: PersonDetailOut}, auth=allowed(Perm.PERSON_REGISTER))
def person_register(request: AuthedRequest, payload: RegistrationIn) -> Status[Person]:
    _not_online(payload.channel)
    data = _places(payload.dict())
    consents = data.pop("consents")
    channel = data.pop("channel")
    household_of = data.pop("household_of")
    relationship = data.pop("relationship")
    household = None
    if household_of:
        household = selectors.person_get(fetched_by=request.user, person_id=household_of).household
        data["relationship"] = relationship or Relationship.OTHER_RELATIVE
    person = services.person_register(
        by=request.user, consents=consents, channel=channel, household=household, **data
    )
    return Status(201, person)


@router.patch("/persons/{person_id}", response=PersonDetailOut, auth=allowed(Perm.PERSON_EDIT))
def person_update(request: AuthedRequest, person_id: int, payload: PersonPatch) -> Person:
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    # Only the fields sent change: a field left out keeps its value.
    changes = payload.dict(exclude_unset=True)
    if {"governorate", "district_id"} & set(changes):
        changes = _places(changes)
    return services.person_update(by=request.user, person=person, **changes)


@router.post(
    "/persons/{person_id}/consents",
    response={201: PersonDetailOut},
    auth=allowed(Perm.CONSENT_RECORD),
)
def consent_record(request: AuthedRequest, person_id: int, payload: ConsentIn) -> Status[Person]:
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    _not_online(payload.channel)
    services.consent_record(
        by=request.user,
        person=person,
        purpose=payload.purpose,
        status=payload.status,
        channel=payload.channel,
    )
    return Status(201, person)


@router.put(
    "/persons/{person_id}/answers", response=PersonDetailOut, auth=allowed(Perm.PERSON_EDIT)
)
def case_answers_save(
    request: AuthedRequest, person_id: int, payload: Body[dict[str, Any]]
) -> Person:
    """Answers to the case form by question key (see the form's definition); null clears one."""
    person = selectors.person_get(fetched_by=request.user, person_id=person_id)
    services.case_answers_save(by=request.user, person=person, answers=payload)
    return person

"""Every read that shows a person's data leaves an audit entry, and the person sees it in their
own access log (issue 12, finding 5): lists (pages, HTMX rows, the API), case pages,
follow-ups, plans, referrals and their letter, warnings, applications and candidates.
One entry per request, holding the ids shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jisr.audit.models import Action, AuditEntry
from jisr.cases import services as cases
from jisr.cases.models import Flag, WarningRule
from jisr.catalogue.models import Service, ServiceCategory
from jisr.conftest import client_for, person_search_url, register_person
from jisr.matching.models import Opportunity
from jisr.matching.services import application_express
from jisr.matching.tests.factories import _fresh_index, build_profile, post, taxonomy  # noqa: F401
from jisr.places.models import Governorate
from jisr.registry.selectors import person_access_log
from jisr.registry.tests.factories import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people: dict[str, Any], orgs: dict[str, Any], taxonomy) -> dict[str, Any]:  # noqa: F811
    """Karar, registered in Baghdad by Alice with his own account; a case with a need referred
    to Charlie's NGO, a plan, a warning; a profile and an application to Carol's ministry."""
    alice = people["alice"]
    karar = register_person(alice, first_name="كرار", phone="+9647709998877")
    karar.account = people["person"]
    karar.save()
    others = [register_person(alice, first_name=f"آخر{n}") for n in range(2)]
    case = cases.case_open(by=alice, person=karar)
    category = ServiceCategory.objects.get(code="economic-vocational-training")
    need = cases.need_add(by=alice, case=case, category=category)
    service = Service.objects.create(organisation=orgs["ngo"], name_ar="تدريب", published=True)
    service.categories.set([category])
    service.areas.set([Governorate.objects.get(code="IQ-BG")])
    referral = cases.referral_send(by=alice, need=need, service=service)
    case.refresh_from_db()
    cases.plan_create(by=alice, case=case, return_date=dt.date(2026, 1, 10))
    Flag.objects.create(case=case, rule=WarningRule.objects.all()[0], subject=f"case:{case.pk}")
    build_profile(alice, karar, occupation=taxonomy["civil"], skills={taxonomy["cad"]: 3})
    opportunity = post(people["carol"], title="مهندس", occupation=taxonomy["civil"])
    application_express(
        by=alice, person=karar, opportunity=opportunity, status="applied", share_contact=True
    )
    return {
        "karar": karar,
        "others": others,
        "case": case,
        "referral": referral,
        "opportunity": Opportunity.objects.get(pk=opportunity.pk),
    }


READS = [
    # (who, what they open, a list?)
    ("alice", "/registry/persons/", True),
    ("alice", "search:كرار", True),
    ("alice", "htmx:/registry/persons/", True),
    ("alice", "/api/v1/persons?limit=100", True),
    ("alice", "/cases/", True),
    ("alice", "/cases/{case}/", False),
    ("alice", "/api/v1/cases", True),
    ("alice", "/api/v1/cases/{case}", False),
    ("alice", "/api/v1/cases/{case}/follow-ups", False),
    ("alice", "/api/v1/cases/{case}/plan", False),
    ("alice", "/api/v1/warnings", True),
    ("carol", "/cases/warnings/", True),
    ("charlie", "/cases/referrals/{referral}/", False),
    ("charlie", "/cases/referrals/{referral}/letter.pdf", False),
    ("charlie", "/api/v1/referrals/received", True),
    ("charlie", "/api/v1/referrals/{referral}", False),
    ("carol", "/matching/opportunities/{opportunity}/applications/", True),
    ("carol", "/api/v1/opportunities/{opportunity}/applications", True),
    ("carol", "/matching/opportunities/{opportunity}/candidates/", True),
    ("carol", "/api/v1/opportunities/{opportunity}/candidates", True),
]


@pytest.mark.parametrize(("who", "url", "listed"), READS)
def test_a_read_of_a_persons_data_is_in_their_access_log(people, world, who, url, listed):
    karar = world["karar"]
    reader = people[who]
    htmx = url.startswith("htmx:")
    url = url.removeprefix("htmx:").format(
        case=world["case"].pk, referral=world["referral"].pk, opportunity=world["opportunity"].pk
    )
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    headers = {"HX-Request": "true"} if htmx else {}
    client = client_for(reader)
    if url.startswith("search:"):  # a search is posted, then shown at its id
        url = person_search_url(client, url.removeprefix("search:"))
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:300]

    new = AuditEntry.objects.filter(actor=reader, pk__gt=last)
    naming = [e for e in new if karar.pk in e.person_ids]
    assert len(naming) == 1, [(e.action, e.object_type, e.person_ids) for e in new]
    entry = naming[0]
    assert entry.action == (Action.VIEW_LIST if listed else Action.VIEW)
    if listed:
        assert entry.changes["records"]  # the ids shown
    # The person's own page shows it, under the reader's organisation.
    page = client_for(people["person"]).get("/registry/my-record/")
    assert entry.pk in {e.pk for e in page.context["access_log"]}


def test_one_entry_per_request_holds_every_record_shown(people, world):
    alice = people["alice"]
    response = client_for(alice).get("/api/v1/persons?limit=100")
    shown = [p["id"] for p in response.json()["items"]]
    assert len(shown) == 3
    listed = AuditEntry.objects.filter(actor=alice, action=Action.VIEW_LIST)
    assert listed.count() == 1
    entry = listed.get()
    assert sorted(entry.changes["records"]) == sorted(shown)
    assert entry.person_ids == sorted(shown)
    assert entry.changes["context"] == "api.persons"


def test_the_household_and_possible_duplicates_shown_are_audited(people, world):
    alice, karar = people["alice"], world["karar"]
    relative = register_person(
        alice, first_name="فاطمة", household=karar.household, relationship="spouse"
    )
    client_for(alice).get(f"/registry/persons/{relative.pk}/")
    assert AuditEntry.objects.filter(
        actor=alice, action=Action.VIEW_LIST, person_links__person_id=karar.pk
    ).exists()
    before = AuditEntry.objects.count()
    response = client_for(alice).post(
        "/registry/persons/new/", registration_data(first_name="كرار", phone="+9647709998877")
    )
    assert karar in response.context["duplicates"]
    shown = AuditEntry.objects.filter(pk__gt=before, action=Action.VIEW_LIST)
    assert karar.pk in {p for e in shown for p in e.person_ids}


def test_a_record_about_two_persons_names_both(people, world):
    from jisr.audit.services import audit_reads

    karar, other = world["karar"], world["others"][0]
    audit_reads(
        actor=people["alice"],
        records=[world["case"]],
        context="test.pairs",
        person=lambda case: [case.person_id, other.pk, None],
    )
    entry = AuditEntry.objects.get(changes__context="test.pairs")
    assert entry.person_ids == sorted([karar.pk, other.pk])
    assert entry in person_access_log(other)


def test_an_empty_list_writes_nothing(people):
    assert client_for(people["bob"]).get("/api/v1/persons").json()["items"] == []
    assert not AuditEntry.objects.filter(action=Action.VIEW_LIST).exists()


def test_the_access_log_stays_one_indexed_lookup(people, world, django_assert_max_num_queries):
    karar = world["karar"]
    for _ in range(30):
        client_for(people["alice"]).get("/registry/persons/")
    with django_assert_max_num_queries(2):
        assert len(list(person_access_log(karar)[:50])) >= 30

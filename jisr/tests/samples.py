"""Sample records for the tests that walk every URL, and the walk's list of pages and personas.

A plain module (not a test module), so that any test may import from it: the every-URL and
Content-Security-Policy walks, and the tests of closed records. Each builder is idempotent: it
finds the sample it made before, or makes it.
"""

from __future__ import annotations

import datetime as dt

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from jisr.accounts.models import ApiKey, Organisation, User
from jisr.cases.models import Case, Referral
from jisr.cases.services import case_open, need_add, plan_create, referral_send
from jisr.catalogue.models import HsdsImport, Location, Service, ServiceCategory, ServiceChange
from jisr.catalogue.services import change_approve, service_propose
from jisr.linkage.models import (
    CandidatePair,
    LinkageRun,
    Register,
    RegisterRecord,
    RegisterUpload,
    SharingAgreement,
)
from jisr.matching.models import Application, Opportunity, Profile
from jisr.matching.references import candidate_reference
from jisr.places.models import Governorate
from jisr.registry.models import CategoryRule, Person, PersonImport

People = dict[str, User]
Orgs = dict[str, Organisation]

# Every role the walks sign in as, and None for a visitor who has not signed in.
PERSONAS = [
    "admin",
    "carol",
    "alice",
    "protection",
    "charlie",
    "employer",
    "analyst",
    "person",
    None,
]


def _organisation(user: User) -> Organisation:
    assert user.organisation is not None, user
    return user.organisation


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_patterns(entry, route))
        else:
            found.append((route, entry))
    return found


def page_patterns() -> list[tuple[str, URLPattern]]:
    """Every page's route (API operations are walked apart) with its URL pattern."""
    return [(route, p) for route, p in _patterns(get_resolver()) if not route.startswith("api/")]


def opportunity_samples(people: People, person: Person) -> dict[str, str]:
    """An open job of the employer's company, the person's profile and their application."""
    employer = people["employer"]
    opportunity = Opportunity.objects.filter(title="sample").first()
    if opportunity is None:
        opportunity = Opportunity.objects.create(
            organisation=_organisation(employer),
            posted_by=employer,
            kind="job",
            title="sample",
            status="open",
        )
    profile = Profile.objects.filter(person=person).first() or Profile.objects.create(
        person=person,
        available_return=True,
        available_assignment=False,
        available_remote=False,
        available_mentoring=False,
        willing_to_relocate=False,
    )
    application = Application.objects.get_or_create(
        opportunity=opportunity, person=person, defaults={"status": "applied"}
    )[0]
    return {
        "opportunity_id": str(opportunity.pk),
        "reference": candidate_reference(profile.person_id, opportunity.organisation_id),
        "application_id": str(application.pk),
    }


def catalogue_samples(people: People) -> dict[str, str]:
    """A published service and a location of charlie's NGO, and the approved proposal."""
    charlie = people["charlie"]
    location = Location.objects.filter(name_ar="مكتب").first() or Location.objects.create(
        organisation=_organisation(charlie),
        name_ar="مكتب",
        governorate=Governorate.objects.get(code="IQ-BG"),
    )
    change = ServiceChange.objects.filter(service__name_ar="خدمة").first()
    if change is None:
        change = service_propose(
            by=charlie, data={"name_ar": "خدمة", "categories": ["legal-documentation"]}
        )
        change_approve(by=people["admin"], change=change)  # public pages show it
    assert change.service is not None
    # An HSDS import is its uploader's alone: this one, of another account, nobody else's.
    hsds_import = HsdsImport.objects.filter(filename="sample.zip").first()
    if hsds_import is None:
        hsds_import = HsdsImport.objects.create(created_by=people["bob"], filename="sample.zip")
    return {
        "service_id": str(change.service_id),
        "location_id": str(location.pk),
        "change_id": str(change.pk),
        "uuid": str(change.service.uuid),
        "hsds_import_id": str(hsds_import.pk),
    }


def case_samples(people: People, person: Person) -> dict[str, str]:
    """A case of the person (bob's), a need, a referral to charlie's NGO and a plan."""
    bob = people["bob"]
    referral = Referral.objects.filter(need__case__person=person).first()
    if referral is None:
        case = Case.objects.filter(person=person).first() or case_open(by=bob, person=person)
        category = ServiceCategory.objects.get(code="legal-aid")
        need = need_add(by=bob, case=case, category=category)
        service = Service.objects.create(
            organisation=_organisation(people["charlie"]), name_ar="عون", published=True
        )
        service.categories.set([category])
        referral = referral_send(by=bob, need=need, service=service)
        plan_create(by=bob, case=case, return_date=timezone.localdate())
    return {
        "case_id": str(referral.need.case_id),
        "need_id": str(referral.need_id),
        "referral_id": str(referral.pk),
    }


def linkage_samples(people: People, orgs: Orgs) -> dict[str, str]:
    """A register of the Basra branch with two records, an upload, a run, a pair and an
    agreement sharing it with the NGO."""
    bob = people["bob"]
    register, _new = Register.objects.get_or_create(
        organisation=orgs["momd_basra"], name="sample", defaults={"kind": "unemployed"}
    )
    one, _new = RegisterRecord.objects.get_or_create(
        register=register, source_id="1", defaults={"first_name": "علي", "cluster": 0}
    )
    two, _new = RegisterRecord.objects.get_or_create(
        register=register, source_id="2", defaults={"first_name": "علي"}
    )
    RegisterRecord.objects.filter(pk__in=[one.pk, two.pk]).update(cluster=one.pk)
    upload = RegisterUpload.objects.filter(register=register).first()
    if upload is None:
        upload = RegisterUpload.objects.create(
            register=register, created_by=bob, filename="r.csv", headers=["id"], rows=[["1"]]
        )
    run = LinkageRun.objects.filter(left=register).first() or LinkageRun.objects.create(
        left=register, started_by=bob, status="done"
    )
    pair = CandidatePair.objects.filter(run=run).first() or CandidatePair.objects.create(
        run=run, left=one, right=two, probability=0.8, band="review"
    )
    agreement = SharingAgreement.objects.filter(register=register).first()
    if agreement is None:
        agreement = SharingAgreement.objects.create(
            register=register,
            recipient=orgs["ngo"],
            fields=["source_id"],
            purpose="sample",
            valid_until=dt.date(2099, 1, 1),
            created_by=bob,
        )
    return {
        "register_id": str(register.pk),
        "upload_id": str(upload.pk),
        "run_id": str(run.pk),
        "pair_id": str(pair.pk),
        "record_id": str(one.pk),
        "agreement_id": str(agreement.pk),
    }


def key_samples(people: People, orgs: Orgs) -> dict[str, str]:
    """An API key of the Basra branch, made by carol."""
    key = ApiKey.objects.filter(name="sample").first() or ApiKey.objects.create(
        organisation=orgs["momd_basra"],
        name="sample",
        prefix="0123456789",
        secret_hash="x",
        permissions=["person.view"],
        scope=20,
        clearance=20,
        created_by=people["carol"],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    return {"key_id": str(key.pk)}


def url_samples(people: People, orgs: Orgs, person: Person) -> dict[str, str]:
    """A value for each kind of URL parameter, every sample made once."""
    linkage = linkage_samples(people, orgs)
    keys = key_samples(people, orgs)
    matching = opportunity_samples(people, person)
    cases = case_samples(people, person)
    catalogue = catalogue_samples(people)
    assert person.registered_by is not None
    an_import = PersonImport.objects.create(created_by=person.registered_by, filename="x.csv")
    return {
        "<uuid:uuid>": catalogue["uuid"],
        "<int:case_id>": cases["case_id"],
        "<int:referral_id>": cases["referral_id"],
        "<uuid:hsds_id>": catalogue["uuid"],
        "<int:service_id>": catalogue["service_id"],
        "<int:location_id>": catalogue["location_id"],
        "<int:change_id>": catalogue["change_id"],
        "<int:hsds_import_id>": catalogue["hsds_import_id"],
        "<int:opportunity_id>": matching["opportunity_id"],
        "<str:reference>": matching["reference"],
        "<int:application_id>": matching["application_id"],
        "<int:person_id>": str(person.pk),
        "<int:rule_id>": str(CategoryRule.objects.order_by("pk").values_list("pk", flat=True)[0]),
        "<int:import_id>": str(an_import.pk),
        "<int:organisation_id>": str(orgs["momd_basra"].pk),
        "<int:user_id>": str(people["bob"].pk),
        "<uidb64>": "MQ",
        "<token>": "set-password",
        "<str:token>": "no-such-draft",
        **{f"<int:{key}>": value for key, value in linkage.items()},
        "<int:key_id>": keys["key_id"],
    }


def sample_url(route: str, samples: dict[str, str]) -> str:
    """`route` with each parameter replaced by its sample (from `url_samples`)."""
    url = "/" + route
    for marker, value in samples.items():
        url = url.replace(marker, value)
    assert "<" not in url, f"add a sample value for the parameters of {route}"
    return url

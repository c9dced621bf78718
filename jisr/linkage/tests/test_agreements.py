"""What an agreement on the Jisr registry may give: only a ministry or a government office
receives it (the persons consented to "sharing with another ministry"), and only an agreement
that names referral follow-up lets its recipient ask who has no open referral in Jisr."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jisr.accounts.roles import Role, Scope
from jisr.conftest import client_for, make_user, register_person
from jisr.linkage import services
from jisr.linkage.golden import clusters_recompute
from jisr.linkage.models import (
    CandidatePair,
    LinkageRun,
    Register,
    RegisterRecord,
    SharingAgreement,
)

AGREEMENT = {
    "shared_fields": ["source_id", "first_name", "family_name"],
    "purpose": "Returnees who are jobseekers",
    "valid_until": "2030-12-31",
}


@pytest.fixture
def registry(people: dict[str, Any]) -> Register:
    register_person(people["bob"], first_name="مريم", family_name="الموسوي", sex="F")
    client_for(people["carol"]).post("/linkage/registry/")
    return Register.objects.get(kind=Register.Kind.JISR_REGISTRY)


def test_the_registry_is_offered_and_shared_only_to_government(
    registry: Register, people: dict[str, Any], orgs: dict[str, Any], labour_analyst: Any
) -> None:
    carol = client_for(people["carol"])
    page = carol.get(f"/linkage/registers/{registry.pk}/")
    offered = set(page.context["agreement_form"].fields["recipient"].queryset)
    assert labour_analyst.organisation in offered
    assert orgs["planning"] in offered
    assert not {orgs["ngo"], orgs["company"]} & offered

    refused = carol.post(
        f"/linkage/registers/{registry.pk}/agreements/", {**AGREEMENT, "recipient": orgs["ngo"].pk}
    )
    assert refused.status_code == 200
    assert refused.context["agreement_form"].errors["recipient"]
    answer = carol.post(
        "/api/v1/linkage/agreements",
        {
            "register_id": registry.pk,
            "recipient": orgs["ngo"].pk,
            "fields": ["first_name"],
            "purpose": "x",
            "valid_until": "2030-12-31",
        },
        content_type="application/json",
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert "وزارة" in str(error["fields"]["recipient"])  # "... choose a ministry", in Arabic
    assert error["fields"]["recipient"]
    assert not SharingAgreement.objects.exists()

    # Another ministry may receive it.
    shared = carol.post(
        f"/linkage/registers/{registry.pk}/agreements/",
        {**AGREEMENT, "recipient": labour_analyst.organisation.pk},
    )
    assert shared.status_code == 302


def test_other_registers_may_still_be_shared_with_an_ngo(
    people: dict[str, Any], orgs: dict[str, Any]
) -> None:
    register = services.register_create(by=people["carol"], name="Trainees", kind="other")
    carol = client_for(people["carol"])
    page = carol.get(f"/linkage/registers/{register.pk}/")
    assert orgs["ngo"] in set(page.context["agreement_form"].fields["recipient"].queryset)
    shared = carol.post(
        f"/linkage/registers/{register.pk}/agreements/", {**AGREEMENT, "recipient": orgs["ngo"].pk}
    )
    assert shared.status_code == 302


def test_an_earlier_agreement_with_an_ngo_gives_it_nothing(
    registry: Register, people: dict[str, Any], orgs: dict[str, Any]
) -> None:
    SharingAgreement.objects.create(
        register=registry,
        recipient=orgs["ngo"],
        fields=["first_name"],
        purpose="made before",
        valid_until=dt.date(2030, 12, 31),
        created_by=people["carol"],
    )
    ngo_analyst = make_user(
        "analyst@ngo.example.org", orgs["ngo"], {Role.ANALYST: Scope.ORGANISATION}
    )
    ngo = client_for(ngo_analyst)
    assert ngo.get(f"/linkage/registers/{registry.pk}/").status_code == 404
    assert registry.pk not in [r["id"] for r in ngo.get("/api/v1/linkage/registers").json()]


@pytest.fixture
def scene(registry: Register, people: dict[str, Any], labour_analyst: Any) -> dict[str, Any]:
    """The registry shared with the Ministry of Labour (with or without referral follow-up, as
    each test says) and Maryam linked with the ministry's record of her."""
    register = services.register_create(by=labour_analyst, name="Jobseekers", kind="unemployed")
    jobseeker = RegisterRecord.objects.create(
        register=register, source_id="L-1", full_name="Maryam Al-Musawi", sex="F"
    )
    run = LinkageRun.objects.create(
        left=register, right=registry, started_by=labour_analyst, status="done"
    )
    CandidatePair.objects.create(
        run=run, left=jobseeker, right=registry.records.get(), probability=0.999, band="link"
    )
    clusters_recompute()
    return {"registry": registry, "register": register, "labour": client_for(labour_analyst)}


def _share(scene: dict[str, Any], people: dict[str, Any], labour: Any, **extra: str) -> None:
    shared = client_for(people["carol"]).post(
        f"/linkage/registers/{scene['registry'].pk}/agreements/",
        {**AGREEMENT, "recipient": labour.organisation.pk, **extra},
    )
    assert shared.status_code == 302, shared.content


def test_the_open_referral_filter_is_refused_without_referral_follow_up(
    scene: dict[str, Any], people: dict[str, Any], labour_analyst: Any
) -> None:
    _share(scene, people, labour_analyst)
    labour = scene["labour"]
    query = {"base": scene["registry"].pk, "other": scene["register"].pk}
    assert len(labour.get("/api/v1/linkage/cross-reference", query).json()["rows"]) == 1
    answer = labour.get("/api/v1/linkage/cross-reference", {**query, "without_open_referral": True})
    assert answer.status_code == 403
    assert answer.json()["error"]["fields"]["without_open_referral"]
    assert "rows" not in answer.json()
    page = labour.get("/linkage/cross-reference/", {**query, "without_open_referral": "on"})
    assert page.status_code == 200
    assert page.context["report"] is None
    assert page.context["form"].errors["without_open_referral"]
    exported = labour.get(
        "/linkage/cross-reference/", {**query, "without_open_referral": "on", "format": "csv"}
    )
    assert "attachment" not in exported.get("Content-Disposition", "")


def test_the_open_referral_filter_works_where_the_agreement_names_it(
    scene: dict[str, Any], people: dict[str, Any], labour_analyst: Any
) -> None:
    _share(scene, people, labour_analyst, referral_follow_up="on")
    agreement = SharingAgreement.objects.get()
    assert agreement.referral_follow_up
    labour = scene["labour"]
    query = {
        "base": scene["registry"].pk,
        "other": scene["register"].pk,
        "without_open_referral": True,
    }
    answer = labour.get("/api/v1/linkage/cross-reference", query)
    assert answer.status_code == 200
    assert len(answer.json()["rows"]) == 1
    listed = labour.get("/api/v1/linkage/agreements").json()
    assert listed[0]["referral_follow_up"] is True


def test_the_filter_needs_the_registry_among_the_two_registers(
    scene: dict[str, Any], people: dict[str, Any], labour_analyst: Any
) -> None:
    """Persons of Jisr's registry in a group are no longer read from registers the user does
    not choose: the filter is about the registry the user reaches under referral follow-up."""
    _share(scene, people, labour_analyst, referral_follow_up="on")
    labour = scene["labour"]
    query = {
        "base": scene["register"].pk,
        "other": scene["register"].pk,
        "without_open_referral": True,
    }
    answer = labour.get("/api/v1/linkage/cross-reference", query)
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["without_open_referral"]


def test_referral_follow_up_is_only_for_the_registry(
    people: dict[str, Any], labour_analyst: Any
) -> None:
    register = services.register_create(by=people["carol"], name="Trainees", kind="other")
    page = client_for(people["carol"]).get(f"/linkage/registers/{register.pk}/")
    assert "referral_follow_up" not in page.context["agreement_form"].fields
    answer = client_for(people["carol"]).post(
        "/api/v1/linkage/agreements",
        {
            "register_id": register.pk,
            "recipient": labour_analyst.organisation.pk,
            "fields": ["first_name"],
            "purpose": "x",
            "valid_until": "2030-12-31",
            "referral_follow_up": True,
        },
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["referral_follow_up"]

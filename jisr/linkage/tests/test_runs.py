"""Linkage runs over registers in the database: the Ministry of Labour's register linked with the
Ministry of Migration's Jisr registry under an agreement, the review of pairs (never overwritten
by a re-run), the golden record, and the cross-reference report scoped by agreements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jisr.audit.models import AuditEntry
from jisr.cases.models import Case, Need, Referral
from jisr.catalogue.models import Service, ServiceCategory
from jisr.conftest import client_for
from jisr.linkage.models import CandidatePair, LinkageRun, PairDecision, Register, RegisterRecord
from jisr.registry.models import Person

# What the Ministry of Labour sees of the registry, and so what its runs compare of it: names,
# sex, date of birth and governorate link well; the mother's name, the phone and the status in
# the registry are neither shown nor compared.
SHARED = [
    "source_id", "first_name", "father_name", "grandfather_name", "family_name", "sex",
    "birth_date", "governorate",
]  # fmt: skip


@pytest.fixture
def scene(link_registers: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return link_registers(shared=SHARED, agreement={"referral_follow_up": "on"})


@pytest.mark.slow
def test_a_run_links_the_registers_and_the_report_shows_the_people(
    scene: dict[str, Any], labour_analyst: Any, capture: Any
) -> None:
    labour = scene["labour"]
    with capture(execute=True):
        started = labour.post(
            f"/linkage/registers/{scene['register'].pk}/run/",
            {"other": scene["registry"].pk},
        )
    run = LinkageRun.objects.get()
    assert started["Location"] == f"/linkage/runs/{run.pk}/"
    assert run.status == LinkageRun.Status.DONE, run.error
    page = labour.get(started["Location"])
    assert page.status_code == 200
    assert run.model is not None
    assert run.model.version == 1
    # Links found against the generator's truth (person ids are the registry's record numbers).
    by_person = {str(p.pk): left for left, p in scene["persons"].items()}
    found = {
        (by_person[pair.right.source_id], pair.left.source_id)
        for pair in CandidatePair.objects.filter(band=CandidatePair.Band.LINK).select_related(
            "left", "right"
        )
    }
    truth = scene["truth"]
    hits = len(found & truth)
    assert hits / len(found) > 0.9
    assert hits / len(truth) > 0.8

    report = labour.get(
        "/linkage/cross-reference/", {"base": scene["registry"].pk, "other": scene["register"].pk}
    )
    rows = report.context["report"].rows
    assert len(rows) == len(found)
    # The Ministry of Labour sees the agreed fields of the registry, not the others.
    assert set(rows[0]["base"]["fields"]) == set(SHARED)
    exported = labour.get(
        "/linkage/cross-reference/",
        {"base": scene["registry"].pk, "other": scene["register"].pk, "format": "csv"},
    )
    assert exported.status_code == 200
    assert AuditEntry.objects.filter(action="export", actor=labour_analyst).count() == 2 * len(rows)

    # Golden record: the linked records, with the probability of the link.
    first = rows[0]["other"]["id"]
    golden = labour.get(f"/api/v1/linkage/records/{first}").json()
    assert len(golden["records"]) == 2
    assert golden["links"][0]["probability"] >= 0.99
    assert golden["links"][0]["confirmed_by"] == ""


@pytest.mark.slow
def test_review_decisions_outrank_the_model_and_survive_a_rerun(
    scene: dict[str, Any], labour_analyst: Any, capture: Any
) -> None:
    labour = scene["labour"]
    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/run/",
            {"other": scene["registry"].pk},
        )
    link = (
        CandidatePair.objects.filter(band=CandidatePair.Band.LINK).order_by("probability").first()
    )
    assert link is not None
    page = labour.get(f"/linkage/pairs/{link.pk}/")
    assert page.status_code == 200
    assert [e["field"] for e in page.context["evidence"]][:2] == ["first", "father"]
    labour.post(
        f"/linkage/pairs/{link.pk}/decision/", {"decision": "different", "note": "brothers"}
    )
    assert RegisterRecord.objects.get(pk=link.left_id).cluster is None  # unlinked at once

    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/run/",
            {"other": scene["registry"].pk},
        )
    second = LinkageRun.objects.order_by("-pk").first()
    assert second is not None
    assert second.model is not None
    assert second.model.version == 1
    assert PairDecision.objects.get().same_person is False  # the decision is kept
    assert RegisterRecord.objects.get(pk=link.left_id).cluster is None  # and still counts
    assert second.accuracy["labels"] == 1
    assert second.accuracy["false_positives"] == 1
    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/run/",
            {"other": scene["registry"].pk, "retrain": "1"},
        )
    third = LinkageRun.objects.order_by("-pk").first()
    assert third is not None
    assert third.model is not None
    assert third.model.version == 2  # a new version, kept beside the first
    assert PairDecision.objects.get().same_person is False


@pytest.mark.slow
def test_without_an_agreement_nothing_is_reachable(
    capture: Any, scene: dict[str, Any], people: dict[str, Any], labour_analyst: Any
) -> None:
    labour = scene["labour"]
    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/run/",
            {"other": scene["registry"].pk},
        )
    outsider = client_for(people["analyst"])  # the Ministry of Planning: no agreement
    query = {"base": scene["registry"].pk, "other": scene["register"].pk}
    page = outsider.get("/linkage/cross-reference/", query)
    assert page.context["report"] is None
    assert page.context["form"].errors
    assert outsider.get("/api/v1/linkage/cross-reference", query).status_code == 404
    pair = CandidatePair.objects.first()
    assert pair is not None
    assert outsider.get(f"/linkage/pairs/{pair.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/linkage/records/{pair.left_id}").status_code == 404
    # When the agreement ends, the Ministry of Labour no longer reaches the registry either.
    agreement = scene["registry"].agreements.get()
    client_for(people["carol"]).post(f"/linkage/agreements/{agreement.pk}/end/")
    assert labour.get("/api/v1/linkage/cross-reference", query).status_code == 404


@pytest.mark.slow
def test_only_persons_without_an_open_referral_when_asked(
    capture: Any, scene: dict[str, Any]
) -> None:
    labour = scene["labour"]
    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/run/",
            {"other": scene["registry"].pk},
        )
    query = {
        "base": scene["registry"].pk,
        "other": scene["register"].pk,
        "without_open_referral": True,
    }
    everyone = labour.get("/api/v1/linkage/cross-reference", query).json()["rows"]
    assert everyone
    assert not Referral.objects.exists()
    person_id = int(everyone[0]["base"]["fields"]["source_id"])
    _open_referral(person_id)
    fewer = labour.get("/api/v1/linkage/cross-reference", query).json()["rows"]
    assert len(fewer) == len(everyone) - 1
    assert person_id not in [int(r["base"]["fields"]["source_id"]) for r in fewer]


def _open_referral(person_id: int) -> None:
    person = Person.objects.get(pk=person_id)
    assert person.registered_by is not None
    category = ServiceCategory.objects.get(code="economic-vocational-training")
    service = Service.objects.create(
        organisation=person.organisation, name_ar="تدريب", published=True
    )
    service.categories.set([category])
    case = Case.objects.create(person=person, organisation=person.organisation)
    need = Need.objects.create(case=case, category=category)
    Referral.objects.create(
        need=need,
        service=service,
        from_organisation=person.organisation,
        to_organisation=person.organisation,
        sent_by=person.registered_by,
        due_on=dt.date.today(),
    )


@pytest.mark.slow  # Splink trains on the uploaded register
def test_an_upload_through_the_page_feeds_the_run(
    capture: Any, labour_analyst: Any, synth: Path
) -> None:
    client = client_for(labour_analyst)
    client.post("/linkage/", {"name": "Jobseekers", "kind": "unemployed"})
    register = Register.objects.get()
    sent = client.post(
        f"/linkage/registers/{register.pk}/upload/",
        {"file": SimpleUploadedFile("d.csv", (synth / "dedupe.csv").read_bytes())},
    )
    page = client.get(sent["Location"])
    mapping = {
        name: page.context["form"].initial.get(name, "") for name in page.context["form"].fields
    }
    with capture(execute=True):  # the worker's import, run once the start commits
        client.post(f"{sent['Location']}import/", mapping)
    assert RegisterRecord.objects.filter(register=register).count() == 150
    with capture(execute=True):
        client.post(f"/linkage/registers/{register.pk}/run/", {"other": ""})
    run = LinkageRun.objects.get()
    assert run.status == LinkageRun.Status.DONE, run.error
    assert run.right is None
    assert run.counts["links"] > 10

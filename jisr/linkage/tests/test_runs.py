"""Linkage runs over registers in the database: the Ministry of Labour's register linked with the
Ministry of Migration's Jisr registry under an agreement, the review of pairs (never overwritten
by a re-run), the golden record, and the cross-reference report scoped by agreements."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from jisr.audit.models import AuditEntry
from jisr.conftest import client_for, register_person
from jisr.linkage import services
from jisr.linkage.models import CandidatePair, LinkageRun, PairDecision, Register, RegisterRecord


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    """Runs start when the request's transaction commits; tests run inside one."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def synth(tmp_path: Path) -> Path:
    call_command("synth_registers", out=str(tmp_path), size=150, seed=7, stdout=StringIO())
    return tmp_path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def scene(synth: Path, people: dict[str, Any], labour_analyst: Any) -> dict[str, Any]:
    """The Ministry of Migration registered the people of the left register in Jisr; the
    Ministry of Labour uploads its register of jobseekers (the right one); the ministry shares
    its Jisr registry with the Ministry of Labour."""
    carol = people["carol"]
    persons = {}
    for row in _rows(synth / "left.csv"):
        if not row["first_name"] or not row["sex"]:
            continue  # the registry's form asks for the split name; Latin-only rows are skipped
        birth = row["birth_date"]
        persons[row["record_id"]] = register_person(
            people["alice"], first_name=row["first_name"], father_name=row["father_name"],
            grandfather_name=row["grandfather_name"], family_name=row["family_name"],
            mother_name=row["mother_name"], sex=row["sex"], birth_year=int(birth[:4]) if birth else None,
            birth_date=dt.date.fromisoformat(birth) if len(birth) == 10 else None,
        )  # fmt: skip
    client = client_for(carol)
    client.post("/linkage/", {"action": "registry"})
    registry = Register.objects.get(
        kind=Register.Kind.JISR_REGISTRY, organisation=carol.organisation
    )
    shared = client.post(f"/linkage/registers/{registry.pk}/", {
        "action": "agreement", "recipient": labour_analyst.organisation.pk,
        "shared_fields": ["source_id", "first_name", "father_name", "family_name", "governorate"],
        "purpose": "Returnees who are jobseekers", "valid_until": "2030-12-31",
        "referral_follow_up": "on",
    })  # fmt: skip
    assert shared.status_code == 302, shared.content
    labour = client_for(labour_analyst)
    register = services.create_register(by=labour_analyst, name="Jobseekers", kind="unemployed")
    content = (synth / "right.csv").read_bytes()
    kept = services.upload(
        by=labour_analyst, register=register, content=content, filename="right.csv"
    )
    services.run_import(
        by=labour_analyst, register_upload=kept, mapping=services.proposed_mapping(kept)
    )
    truth = {
        (r["left_id"], r["right_id"]) for r in _rows(synth / "truth.csv") if r["left_id"] in persons
    }
    return {
        "registry": registry,
        "register": register,
        "labour": labour,
        "persons": persons,
        "truth": truth,
    }


def test_a_run_links_the_registers_and_the_report_shows_the_people(
    scene: dict[str, Any], labour_analyst: Any, capture: Any
) -> None:
    labour = scene["labour"]
    with capture(execute=True):
        started = labour.post(
            f"/linkage/registers/{scene['register'].pk}/",
            {"action": "run", "other": scene["registry"].pk},
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
    assert set(rows[0]["base"]["fields"]) == {
        "source_id",
        "first_name",
        "father_name",
        "family_name",
        "governorate",
    }
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


def test_review_decisions_outrank_the_model_and_survive_a_rerun(
    scene: dict[str, Any], labour_analyst: Any, capture: Any
) -> None:
    labour = scene["labour"]
    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/",
            {"action": "run", "other": scene["registry"].pk},
        )
    link = (
        CandidatePair.objects.filter(band=CandidatePair.Band.LINK).order_by("probability").first()
    )
    assert link is not None
    page = labour.get(f"/linkage/pairs/{link.pk}/")
    assert page.status_code == 200
    assert [e["field"] for e in page.context["evidence"]][:2] == ["first", "father"]
    labour.post(f"/linkage/pairs/{link.pk}/", {"decision": "different", "note": "brothers"})
    assert RegisterRecord.objects.get(pk=link.left_id).cluster is None  # unlinked at once

    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/",
            {"action": "run", "other": scene["registry"].pk},
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
            f"/linkage/registers/{scene['register'].pk}/",
            {"action": "run", "other": scene["registry"].pk, "retrain": "1"},
        )
    third = LinkageRun.objects.order_by("-pk").first()
    assert third is not None
    assert third.model is not None
    assert third.model.version == 2  # a new version, kept beside the first
    assert PairDecision.objects.get().same_person is False


def test_without_an_agreement_nothing_is_reachable(
    capture: Any, scene: dict[str, Any], people: dict[str, Any], labour_analyst: Any
) -> None:
    labour = scene["labour"]
    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/",
            {"action": "run", "other": scene["registry"].pk},
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
    client_for(people["carol"]).post(
        f"/linkage/registers/{scene['registry'].pk}/",
        {"action": "end_agreement", "agreement": agreement.pk},
    )
    assert labour.get("/api/v1/linkage/cross-reference", query).status_code == 404


def test_only_persons_without_an_open_referral_when_asked(
    capture: Any, scene: dict[str, Any]
) -> None:
    from jisr.cases.models import Referral

    labour = scene["labour"]
    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/",
            {"action": "run", "other": scene["registry"].pk},
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
    from jisr.cases.models import Case, Need, Referral
    from jisr.catalogue.models import Service, ServiceCategory
    from jisr.registry.models import Person

    person = Person.objects.get(pk=person_id)
    assert person.registered_by is not None
    category = ServiceCategory.objects.get(code="economic-vocational-training")
    service = Service.objects.create(
        organisation=person.organisation, name_ar="تدريب", published=True
    )
    service.categories.set([category])
    case = Case.objects.create(person=person, organisation=person.organisation)
    need = Need.objects.create(case=case, category=category)
    Referral.objects.create(need=need, service=service, from_organisation=person.organisation,
                            to_organisation=person.organisation, sent_by=person.registered_by,
                            due_on=dt.date.today())  # fmt: skip


def test_an_upload_through_the_page_feeds_the_run(
    capture: Any, labour_analyst: Any, synth: Path
) -> None:
    client = client_for(labour_analyst)
    client.post("/linkage/", {"name": "Jobseekers", "kind": "unemployed"})
    register = Register.objects.get()
    sent = client.post(f"/linkage/registers/{register.pk}/upload/",
                       {"file": SimpleUploadedFile("d.csv", (synth / "dedupe.csv").read_bytes())})  # fmt: skip
    page = client.get(sent["Location"])
    mapping = {
        name: page.context["form"].initial.get(name, "") for name in page.context["form"].fields
    }
    client.post(sent["Location"], {**mapping, "action": "import"})
    assert RegisterRecord.objects.filter(register=register).count() == 150
    with capture(execute=True):
        client.post(f"/linkage/registers/{register.pk}/", {"action": "run", "other": ""})
    run = LinkageRun.objects.get()
    assert run.status == LinkageRun.Status.DONE, run.error
    assert run.right is None
    assert run.counts["links"] > 10

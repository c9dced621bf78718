"""A recipient learns nothing of a field the agreement does not share: not from a pair's
evidence, its weights or its probability (page, API, review list, golden record), and not by
uploading guesses and watching which links, since a run compares only the fields its readers
see."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from django.utils.html import escape

from jisr.conftest import client_for, register_person
from jisr.linkage import imports, services
from jisr.linkage.engine import evidence
from jisr.linkage.golden import clusters_recompute
from jisr.linkage.models import (
    CandidatePair,
    LinkageModel,
    LinkageRun,
    PairDecision,
    Register,
    RegisterRecord,
)
from jisr.registry.models import Person

# The mother's name and the phone are not shared.
SHARED = [
    "source_id", "first_name", "father_name", "grandfather_name", "family_name", "sex",
    "birth_date", "governorate",
]  # fmt: skip
PHONE = "+9647705554433"


def _guesses(person: Person, mirror: RegisterRecord) -> str:
    """Two records of one person of the registry, the same but for the mother's name and the
    phone: right in the first, wrong in the second."""
    same = [mirror.first_name, mirror.father_name, mirror.grandfather_name, mirror.family_name]
    tail = f"{mirror.sex},{mirror.birth_date},{mirror.governorate}"
    return (
        f"G-1,,{','.join(same)},{person.mother_name},{tail},{PHONE}\r\n"
        f"G-2,,{','.join(same)},خديجة,{tail},+9647809990000\r\n"
    )


@pytest.mark.slow
def test_guesses_uploaded_by_a_recipient_learn_nothing_of_an_unshared_field(
    synth: Path, link_registers: Any, labour_analyst: Any, capture: Any
) -> None:
    scene = link_registers(shared=SHARED)
    # The target: a person of the registry with a mother's name and a full date of birth.
    mirror = (
        RegisterRecord.objects.filter(register__kind=Register.Kind.JISR_REGISTRY)
        .exclude(mother_name="")
        .filter(birth_date__regex=r"^\d{4}-\d\d-\d\d$")
        .first()
    )
    assert mirror is not None
    assert mirror.person is not None
    person = mirror.person
    Person.objects.filter(pk=person.pk).update(phone=PHONE)
    # The guesses go in with the ministry's next import.
    kept = services.upload_create(
        by=labour_analyst,
        register=scene["register"],
        content=(
            (synth / "right.csv").read_text(encoding="utf-8") + _guesses(person, mirror)
        ).encode(),
        filename="right.csv",
    )
    services.upload_import(
        by=labour_analyst, upload=kept, mapping=imports.upload_proposed_mapping(upload=kept)
    )
    labour = scene["labour"]
    with capture(execute=True):
        labour.post(
            f"/linkage/registers/{scene['register'].pk}/run/",
            {"other": scene["registry"].pk},
        )
    run = LinkageRun.objects.get()
    assert run.status == LinkageRun.Status.DONE, run.error
    assert run.model is not None

    guesses = {
        pair.left.source_id: pair
        for pair in CandidatePair.objects.filter(
            right__person=person, left__source_id__startswith="G-"
        ).select_related("left")
    }
    assert set(guesses) == {"G-1", "G-2"}
    right, wrong = guesses["G-1"], guesses["G-2"]
    # Nothing tells the right guess from the wrong one.
    assert right.probability == wrong.probability
    assert right.band == wrong.band
    for pair in (right, wrong):
        shown = labour.get(f"/api/v1/linkage/pairs/{pair.pk}").json()
        assert {e["field"] for e in shown["evidence"]} <= {
            "first",
            "father",
            "grandfather",
            "family",
            "birth_date",
            "governorate",
            "sex",
        }
        assert shown["probability"] == pair.probability  # nothing it weighed is withheld
        page = labour.get(f"/linkage/pairs/{pair.pk}/")
        assert {e["field"] for e in page.context["evidence"]}.isdisjoint({"mother", "phone"})
    assert "mother_name" not in run.model.fields[str(scene["registry"].pk)]
    # Splink's probability is the model's prior and the evidence's weights: what a reader is
    # shown where some comparisons are withheld is computed that way.
    prior = run.model.settings["probability_two_random_records_match"]
    assert evidence.probability(right.evidence, prior) == pytest.approx(right.probability, abs=2e-3)


@pytest.mark.slow
def test_a_run_under_an_agreement_too_narrow_to_link_says_so(
    link_registers: Any, capture: Any
) -> None:
    scene = link_registers(shared=["source_id", "first_name", "family_name"])
    with capture(execute=True):
        scene["labour"].post(
            f"/linkage/registers/{scene['register'].pk}/run/",
            {"other": scene["registry"].pk},
        )
    run = LinkageRun.objects.get()
    assert run.status == LinkageRun.Status.FAILED
    assert "Too few fields in common" in run.error
    page = scene["labour"].get(f"/linkage/runs/{run.pk}/")
    assert "Too few fields in common" in page.content.decode()


@pytest.fixture
def found_before(people: dict[str, Any], labour_analyst: Any) -> dict[str, Any]:
    """A pair found by a run of the time when every field was compared (or under a wider
    agreement, since narrowed): its evidence weighs the mother's name and the phone, which the
    agreement in force does not share, nor the registry's record number. (Such a run may have
    read a name from the full name: the agreement shares it, so the names' evidence shows.)"""
    register_person(
        people["bob"],
        first_name="مريم",
        father_name="كاظم",
        family_name="الموسوي",
        sex="F",
        mother_name="زينب",
        phone=PHONE,
    )
    carol = client_for(people["carol"])
    carol.post("/linkage/registry/")
    registry = Register.objects.get(kind=Register.Kind.JISR_REGISTRY)
    carol.post(
        f"/linkage/registers/{registry.pk}/agreements/",
        {
            "recipient": labour_analyst.organisation.pk,
            "shared_fields": ["full_name", "first_name", "father_name", "family_name"],
            "purpose": "Returnees who are jobseekers",
            "valid_until": "2030-12-31",
        },
    )
    register = services.register_create(by=labour_analyst, name="Jobseekers", kind="unemployed")
    jobseeker = RegisterRecord.objects.create(
        register=register,
        source_id="L-1",
        first_name="مريم",
        father_name="كاظم",
        family_name="الموسوي",
        mother_name="زينب",
        phone=PHONE,
        sex="F",
    )
    model = LinkageModel.objects.create(
        left=register,
        right=registry,
        version=1,
        settings={"probability_two_random_records_match": 0.001},
    )
    run = LinkageRun.objects.create(
        left=register, right=registry, started_by=labour_analyst, status="done", model=model
    )
    pair = CandidatePair.objects.create(
        run=run,
        left=jobseeker,
        right=registry.records.get(),
        probability=0.9995,
        band="review",
        evidence={
            "first": [5, 6.0],
            "father": [4, 3.0],
            "family": [4, 2.0],
            "mother": [4, 7.0],
            "phone": [1, 12.0],
            "birth_date": [-1, 0.0],
        },
    )
    clusters_recompute()
    return {"pair": pair, "labour": client_for(labour_analyst), "jobseeker": jobseeker}


def test_pairs_found_before_show_no_unshared_evidence(found_before: dict[str, Any]) -> None:
    pair, labour = found_before["pair"], found_before["labour"]
    seen = {"first", "father", "family"}
    # The prior's weight and the shown fields' weights, in bits: 6 + 3 + 2 bits.
    expected = round(1 / (1 + 2 ** -(math.log2(0.001 / 0.999) + 11.0)), 6)
    assert expected < 0.99 < pair.probability

    shown = labour.get(f"/api/v1/linkage/pairs/{pair.pk}").json()
    assert {e["field"] for e in shown["evidence"]} == seen
    assert shown["probability"] == expected
    queue = labour.get("/api/v1/linkage/review").json()
    assert [p["probability"] for p in queue] == [expected]
    assert {e["field"] for e in queue[0]["evidence"]} == seen

    page = labour.get(f"/linkage/pairs/{pair.pk}/")
    html = page.content.decode()
    assert {e["field"] for e in page.context["evidence"]} == seen
    assert page.context["probability"] == expected
    cells = {f"<td>{escape(label)}</td>" for label in ("Mother's name", "Phone", "Date of birth")}
    assert f"<td>{escape(str(evidence.COMPARISONS['father']))}</td>" in html
    assert not {cell for cell in cells if cell in html}
    listed = labour.get("/linkage/review/").content.decode()
    assert str(pair.probability) not in listed
    # The registry's record number is not shared either: the list does not show it.
    assert f"· {pair.right.source_id}<" not in listed


def test_the_reviewers_decision_keeps_the_probability_they_were_shown(
    found_before: dict[str, Any],
) -> None:
    pair, labour = found_before["pair"], found_before["labour"]
    labour.post(f"/linkage/pairs/{pair.pk}/decision/", {"decision": "same"})
    decision = PairDecision.objects.get()
    assert decision.probability is not None
    assert decision.probability < 0.99
    links = labour.get(f"/api/v1/linkage/records/{found_before['jobseeker'].pk}").json()["links"]
    assert [link["probability"] for link in links] == [decision.probability]

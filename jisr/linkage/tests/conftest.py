"""Personas and scenes of the linkage tests.

Personas: an analyst of the Ministry of Labour (the owner of the unemployment register), the
Ministry of Migration's supervisor (carol, whose Jisr registry is shared by agreement), and the
Ministry of Planning's analyst, whose organisation has no agreement.

Scenes: `linked` (Maryam, mirrored in the registry and linked with the Ministry of Labour's
record of her) and `link_registers` (generated registers, one mirrored in Jisr's registry,
shared by agreement with the Ministry of Labour, the other imported by it).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jisr.accounts.models import Organisation, OrganisationKind, User
from jisr.accounts.roles import Role, Scope
from jisr.conftest import client_for, make_user, register_person
from jisr.linkage import imports, services
from jisr.linkage.golden import clusters_recompute
from jisr.linkage.models import CandidatePair, LinkageRun, Register, RegisterRecord

# What the Ministry of Migration shares of Maryam's registry with the Ministry of Labour in the
# `linked` scene: names, mother's name and phone included.
MARYAM_SHARED = ["source_id", "first_name", "father_name", "family_name", "mother_name", "phone"]


@pytest.fixture
def labour(orgs: dict[str, Organisation]) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.MINISTRY,
        name_ar="وزارة العمل والشؤون الاجتماعية",
        name_en="Ministry of Labour and Social Affairs",
        acronym="MoLSA",
    )


@pytest.fixture
def labour_analyst(labour: Organisation) -> User:
    return make_user(
        "analyst@molsa.example.org", labour, {Role.ANALYST: Scope.ORGANISATION}, language="en"
    )


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    """Runs start when the request's transaction commits; tests run inside one."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def synth(tmp_path: Path) -> Path:
    call_command("synth_registers", out=str(tmp_path), size=150, seed=7, stdout=StringIO())
    return tmp_path


def _rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _share_registry(carol: User, recipient: Organisation, **agreement: Any) -> Register:
    """Carol refreshes her ministry's Jisr registry and shares it with `recipient`."""
    client = client_for(carol)
    client.post("/linkage/registry/")
    registry = Register.objects.get(
        kind=Register.Kind.JISR_REGISTRY, organisation=carol.organisation
    )
    made = client.post(
        f"/linkage/registers/{registry.pk}/agreements/",
        {
            "recipient": recipient.pk,
            "purpose": "Returnees who are jobseekers",
            "valid_until": "2030-12-31",
            **agreement,
        },
    )
    assert made.status_code == 302, made.content
    return registry


LinkRegisters = Callable[..., dict[str, Any]]


@pytest.fixture
def link_registers(synth: Path, people: dict[str, User], labour_analyst: User) -> LinkRegisters:
    """The Ministry of Migration registered the people of the left register in Jisr; the
    Ministry of Labour uploads its register of jobseekers (the right one); the ministry shares
    its Jisr registry with the Ministry of Labour (the fields `shared`, and `agreement`'s other
    fields of the form)."""

    def scene(*, shared: list[str], agreement: dict[str, str] | None = None) -> dict[str, Any]:
        persons = {}
        for row in _rows_of(synth / "left.csv"):
            if not row["first_name"] or not row["sex"]:
                continue  # the registry's form asks for the split name; Latin-only rows are skipped
            birth = row["birth_date"]
            persons[row["record_id"]] = register_person(
                people["alice"],
                first_name=row["first_name"],
                father_name=row["father_name"],
                grandfather_name=row["grandfather_name"],
                family_name=row["family_name"],
                mother_name=row["mother_name"],
                sex=row["sex"],
                birth_year=int(birth[:4]) if birth else None,
                birth_date=dt.date.fromisoformat(birth) if len(birth) == 10 else None,
            )
        assert labour_analyst.organisation is not None
        registry = _share_registry(
            people["carol"],
            labour_analyst.organisation,
            shared_fields=shared,
            **(agreement or {}),
        )
        register = services.register_create(by=labour_analyst, name="Jobseekers", kind="unemployed")
        kept = services.upload_create(
            by=labour_analyst,
            register=register,
            content=(synth / "right.csv").read_bytes(),
            filename="right.csv",
        )
        services.upload_import(
            by=labour_analyst, upload=kept, mapping=imports.upload_proposed_mapping(upload=kept)
        )
        truth = {
            (r["left_id"], r["right_id"])
            for r in _rows_of(synth / "truth.csv")
            if r["left_id"] in persons
        }
        return {
            "registry": registry,
            "register": register,
            "labour": client_for(labour_analyst),
            "persons": persons,
            "truth": truth,
        }

    return scene


@pytest.fixture
def linked(people: dict[str, User], labour_analyst: User) -> dict[str, Any]:
    """Maryam, registered by the Ministry of Migration's Basra branch and mirrored in its Jisr
    registry, linked with the Ministry of Labour's record of her; the registry is shared with
    the Ministry of Labour, names, mother's name and phone included."""
    people["person"].language = "en"
    people["person"].save()
    person = register_person(
        people["bob"],
        first_name="مريم",
        father_name="كاظم",
        family_name="الموسوي",
        sex="F",
        mother_name="زينب",
        phone="+9647801112233",
    )
    person.account = people["person"]
    person.save()
    assert labour_analyst.organisation is not None
    registry = _share_registry(
        people["carol"], labour_analyst.organisation, shared_fields=MARYAM_SHARED
    )
    mirror = RegisterRecord.objects.get(register=registry, person=person)
    register = services.register_create(by=labour_analyst, name="Jobseekers", kind="unemployed")
    # Written in Latin letters by the ministry's clerk: whatever Arabic is read is the mirror's.
    jobseeker = RegisterRecord.objects.create(
        register=register, source_id="L-1", full_name="Maryam Kadhim Al-Musawi", sex="F"
    )
    run = LinkageRun.objects.create(
        left=register, right=registry, started_by=labour_analyst, status="done"
    )
    pair = CandidatePair.objects.create(
        run=run,
        left=jobseeker,
        right=mirror,
        probability=0.999,
        band="link",
        evidence={"first": [5, 9.1], "mother": [4, 6.2], "phone": [-1, 0.0]},
    )
    clusters_recompute()
    return {
        "person": person,
        "registry": registry,
        "register": register,
        "mirror": mirror,
        "jobseeker": jobseeker,
        "pair": pair,
        "labour": client_for(labour_analyst),
    }

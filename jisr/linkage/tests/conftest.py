"""Personas of the linkage tests: an analyst of the Ministry of Labour (the owner of the
unemployment register), the Ministry of Migration's supervisor (carol, whose Jisr registry is
shared by agreement), and the Ministry of Planning's analyst, whose organisation has no agreement."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.accounts.roles import Role, Scope
from jisr.conftest import client_for, make_user, register_person
from jisr.linkage import imports, services
from jisr.linkage.models import Register


@pytest.fixture
def labour(orgs: dict[str, Organisation]) -> Organisation:
    return Organisation.objects.create(
        kind=OrganisationKind.MINISTRY, name_ar="وزارة العمل والشؤون الاجتماعية",
        name_en="Ministry of Labour and Social Affairs", acronym="MoLSA",
    )  # fmt: skip


@pytest.fixture
def labour_analyst(labour: Organisation) -> Any:
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


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def linked_registers(
    synth: Path, people: dict[str, Any], labour_analyst: Any, *, shared: list[str],
    agreement: dict[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The Ministry of Migration registered the people of the left register in Jisr; the
    Ministry of Labour uploads its register of jobseekers (the right one); the
    ministry shares its Jisr registry with the Ministry of Labour (the fields `shared`)."""
    carol = people["carol"]
    persons = {}
    for row in rows_of(synth / "left.csv"):
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
    client.post("/linkage/registry/")
    registry = Register.objects.get(
        kind=Register.Kind.JISR_REGISTRY, organisation=carol.organisation
    )
    made = client.post(f"/linkage/registers/{registry.pk}/agreements/", {
        "recipient": labour_analyst.organisation.pk, "shared_fields": shared,
        "purpose": "Returnees who are jobseekers", "valid_until": "2030-12-31", **(agreement or {}),
    })  # fmt: skip
    assert made.status_code == 302, made.content
    register = services.register_create(by=labour_analyst, name="Jobseekers", kind="unemployed")
    content = (synth / "right.csv").read_bytes()
    kept = services.upload_create(
        by=labour_analyst, register=register, content=content, filename="right.csv"
    )
    services.upload_import(
        by=labour_analyst, upload=kept, mapping=imports.upload_proposed_mapping(upload=kept)
    )
    truth = {
        (r["left_id"], r["right_id"])
        for r in rows_of(synth / "truth.csv")
        if r["left_id"] in persons
    }
    return {
        "registry": registry, "register": register, "labour": client_for(labour_analyst),
        "persons": persons, "truth": truth,
    }  # fmt: skip

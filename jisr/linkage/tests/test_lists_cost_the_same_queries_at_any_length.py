"""Every list page and list endpoint of linkage costs as many queries with ten rows as with two:
registers (own and shared), runs, records, pairs to review, agreements, the golden record and
the cross-reference report (page, file and API). (An export of hundreds of records writes its
audit entries in batches of a few hundred, SQLite's limit on a statement: not one per row.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisr.accounts.models import Organisation, OrganisationKind, User
from jisr.conftest import client_for
from jisr.linkage.models import (
    CandidatePair,
    LinkageRun,
    Register,
    RegisterRecord,
    SharingAgreement,
)

SHARED = ["source_id", "first_name", "father_name", "family_name", "sex"]


class Scene:
    """The Ministry of Labour's register of jobseekers (`own`) and the Ministry of Migration's
    register shared with it (`shared`); `grow` adds rows to every list at once."""

    def __init__(self, labour_analyst: User, carol: User) -> None:
        self.analyst, self.carol = labour_analyst, carol
        self.own = self._register(labour_analyst, "Jobseekers")
        self.shared = self._register(carol, "Returnees")
        self._agree(self.shared, labour_analyst.organisation)
        self.run = LinkageRun.objects.create(
            left=self.own, right=self.shared, started_by=labour_analyst, status="done"
        )
        self.size = 0
        self.first: RegisterRecord | None = None

    def _register(self, owner: User, name: str) -> Register:
        assert owner.organisation is not None
        return Register.objects.create(
            organisation=owner.organisation, name=name, kind="other", created_by=owner
        )

    def _agree(self, register: Register, recipient: Organisation | None) -> None:
        assert recipient is not None
        SharingAgreement.objects.create(
            register=register,
            recipient=recipient,
            fields=SHARED,
            purpose="Returnees who are jobseekers",
            valid_until=dt.date(2099, 1, 1),
            created_by=self.carol,
        )

    def grow(self, rows: int) -> None:
        for number in range(self.size, self.size + rows):
            # Registers of both ministries, each with a run; the shared ones by agreement.
            own = self._register(self.analyst, f"Own {number}")
            shared = self._register(self.carol, f"Shared {number}")
            self._agree(shared, self.analyst.organisation)
            LinkageRun.objects.create(left=own, right=shared, started_by=self.analyst)
            # The own register shared with another ministry.
            ministry = Organisation.objects.create(
                kind=OrganisationKind.MINISTRY, name_ar=f"وزارة {number}"
            )
            SharingAgreement.objects.create(
                register=self.own,
                recipient=ministry,
                fields=SHARED,
                purpose="Training",
                valid_until=dt.date(2099, 1, 1),
                created_by=self.analyst,
            )
            # A person in both registers, linked; another record of the first person, so that
            # their golden record grows too; and a pair for review.
            jobseeker = self._record(self.own, f"L-{number}")
            returnee = self._record(self.shared, f"R-{number}")
            self._link(jobseeker, returnee, cluster=returnee.pk)
            self.first = self.first or returnee
            self._link(self._record(self.own, f"G-{number}"), self.first, cluster=self.first.pk)
            uncertain = self._record(self.own, f"U-{number}")
            other = self._record(self.shared, f"V-{number}")
            CandidatePair.objects.create(
                run=self.run, left=uncertain, right=other, probability=0.7, band="review"
            )
        self.size += rows

    def _link(self, jobseeker: RegisterRecord, returnee: RegisterRecord, *, cluster: int) -> None:
        CandidatePair.objects.create(
            run=self.run, left=jobseeker, right=returnee, probability=0.999, band="link"
        )
        RegisterRecord.objects.filter(pk__in=[jobseeker.pk, returnee.pk]).update(cluster=cluster)

    def _record(self, register: Register, source_id: str) -> RegisterRecord:
        return RegisterRecord.objects.create(
            register=register,
            source_id=source_id,
            first_name="حيدر",
            father_name="علي",
            family_name="الساعدي",
            sex="M",
        )


@pytest.fixture
def scene(labour_analyst: User, people: dict[str, User]) -> Scene:
    return Scene(labour_analyst, people["carol"])


def _cross_reference(scene: Scene) -> dict[str, Any]:
    return {"base": scene.shared.pk, "other": scene.own.pk}


def _first_record(scene: Scene) -> int:
    return RegisterRecord.objects.filter(register=scene.own, source_id="L-0").get().pk


LISTS: dict[str, Callable[[Client, Scene], Any]] = {
    "registers and runs (page)": lambda c, s: c.get("/linkage/"),
    "records (page)": lambda c, s: c.get(f"/linkage/registers/{s.own.pk}/"),
    "pairs to review (page)": lambda c, s: c.get("/linkage/review/"),
    "golden record (page)": lambda c, s: c.get(f"/linkage/records/{_first_record(s)}/"),
    "cross-reference (page)": lambda c, s: c.get("/linkage/cross-reference/", _cross_reference(s)),
    "cross-reference (CSV)": lambda c, s: c.get(
        "/linkage/cross-reference/", {**_cross_reference(s), "format": "csv"}
    ),
    "registers (API)": lambda c, s: c.get("/api/v1/linkage/registers"),
    "records (API)": lambda c, s: c.get(f"/api/v1/linkage/registers/{s.own.pk}/records"),
    "pairs to review (API)": lambda c, s: c.get("/api/v1/linkage/review"),
    "agreements (API)": lambda c, s: c.get("/api/v1/linkage/agreements"),
    "golden record (API)": lambda c, s: c.get(f"/api/v1/linkage/records/{_first_record(s)}"),
    "cross-reference (API)": lambda c, s: c.get(
        "/api/v1/linkage/cross-reference", _cross_reference(s)
    ),
}


def _queries(read: Callable[[Client, Scene], Any], client: Client, scene: Scene) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = read(client, scene)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_the_same_queries_with_more_rows(scene: Scene, name: str) -> None:
    client = client_for(scene.analyst)
    read = LISTS[name]
    scene.grow(2)
    _queries(read, client, scene)  # the session and the caches warm
    few = _queries(read, client, scene)
    scene.grow(8)
    assert _queries(read, client, scene) == few

"""Every page and API answer of linkage that shows a record of Jisr's registry leaves an entry
naming the person, and the person sees in their access log that another ministry read it."""

from __future__ import annotations

from typing import Any

from jisr.audit.models import AuditEntry, AuditEntryPerson
from jisr.conftest import client_for


def test_each_read_of_a_mirrored_person_names_them(linked: dict[str, Any], people) -> None:
    person = linked["person"]
    labour = linked["labour"]
    query = {"base": linked["registry"].pk, "other": linked["register"].pk}
    reads = {
        "golden record (API)": lambda: labour.get(
            f"/api/v1/linkage/records/{linked['jobseeker'].pk}"
        ),
        "golden record (page)": lambda: labour.get(f"/linkage/records/{linked['jobseeker'].pk}/"),
        "cross-reference (API)": lambda: labour.get("/api/v1/linkage/cross-reference", query),
        "cross-reference (page)": lambda: labour.get("/linkage/cross-reference/", query),
        "cross-reference (CSV)": lambda: labour.get(
            "/linkage/cross-reference/", {**query, "format": "csv"}
        ),
        "pair (API)": lambda: labour.get(f"/api/v1/linkage/pairs/{linked['pair'].pk}"),
        "pair (page)": lambda: labour.get(f"/linkage/pairs/{linked['pair'].pk}/"),
    }
    missed = []
    for name, read in reads.items():
        before = AuditEntryPerson.objects.filter(person_id=person.pk).count()
        assert read().status_code == 200, name
        if AuditEntryPerson.objects.filter(person_id=person.pk).count() <= before:
            missed.append(name)
    assert missed == []
    named = AuditEntry.objects.filter(person_links__person_id=person.pk)
    assert named.filter(organisation=linked["register"].organisation).exists()
    page = client_for(people["person"]).get("/registry/my-record/").content.decode()
    assert "Ministry of Labour" in page or "وزارة العمل" in page


def test_the_register_owner_reading_its_records_is_audited(linked: dict[str, Any]) -> None:
    register = linked["register"]
    labour = linked["labour"]
    before = AuditEntry.objects.filter(action="view_list").count()
    assert labour.get(f"/linkage/registers/{register.pk}/").status_code == 200
    assert labour.get(f"/api/v1/linkage/registers/{register.pk}/records").status_code == 200
    entries = AuditEntry.objects.filter(action="view_list").order_by("pk")[before:]
    assert [e.changes["records"] for e in entries] == [[linked["jobseeker"].pk]] * 2

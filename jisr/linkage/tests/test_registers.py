"""Registers: upload with Arabic headers, the columns matched and remembered, the dry run's row
errors, all-or-nothing import (by the worker, decision 0034), and re-import that updates instead
of duplicating."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from jisr.conftest import client_for
from jisr.linkage.models import Register, RegisterRecord

ARABIC_HEADERS = (
    "رقم السجل,الاسم الاول,اسم الاب,اسم الجد,اللقب,اسم الام,الجنس,تاريخ الميلاد,المحافظة,الهاتف\n"
)
GOOD = ARABIC_HEADERS + (
    "L-1,حيدر,علي,حسين,الساعدي,زينب,ذكر,1988-03-04,بغداد,07701234567\n"
    "L-2,فاطمة,كاظم,جواد,الربيعي,,انثى,1990,IQ-BA,\n"
    "L-3,Mohammed,Jasim,,Al-Jubouri,,M,12/05/1979,Basra,+964 780 111 2233\n"
)
BAD = ARABIC_HEADERS + (
    "L-1,حيدر,علي,حسين,الساعدي,زينب,ذكر,1988-13-40,بغداد,07701234567\n"
    "L-1,فاطمة,كاظم,جواد,الربيعي,,انثى,1990,المريخ,\n"
    ",,,,,,,,,12\n"
)


def _upload(client: Any, register: Register, text: str, name: str = "molsa.csv") -> Any:
    return client.post(
        f"/linkage/registers/{register.pk}/upload/",
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def _mapping_from(page: Any) -> dict[str, str]:
    form = page.context["form"]
    return {name: form.initial.get(name, "") for name in form.fields}


def test_an_analyst_uploads_maps_sees_row_errors_and_imports(
    labour_analyst: Any, capture: Any
) -> None:
    client = client_for(labour_analyst)
    page = client.post("/linkage/", {"name": "الباحثون عن عمل", "kind": "unemployed"})
    register = Register.objects.get(name="الباحثون عن عمل")
    assert page.status_code == 302
    assert register.organisation == labour_analyst.organisation

    page = client.get(_upload(client, register, BAD)["Location"])
    mapping = _mapping_from(page)
    # Arabic headers are matched to the standard fields without help.
    assert mapping["map_source_id"] == "رقم السجل"
    assert mapping["map_birth_date"] == "تاريخ الميلاد"
    checked = client.post(page.request["PATH_INFO"], mapping)
    reasons = [(e.row, e.reason) for e in checked.context["errors"]]
    assert (2, "Enter a date as YYYY-MM-DD, DD/MM/YYYY or a year (YYYY).") in reasons
    assert (3, "This record number appears twice in the file.") in reasons
    assert (3, "Unknown governorate.") in reasons
    assert any(row == 4 and "name" in reason for row, reason in reasons)
    refused = client.post(page.request["PATH_INFO"] + "import/", mapping)
    assert refused.status_code == 200
    assert not RegisterRecord.objects.exists()

    page = client.get(_upload(client, register, GOOD)["Location"])
    checked = client.post(page.request["PATH_INFO"], _mapping_from(page))
    assert not checked.context["errors"]
    assert len(checked.context["checked"].ready) == 3
    with capture(execute=True):
        done = client.post(page.request["PATH_INFO"] + "import/", _mapping_from(page))
    assert done.status_code == 302
    assert done["Location"] == page.request["PATH_INFO"] + "progress/"
    third = RegisterRecord.objects.get(register=register, source_id="L-3")
    assert (third.birth_date, third.governorate, third.sex, third.phone) == (
        "1979-05-12",
        "IQ-BA",
        "M",
        "+9647801112233",
    )
    register.refresh_from_db()
    assert register.mapping["first_name"] == "الاسم الاول"  # kept for the next upload

    # The updated register: L-2 changed, L-3 gone, L-4 new; nothing is duplicated.
    updated = ARABIC_HEADERS + (
        "L-1,حيدر,علي,حسين,الساعدي,زينب,ذكر,1988-03-04,بغداد,07701234567\n"
        "L-2,فاطمة,كاظم,جواد,الربيعي,,انثى,1990-06-02,IQ-BA,\n"
        "L-4,سجاد,محمد,,,,ذكر,2001,ذي قار,\n"
    )
    page = client.get(_upload(client, register, updated)["Location"])
    with capture(execute=True):
        client.post(page.request["PATH_INFO"] + "import/", _mapping_from(page))
    records = {r.source_id: r for r in RegisterRecord.objects.filter(register=register)}
    assert sorted(records) == ["L-1", "L-2", "L-3", "L-4"]
    assert records["L-2"].birth_date == "1990-06-02"
    assert records["L-3"].withdrawn_at is not None
    assert records["L-4"].governorate == "IQ-DQ"


def test_the_api_takes_a_register_and_reports_row_errors(labour_analyst: Any, capture: Any) -> None:
    client = client_for(labour_analyst)
    created = client.post(
        "/api/v1/linkage/registers",
        {"name": "Jobseekers", "kind": "unemployed"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    register_id = created.json()["id"]
    sent = client.post(
        f"/api/v1/linkage/registers/{register_id}/uploads",
        {"file": SimpleUploadedFile("bad.csv", BAD.encode("utf-8"))},
    )
    assert sent.status_code == 201, sent.content
    upload = sent.json()
    assert upload["proposed_mapping"]["source_id"] == "رقم السجل"
    checked = client.post(
        f"/api/v1/linkage/uploads/{upload['id']}/check",
        {"mapping": upload["proposed_mapping"]},
        content_type="application/json",
    )
    assert checked.json()["ready"] == 0
    assert len(checked.json()["errors"]) >= 4
    refused = client.post(
        f"/api/v1/linkage/uploads/{upload['id']}/import",
        {"mapping": upload["proposed_mapping"]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_rows"
    assert not RegisterRecord.objects.exists()

    good = client.post(
        f"/api/v1/linkage/registers/{register_id}/uploads",
        {"file": SimpleUploadedFile("good.csv", GOOD.encode("utf-8"))},
    ).json()
    with capture(execute=True):
        started = client.post(
            f"/api/v1/linkage/uploads/{good['id']}/import",
            {"mapping": good["proposed_mapping"]},
            content_type="application/json",
        )
    assert started.json() == {"id": good["id"], "total": 3, "done": 0}  # the worker imports it
    imported = client.post(  # asked again: how far it is
        f"/api/v1/linkage/uploads/{good['id']}/import",
        {"mapping": good["proposed_mapping"]},
        content_type="application/json",
    )
    assert imported.json() == {
        "id": good["id"], "total": 3, "done": 3,
        "created": 3, "updated": 0, "unchanged": 0, "withdrawn": 0,
    }  # fmt: skip
    records = client.get(f"/api/v1/linkage/registers/{register_id}/records").json()
    assert [r["fields"]["source_id"] for r in records] == ["L-1", "L-2", "L-3"]


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_the_users_language(
    labour_analyst: Any,
) -> None:
    client = client_for(labour_analyst)
    register = Register.objects.create(
        organisation=labour_analyst.organisation, name="R", kind="unemployed"
    )
    page = client.post(
        f"/linkage/registers/{register.pk}/upload/",
        {"file": SimpleUploadedFile("r.xlsx", b"not a workbook")},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert page.status_code == 200
    assert "لا يمكن قراءة الملف" in page.content.decode() or page.context["form"].errors


def test_another_organisation_cannot_reach_a_register(
    labour_analyst: Any, people: dict[str, Any]
) -> None:
    register = Register.objects.create(
        organisation=labour_analyst.organisation, name="R", kind="unemployed"
    )
    outsider = client_for(
        people["analyst"]
    )  # the Ministry of Planning's analyst, all-records scope
    assert outsider.get(f"/linkage/registers/{register.pk}/").status_code == 404
    assert outsider.get(f"/linkage/registers/{register.pk}/upload/").status_code == 404
    assert outsider.get(f"/api/v1/linkage/registers/{register.pk}/records").status_code == 404
    assert register.pk not in [r["id"] for r in outsider.get("/api/v1/linkage/registers").json()]

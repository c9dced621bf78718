from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jisr.audit.models import Action, AuditEntry
from jisr.conftest import client_for, register_person
from jisr.lib.spreadsheets import safe_cell
from jisr.registry.imports.spreadsheet import read_rows
from jisr.registry.models import Person, PersonImport, Purpose
from jisr.registry.selectors import has_consent, person_access_log
from jisr.registry.tests.factories import GOOD_ROWS as GOOD
from jisr.registry.tests.factories import HEADERS, post_mapping, sheet, upload


def test_columns_are_matched_from_arabic_headers(people):
    client = client_for(people["alice"])
    url = upload(client, GOOD)
    person_import = PersonImport.objects.get()
    assert person_import.mapping["first_name"] == "الاسم"
    assert person_import.mapping["family_name"] == "اللقب"
    assert person_import.mapping["governorate"] == "المحافظة"
    assert person_import.mapping["source_id"] == "الرقم"
    assert client.get(url).status_code == 200


def test_check_then_import_all_and_again_nothing(people):
    client = client_for(people["alice"])
    url = upload(client, GOOD)
    checked = post_mapping(client, url, "check")
    assert checked.context["ready"] == 2
    assert checked.context["error_count"] == 0
    assert not Person.objects.exists()  # the check writes nothing
    done = post_mapping(client, url, "import")
    assert done.status_code == 302
    ahmed = Person.objects.get(first_name="أحمد")
    assert ahmed.phone == "+9647701112222"
    assert ahmed.governorate is not None
    assert ahmed.governorate.code == "IQ-BG"
    assert ahmed.person_type == "returnee"
    assert has_consent(ahmed, Purpose.REFERRAL)
    zainab = Person.objects.get(first_name="زينب")
    assert zainab.sex == "F"
    assert not has_consent(zainab, Purpose.REFERRAL)
    assert PersonImport.objects.get().rows == []  # the uploaded copy is not kept
    url = upload(client, GOOD)
    post_mapping(client, url, "import")
    assert Person.objects.count() == 2


def test_every_bad_row_is_listed_in_the_users_language_and_nothing_is_written(people):
    people["alice"].language = "en"
    people["alice"].save()
    client = client_for(people["alice"])
    rows = [*GOOD, ["19", "", "x", "y", "؟", "eighty", "12", "martian", "Atlantis", "نعم", "ربما"]]
    url = upload(client, rows)
    response = post_mapping(client, url, "import")
    assert response.status_code == 200
    problems = {(e.row, e.column) for e in response.context["errors"]}
    assert {(4, "الاسم"), (4, "الجنس"), (4, "سنة الميلاد"), (4, "الهاتف"), (4, "الحالة"),
            (4, "المحافظة"), (4, "موافقة الإحالة")} <= problems  # fmt: skip
    assert "Enter a whole number." in response.content.decode()
    assert not Person.objects.exists()


def test_registration_consent_must_be_mapped_or_declared(people):
    client = client_for(people["alice"])
    headers = HEADERS[:9]
    response = client.post("/registry/import/", {"file": sheet([r[:9] for r in GOOD], headers)})
    url = response["Location"]
    data = {f"map_{k}": v for k, v in PersonImport.objects.get().mapping.items()} | {
        "map_person_type": "الحالة",
    }
    assert client.post(url, data).context["error_count"] == 1
    data["paper_consent"] = "on"
    assert client.post(url, data).context["ready"] == 2


def test_unreadable_files_are_refused(people):
    client = client_for(people["alice"])
    bad = SimpleUploadedFile("persons.xlsx", b"\x00\x01 not a workbook")
    response = client.post("/registry/import/", {"file": bad})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not PersonImport.objects.exists()


def test_an_import_belongs_to_whoever_uploaded_it(people):
    client = client_for(people["alice"])
    url = upload(client, GOOD)
    assert client_for(people["bob"]).get(url).status_code == 404


def test_export_neutralises_formulas_and_is_audited(people):
    register_person(people["alice"], first_name='=HYPERLINK("http://evil")', national_id="A1234567")
    client = client_for(people["alice"])
    response = client.get("/registry/persons/export/")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["id", "first_name", "father_name"]
    assert rows[1][1].startswith("'=")
    assert "A1234567" not in text
    xlsx = client.get("/registry/persons/export/?format=xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert str(workbook.active["B2"].value).startswith("'=")
    assert AuditEntry.objects.filter(action=Action.EXPORT, actor=people["alice"]).count() == 2


def test_safe_cell():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2") == "'-2"
    assert safe_cell("أحمد") == "أحمد"


def test_too_many_rows_are_refused_before_reading_them_all():
    import pytest
    from django.conf import settings

    from jisr.lib.spreadsheets import UnreadableFile, read_table

    content = ("name\n" + "x\n" * (settings.JISR_SPREADSHEET_MAX_ROWS + 5)).encode()
    with pytest.raises(UnreadableFile):
        read_table(content, "big.csv")
    assert read_table(b"name\nx\n", "small.csv") == (["name"], [["x"]])


def test_an_export_shows_in_each_exported_persons_access_log(people):
    person = register_person(people["alice"], first_name="a\x0bb")  # a control character survives
    client = client_for(people["alice"])
    assert client.get("/registry/persons/export/?format=xlsx").status_code == 200
    assert [e.action for e in person_access_log(person)][:1] == [Action.EXPORT]
    assert AuditEntry.objects.filter(action=Action.EXPORT, object_id=str(person.pk)).count() == 1


def test_a_country_name_is_not_cut_into_another_country(people):
    upload = PersonImport.objects.create(
        created_by=people["alice"], filename="x.csv",
        headers=["name", "sex", "situation", "country", "consent"],
        rows=[["أحمد", "M", "abroad", "Iraq", "yes"]],
    )  # fmt: skip
    mapping = {"first_name": "name", "sex": "sex", "person_type": "situation", "country": "country",
               "consent_registration": "consent"}  # fmt: skip
    ready, errors = read_rows(person_import=upload, mapping=mapping, paper_consent=False)
    assert ready == []
    assert [e.column for e in errors] == ["country"]


def test_the_import_button_posts_to_its_own_address_and_a_visit_there_leads_back(people):
    client = client_for(people["alice"])
    url = upload(client, GOOD)
    checked = post_mapping(client, url, "check").content.decode()
    assert f'formaction="{url}run/"' in checked
    assert client.get(f"{url}run/")["Location"] == url
    post_mapping(client, url, "import")
    # Started: nothing left to map; the import's progress is shown instead.
    assert client.get(url)["Location"] == f"{url}progress/"
    assert client.post(f"{url}run/")["Location"] == f"{url}progress/"
    assert Person.objects.count() == 2

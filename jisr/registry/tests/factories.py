"""What the registry's pages are sent, for tests of any app: a caseworker's registration, a
person's own registration, a spreadsheet of persons and its column matching."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from jisr.places.models import Governorate
from jisr.registry.models import PersonImport, Purpose


def registration_data(**extra: Any) -> dict[str, Any]:
    """A caseworker's registration page, filled in for a returnee in Baghdad who consents to
    every purpose."""
    baghdad = Governorate.objects.get(code="IQ-BG")
    data = {
        "first_name": "أحمد", "father_name": "عبد الله", "grandfather_name": "حسن",
        "family_name": "الجبوري", "mother_name": "فاطمة", "sex": "M", "birth_year": "1990",
        "phone": "0770 555 1234", "person_type": "returnee", "country": "IQ",
        "governorate": baghdad.pk, "channel": "in_person",
        **{f"consent_{p.value}": "given" for p in Purpose},
    }  # fmt: skip
    data.update(extra)
    return data


def self_registration_answers(**extra: Any) -> dict[str, Any]:
    """The self-registration page, filled in by a woman in Baghdad with a phone."""
    data = {
        "first_name": "زينب", "father_name": "حسن", "family_name": "الموسوي", "sex": "F",
        "birth_year": "1993", "person_type": "returnee", "country": "IQ",
        "governorate": Governorate.objects.get(code="IQ-BG").pk, "contact": "07709998877",
        "password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1",
        **{f"consent_{p.value}": "given" for p in Purpose}, "consent_research": "refused",
    }  # fmt: skip
    data.update(extra)
    return data


def code_from(text: str) -> str:
    """The six-digit code in a text message or e-mail."""
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None, text
    return found.group(1)


# A ministry's spreadsheet of persons, with Arabic headers.
HEADERS = [
    "الرقم",
    "الاسم",
    "اسم الأب",
    "اللقب",
    "الجنس",
    "سنة الميلاد",
    "الهاتف",
    "الحالة",
    "المحافظة",
    "موافقة التسجيل",
    "موافقة الإحالة",
]
GOOD_ROWS = [
    ["17", "أحمد", "علي", "الجبوري", "ذكر", "1980", "0770 111 2222", "عائد من الخارج", "بغداد", "نعم", "نعم"],
    ["18", "زينب", "حسن", "الموسوي", "أنثى", "1992", "", "returnee", "IQ-BA", "نعم", "لا"],
]  # fmt: skip


def sheet(rows: list[list[str]], headers: list[str] = HEADERS) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(
        "persons.csv", out.getvalue().encode("utf-8-sig"), content_type="text/csv"
    )


def upload(client: Client, rows: list[list[str]]) -> str:
    """Upload a sheet of `rows`; the address of its column matching page."""
    response = client.post("/registry/import/", {"file": sheet(rows)})
    assert response.status_code == 302, response.content
    return str(response["Location"])


def post_mapping(client: Client, url: str, action: str, **extra: Any) -> Any:
    """Post the matching page's columns, as guessed and completed, to check every row
    (`action="check"`) or to import them all (`action="import"`, the import run to its end)."""
    data = {f"map_{k}": v for k, v in PersonImport.objects.latest("pk").mapping.items()}
    data.update(
        {
            "map_consent_registration": "موافقة التسجيل",
            "map_consent_referral": "موافقة الإحالة",
            "map_person_type": "الحالة",
        }
    )
    data.update(extra)
    if action == "check":
        return client.post(url, data)
    # The import runs once the request's transaction commits (inline in development and in
    # tests, `JISR_TASKS=immediate`); a test runs inside a transaction that never commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"{url}run/", data)

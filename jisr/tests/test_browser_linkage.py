"""Linkage's journey in Arabic: a Ministry of Labour analyst uploads a register with Arabic
headers, sees the columns matched and the row errors of a bad file, imports a good one, links it
with the Ministry of Migration's Jisr registry (shared by agreement), reviews uncertain pairs and
opens the cross-reference report; the analyst of an organisation without an agreement cannot."""

from __future__ import annotations

import csv
import datetime as dt
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from jisr.conftest import register_person
from jisr.linkage import services
from jisr.linkage.models import CandidatePair, PairDecision
from jisr.linkage.tests.conftest import labour, labour_analyst  # noqa: F401
from jisr.registry.models import Person
from jisr.tests.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARABIC = {
    "record_id": "رقم السجل", "full_name": "الاسم الكامل", "first_name": "الاسم الأول",
    "father_name": "اسم الأب", "grandfather_name": "اسم الجد", "family_name": "اللقب",
    "mother_name": "اسم الأم", "sex": "الجنس", "birth_date": "تاريخ الميلاد",
    "governorate": "المحافظة", "phone": "الهاتف",
}  # fmt: skip


def _with_arabic_headers(path: Path) -> bytes:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ARABIC.values())
    writer.writerows([row[key] for key in ARABIC] for row in rows)
    return out.getvalue().encode("utf-8")


def test_labour_analyst_imports_links_reviews_and_reports(
    browser,
    live_server,
    people,
    labour_analyst,  # noqa: F811
    tmp_path,
):
    call_command("synth_registers", out=str(tmp_path), size=300, seed=3, stdout=StringIO())
    with (tmp_path / "left.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["first_name"] and row["sex"]:
                birth = row["birth_date"]
                register_person(
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
    registry = services.registry_register_refresh(by=people["carol"])
    services.agreement_create(
        by=people["carol"],
        register=registry,
        recipient=labour_analyst.organisation,
        fields=[
            "source_id",
            "first_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "mother_name",
            "birth_date",
        ],
        purpose="العائدون الباحثون عن عمل",
        valid_until=dt.date.today() + dt.timedelta(days=30),
        referral_follow_up=True,
    )
    labour_analyst.language = "ar"
    labour_analyst.save()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        ",".join(ARABIC.values()) + "\n"
        "L-1,,حيدر,علي,,الساعدي,,ذكر,1988-13-40,بغداد,\n"
        "L-1,,فاطمة,كاظم,,,,انثى,1990,المريخ,\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.csv"
    content = _with_arabic_headers(tmp_path / "right.csv").decode("utf-8")
    # Three people of the registry under a name Jisr does not know for them: for a reviewer.
    for number, person in enumerate(Person.objects.exclude(birth_date=None).order_by("pk")[:3]):
        content += (
            f"X-{number},,سمسم,{person.father_name},{person.grandfather_name},{person.family_name},"
            f"{person.mother_name},{person.sex},{person.birth_date},,\n"
        )
    good.write_text(content, encoding="utf-8")

    office = browser.new_context(locale="ar-IQ")
    page = sign_in(office, live_server, labour_analyst.email)
    page.goto(f"{live_server.url}/linkage/")
    assert page.get_attribute("html", "dir") == "rtl"
    page.fill("#id_name", "الباحثون عن عمل")
    page.select_option("#id_kind", "unemployed")
    page.click("#new-register button[type=submit]")
    page.set_input_files("input[name=file]", str(bad))
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#mapping")
    assert page.input_value("#id_map_source_id") == "رقم السجل"  # Arabic headers matched
    page.click("#mapping button[value=check]")
    page.wait_for_selector("#row-errors")
    errors = page.inner_text("#row-errors")
    assert "رقم السجل هذا مكرر في الملف." in errors
    assert "المحافظة" in errors
    assert "#ready" not in page.content()

    page.go_back()
    page.go_back()
    page.set_input_files("input[name=file]", str(good))
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#mapping")
    page.click("#mapping button[value=check]")
    page.wait_for_selector("#ready")
    page.click("#mapping button[value=import]")
    page.wait_for_selector("#upload-done")  # the worker's import, on its progress page
    page.click("#upload-status a.btn")
    page.wait_for_selector("#record-counts")
    assert "٣٠٣" in page.inner_text("#record-counts")  # 303 records, in Arabic digits

    page.select_option("#other-register", str(registry.pk))
    page.click("#start-run button[type=submit]")
    page.wait_for_selector("#run-counts")
    assert CandidatePair.objects.filter(band="link").count() > 100
    page.click("#run-counts a[href$='/linkage/review/']")
    page.wait_for_selector("#review-queue")
    page.click("#review-queue a")
    page.wait_for_selector("#side-by-side")
    assert "غير مشترك" in page.inner_text("#side-by-side")  # fields outside the agreement
    assert page.query_selector_all("#evidence tbody tr")
    page.click("#decide button[value=different]")
    page.wait_for_load_state()
    assert PairDecision.objects.filter(decided_by=labour_analyst, same_person=False).count() == 1

    page.goto(f"{live_server.url}/linkage/cross-reference/")
    page.select_option("#id_base", str(registry.pk))
    page.select_option("#id_other", label="الباحثون عن عمل — " + str(labour_analyst.organisation))
    page.check("#id_without_open_referral")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report")
    assert len(page.query_selector_all("#report tbody tr")) > 100
    office.close()

    outsider_context = browser.new_context(locale="ar-IQ")
    outsider = sign_in(outsider_context, live_server, people["analyst"].email)
    outsider.goto(f"{live_server.url}/linkage/cross-reference/")
    assert outsider.query_selector(f"#id_base option[value='{registry.pk}']") is None
    outsider.goto(
        f"{live_server.url}/linkage/cross-reference/?base={registry.pk}&other={registry.pk}"
    )
    assert outsider.query_selector("#report") is None
    outsider_context.close()

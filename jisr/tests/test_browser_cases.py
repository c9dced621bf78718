"""The referral journey in Arabic: a Ministry of Migration caseworker opens a case, records three
needs and accepts the proposed referrals (a Ministry of Labour training centre, an NGO); the
centre accepts and completes, the NGO declines with a reason; the daily early-warning round shows
the declined need, and the caseworker refers it again."""

from __future__ import annotations

from typing import Any

import pytest

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.accounts.roles import Role, Scope
from jisr.cases import services
from jisr.cases.models import Need, Referral
from jisr.catalogue.models import Service, ServiceCategory
from jisr.conftest import make_user, register_person
from jisr.places.models import Governorate
from jisr.tests.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(browser: Any, live_server: Any, email: str) -> Any:
    return sign_in(browser.new_context(locale="ar-IQ"), live_server, email)


def _service(organisation: Any, name: str, code: str) -> Service:
    service = Service.objects.create(organisation=organisation, name_ar=name, published=True)
    service.categories.set(ServiceCategory.objects.filter(code=code))
    return service


def test_refer_answer_warn_and_refer_again(browser, live_server, people, orgs):
    baghdad = Governorate.objects.get(code="IQ-BG")
    molsa = Organisation.objects.create(
        kind=OrganisationKind.MINISTRY, name_ar="وزارة العمل والشؤون الاجتماعية"
    )
    centre = Organisation.objects.create(
        kind=OrganisationKind.GOVERNMENT_OFFICE,
        name_ar="مركز التدريب المهني في بغداد",
        parent=molsa,
        governorate=baghdad,
    )
    make_user("trainer@example.org", centre, {Role.PROVIDER_STAFF: Scope.ORGANISATION})
    training = _service(centre, "دورة صيانة أجهزة التبريد", "economic-vocational-training")
    legal = _service(orgs["ngo"], "مساعدة قانونية", "legal-aid")
    other_ngo = Organisation.objects.create(
        kind=OrganisationKind.NGO, name_ar="منظمة العون القانوني"
    )
    second_legal = _service(other_ngo, "محامون متطوعون", "legal-aid")
    person = register_person(people["alice"], first_name="ياسر", governorate=baghdad)

    caseworker = _sign_in(browser, live_server, "alice@example.org")
    caseworker.goto(f"{live_server.url}/registry/persons/{person.pk}/")
    caseworker.click("#open-case")
    caseworker.wait_for_selector("#need-form")
    for code in ("economic-vocational-training", "legal-aid", "social-housing"):
        caseworker.select_option("#need-category", code)
        caseworker.click("#need-form button[type=submit]")
        caseworker.wait_for_selector("#need-form")
    assert caseworker.locator("section[data-need]").count() == 3
    for service in (training, legal):
        need = Need.objects.get(category__code__in=[c.code for c in service.categories.all()])
        caseworker.click(f"section[data-need='{need.pk}'] li[data-proposal='{service.pk}'] button")
        caseworker.wait_for_selector(f"section[data-need='{need.pk}'] [data-referral-status=sent]")

    trainer = _sign_in(browser, live_server, "trainer@example.org")
    referral = Referral.objects.get(service=training)
    trainer.goto(f"{live_server.url}/cases/referrals/")
    trainer.click(f"#inbox a[data-referral='{referral.pk}']")
    assert "ياسر" in trainer.inner_text("#shared")
    trainer.click("form[data-step=accepted] button")
    trainer.wait_for_selector("form[data-step=completed]")
    trainer.click("form[data-step=completed] button")
    trainer.wait_for_selector("#referral-status")
    referral.refresh_from_db()
    assert referral.status == "completed"

    ngo = _sign_in(browser, live_server, "charlie@example.org")
    declined = Referral.objects.get(service=legal)
    ngo.goto(f"{live_server.url}/cases/referrals/{declined.pk}/")
    ngo.fill("#reason-declined", "لا يوجد محامٍ متاح هذا الشهر")
    ngo.click("form[data-step=declined] button")
    ngo.wait_for_selector("#referral-status")

    services.flags_scan(by=None)  # the daily round (`jisr cases-daily`)
    caseworker.goto(f"{live_server.url}/cases/warnings/")
    caseworker.wait_for_selector("#worklist a[data-flag=declined_no_alternative]")
    caseworker.click("#worklist a[data-flag=declined_no_alternative]")
    need = declined.need
    caseworker.wait_for_selector(
        f"section[data-need='{need.pk}'] li[data-proposal='{second_legal.pk}']"
    )
    caseworker.click(f"section[data-need='{need.pk}'] li[data-proposal='{second_legal.pk}'] button")
    caseworker.wait_for_selector(f"section[data-need='{need.pk}'] [data-referral-status=sent]")
    assert Referral.objects.filter(need=need, service=second_legal, status="sent").exists()

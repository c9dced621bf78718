"""Referral proposals and the early-warning scan at scale.

    .venv/bin/python benchmarks/referrals.py [--services 50000] [--cases 1000000]

Uses its own SQLite database (or DATABASE_URL), migrates it and fills it once (rows already there
are kept): a catalogue of published services of every kind across the governorates (most with
areas, some national or remote, with age, sex and situation conditions), and cases with needs,
referrals in every state (some overdue), plans with milestones and follow-ups. Then it times,
through the real functions, the proposals for a case with 10 needs (target: median under
100 ms) and the early-warning scan (target: under 10 s over 1,000,000 cases when nothing is
new): each rule's first scan, which reads every case, again with nothing new (incremental), a
full scan for comparison, then with 1% of the cases changed (needs, referrals, follow-ups and
statuses), followed by a full scan that must find nothing more. Each figure is printed with the
load average, as the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'jisr-referrals-benchmark.sqlite3'}"
)
from rows import insert_rows, row_template  # noqa: E402  (the folder is on the path just above)

BATCH = 50_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")
    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    organisation, caseworker = _actors()
    _fill_services(args.services, rng)
    _fill_cases(args.cases, rng, organisation, caseworker)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    measure(args.repeat, rng)


def _actors() -> tuple[Any, Any]:
    from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
    from jisr.accounts.roles import Role, Scope

    organisation, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.MINISTRY,
        name_en="Benchmark ministry",
        defaults={"name_ar": "وزارة القياس"},
    )
    user = User.objects.filter(email="bench-referrals@example.org").first()
    if user is None:
        user = User.objects.create_user(
            email="bench-referrals@example.org",
            full_name="Bench",
            password=None,
            organisation=organisation,
        )
        RoleGrant.objects.create(user=user, role=Role.CASEWORKER, scope=Scope.ORGANISATION)
    return organisation, user


def _fill_services(target: int, rng: random.Random) -> None:
    from django.db import transaction

    from jisr.accounts.models import Organisation, OrganisationKind
    from jisr.catalogue.models import Service, ServiceCategory
    from jisr.places.models import Governorate

    have = Service.objects.count()
    if have >= target:
        return
    providers = list(Organisation.objects.filter(name_en__startswith="Benchmark provider"))
    if not providers:
        Organisation.objects.bulk_create(
            Organisation(
                kind=rng.choice([OrganisationKind.NGO, OrganisationKind.GOVERNMENT_OFFICE]),
                name_ar=f"جهة {i}",
                name_en=f"Benchmark provider {i}",
            )
            for i in range(300)
        )
        providers = list(Organisation.objects.filter(name_en__startswith="Benchmark provider"))
    categories = list(ServiceCategory.objects.exclude(parent=None).values_list("pk", flat=True))
    governorates = list(Governorate.objects.values_list("pk", flat=True))
    columns, values = row_template(
        Service, organisation_id=providers[0].pk, name_ar="خدمة", published=True
    )
    c = {name: i for i, name in enumerate(columns)}
    next_id = (Service.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    import uuid

    with transaction.atomic():
        rows, links, areas = [], [], []
        for pk in range(next_id, next_id + target - have):
            row = list(values)
            row[c["uuid"]] = uuid.UUID(int=rng.getrandbits(128)).hex
            row[c["organisation_id"]] = rng.choice(providers).pk
            row[c["remote"]] = rng.random() < 0.1
            row[c["minimum_age"]] = rng.choice([None, None, 15, 18])
            row[c["sex"]] = rng.choice(["", "", "", "F"])
            row[c["wait_days"]] = rng.choice([None, 7, 14, 30, 90])
            rows.append([pk, *row])
            for category in rng.sample(categories, rng.randint(1, 2)):
                links.append((pk, category))
            if rng.random() < 0.85:
                areas.append((pk, rng.choice(governorates)))
        insert_rows("catalogue_service", ["id", *columns], rows)
        insert_rows("catalogue_service_categories", ["service_id", "servicecategory_id"], links)
        insert_rows("catalogue_service_areas", ["service_id", "governorate_id"], areas)
    print(f"{target:,} services")


def _fill_cases(target: int, rng: random.Random, organisation: Any, caseworker: Any) -> None:
    from django.db import transaction
    from django.utils import timezone

    from jisr.cases.models import Case, FollowUp, Milestone, Need, Plan, Referral
    from jisr.catalogue.models import Service, ServiceCategory
    from jisr.places.models import Governorate
    from jisr.registry.models import Household, Person

    have = Case.objects.count()
    categories = list(ServiceCategory.objects.exclude(parent=None).values_list("pk", flat=True))
    governorates = list(Governorate.objects.values_list("pk", flat=True))
    services = list(Service.objects.values_list("pk", "organisation_id")[:5000])
    person_columns, person_values = row_template(
        Person, first_name="باحث", family_name="القياس", name_key="باحث القياس", sex="M",
        person_type="returnee", relationship="head", organisation_id=organisation.pk,
    )  # fmt: skip
    p = {name: i for i, name in enumerate(person_columns)}
    household_columns, household_values = row_template(Household)
    case_columns, case_values = row_template(
        Case, ["person_id"], organisation_id=organisation.pk, caseworker_id=caseworker.pk
    )
    need_columns, need_values = row_template(Need, ["case_id"], category_id=categories[0])
    n = {name: i for i, name in enumerate(need_columns)}
    today = timezone.localdate()
    referral_columns, referral_values = row_template(
        Referral, ["need_id"], from_organisation_id=organisation.pk, sent_by_id=caseworker.pk, due_on=today, service_id=services[0][0],
        to_organisation_id=services[0][1],
    )  # fmt: skip
    r = {name: i for i, name in enumerate(referral_columns)}
    plan_columns, plan_values = row_template(
        Plan, ["case_id"], created_by_id=caseworker.pk, return_date=today
    )
    follow_columns, follow_values = row_template(
        FollowUp, ["case_id", "milestone_id"], channel="phone", recorded_by_id=caseworker.pk
    )
    f = {name: i for i, name in enumerate(follow_columns)}
    start = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    need_id = (Need.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    plan_id = (Plan.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    milestone_id = (Milestone.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    began = time.perf_counter()
    while have < target:
        size = min(BATCH, target - have)
        ids = range(start, start + size)
        with transaction.atomic():
            insert_rows(
                "registry_household",
                ["id", *household_columns],
                ([pk, *household_values] for pk in ids),
            )
            persons = []
            for pk in ids:
                row = list(person_values)
                row[p["household_id"]] = pk
                row[p["birth_year"]] = rng.randint(1950, 2006)
                row[p["governorate_id"]] = rng.choice(governorates)
                persons.append([pk, *row])
            insert_rows("registry_person", ["id", *person_columns], persons)
            insert_rows(
                "cases_case",
                ["id", "person_id", *case_columns],
                ([pk, pk, *case_values] for pk in ids),
            )
            needs, referrals, plans, milestones, follow_ups = [], [], [], [], []
            for pk in ids:
                for _ in range(2):
                    row = list(need_values)
                    row[n["category_id"]] = rng.choice(categories)
                    row[n["status"]] = rng.choice(["identified", "referred", "in_progress", "met"])
                    needs.append([need_id, pk, *row])
                    if rng.random() < 0.5:
                        service, receiver = rng.choice(services)
                        referral = list(referral_values)
                        referral[r["service_id"]], referral[r["to_organisation_id"]] = (
                            service,
                            receiver,
                        )
                        referral[r["status"]] = rng.choice(
                            ["sent", "accepted", "declined", "completed", "in_progress"]
                        )
                        referral[r["due_on"]] = today - dt.timedelta(days=rng.randint(-7, 20))
                        referrals.append([need_id, *referral])
                    need_id += 1
                if rng.random() < 0.3:
                    plans.append([plan_id, pk, *plan_values])
                    previous = None
                    for months in (1, 6, 24, 60):
                        milestones.append(
                            [
                                milestone_id,
                                plan_id,
                                months,
                                today - dt.timedelta(days=30 * (24 - months)),
                            ]
                        )
                        if months <= 6 and rng.random() < 0.8:
                            overall = round(rng.random(), 3)
                            row = list(follow_values)
                            migrate = rng.choice(["no", "no", "yes"])
                            row[f["answers"]] = json.dumps({"intends_to_migrate": migrate})
                            fell: float | None = (
                                None if previous is None else max(0, previous - rng.random() / 3)
                            )
                            row[f["scores"]] = json.dumps(
                                {"overall": overall if fell is None else fell}
                            )
                            follow_ups.append([pk, milestone_id, *row])
                            previous = overall
                        milestone_id += 1
                    plan_id += 1
            insert_rows("cases_need", ["id", "case_id", *need_columns], needs)
            insert_rows("cases_referral", ["need_id", *referral_columns], referrals)
            insert_rows("cases_plan", ["id", "case_id", *plan_columns], plans)
            insert_rows("cases_milestone", ["id", "plan_id", "months", "due_on"], milestones)
            insert_rows("cases_followup", ["case_id", "milestone_id", *follow_columns], follow_ups)
        have += size
        start += size
        print(f"\r{have:,} cases ({time.perf_counter() - began:.0f} s)", end="", flush=True)
    print()


def measure(repeat: int, rng: random.Random) -> None:
    from jisr.cases import proposals
    from jisr.cases.models import Case
    from jisr.catalogue.models import Service, ServiceCategory
    from jisr.registry.models import Person

    categories = list(ServiceCategory.objects.exclude(parent=None))
    persons = list(Person.objects.order_by("?")[:repeat]) if Person.objects.count() < 10_000 else [
        Person.objects.get(pk=rng.randint(1, Person.objects.order_by("-pk").values_list("pk", flat=True)[0])) for _ in range(repeat)
    ]  # fmt: skip
    print(f"{Service.objects.count():,} services, {Case.objects.count():,} cases")
    times = []
    for person in persons:
        needs = rng.sample(categories, 10)
        started = time.perf_counter()
        offered = list(proposals.proposals_for_needs(person=person, categories=needs).values())
        times.append((time.perf_counter() - started) * 1000)
        assert any(offered)
    times.sort()
    print(
        f"proposals for a case with 10 needs: median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms"
    )
    scans(rng, changed=max(1, Case.objects.count() // 100))


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _timed_scan(label: str, **options: Any) -> dict[str, int]:
    from jisr.cases import warnings

    started = time.perf_counter()
    result = warnings.scan(**options)
    print(
        f"{label}: {time.perf_counter() - started:.2f} s ({result['raised']:,} raised, "
        f"{result['resolved']:,} resolved; {_load()})"
    )
    return result


def scans(rng: random.Random, changed: int) -> None:
    """The early-warning scan: each rule's first (whole), again with nothing new (incremental),
    a full one for comparison, then with 1% of the cases changed, checked by a full scan."""
    _timed_scan("early-warning scan over all cases, first (every rule scanned whole)")
    _timed_scan("again, nothing new (incremental)")
    _timed_scan("again, nothing new, full scan (--full)", full=True)
    _change_cases(rng, changed)
    _timed_scan(f"{changed:,} cases changed (incremental)")
    check = _timed_scan("a full scan after it (0 raised, 0 resolved: the same result)", full=True)
    assert check == {"raised": 0, "resolved": 0}, check


def _change_cases(rng: random.Random, count: int) -> None:
    """What a day of casework changes in `count` cases: needs whose status moves, referrals
    sent again (some already overdue) or answered, follow-ups recorded, a few cases closed."""
    from django.db import transaction
    from django.utils import timezone

    from jisr.cases.models import Case, CaseStatus, FollowUp, Need, Referral

    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    chosen = rng.sample(range(1, top + 1), min(count, top))
    today = timezone.localdate()
    caseworker = Case.objects.filter(pk=chosen[0]).values_list("caseworker_id", flat=True)[0]
    started = time.perf_counter()
    with transaction.atomic():
        for start in range(0, len(chosen), 2000):
            chunk = chosen[start : start + 2000]
            quarter = len(chunk) // 4
            needs, referrals, follow_ups, closing = (
                chunk[:quarter], chunk[quarter : 2 * quarter], chunk[2 * quarter : 3 * quarter],
                chunk[3 * quarter :],
            )  # fmt: skip
            for i, status in enumerate(("identified", "unmet", "met")):
                Need.objects.filter(
                    case_id__in=needs[i::3], status__in=["referred", "in_progress"]
                ).update(status=status)
            Referral.objects.filter(need__case_id__in=referrals[::2]).update(
                status="sent", due_on=today - dt.timedelta(days=3)
            )
            Referral.objects.filter(need__case_id__in=referrals[1::2]).update(status="accepted")
            FollowUp.objects.bulk_create(
                FollowUp(
                    case_id=case,
                    channel="phone",
                    recorded_by_id=caseworker,
                    answers={"intends_to_migrate": rng.choice(["yes", "no"])},
                    scores={"overall": round(rng.random(), 3)},
                )
                for case in follow_ups
            )
            Case.objects.filter(pk__in=closing[::4]).update(status=CaseStatus.CLOSED)
            Case.objects.filter(pk__in=closing[1::4]).update(status=CaseStatus.ACTIVE)
    print(f"changed {len(chosen):,} cases in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

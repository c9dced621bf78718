"""Registry speed on PostgreSQL with 1,000,000 persons: a filtered list page and a name search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jisr_bench .venv/bin/python benchmarks/registry.py

It migrates the database named in DATABASE_URL (create it first: createdb jisr_bench), fills it
to --persons (default 1,000,000; rows already there are kept), then times each query through the
real selectors and the real page, and prints the median and 95th percentile. Target: each median
under 200 ms on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database made for this benchmark.")
    call_command("migrate", verbosity=0)
    caseworker = fill(args.persons)
    measure(caseworker, args.repeat)


def fill(target: int) -> Any:
    from django.db import connection, transaction

    from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
    from jisr.accounts.roles import Role, Scope
    from jisr.core.demo_data import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES
    from jisr.lib.arabic import normalise_name
    from jisr.places.models import Governorate
    from jisr.registry.models import Household, Person

    governorates = list(Governorate.objects.all())
    baghdad = next(g for g in governorates if g.code == "IQ-BG")
    branch, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.GOVERNMENT_OFFICE, name_en="Benchmark branch",
        defaults={"name_ar": "فرع القياس", "governorate": baghdad},
    )  # fmt: skip
    caseworker = User.objects.filter(email="bench@example.org").first()
    if caseworker is None:
        caseworker = User.objects.create_user(
            email="bench@example.org", full_name="Bench", password=None, organisation=branch
        )
        RoleGrant.objects.create(user=caseworker, role=Role.CASEWORKER, scope=Scope.GOVERNORATE)
    rng = random.Random(1)
    have = Person.objects.count()
    started = time.perf_counter()
    batch = 10_000
    while have < target:
        size = min(batch, target - have)
        with transaction.atomic():
            households = Household.objects.bulk_create([Household() for _ in range(size)])
            persons = []
            for household in households:
                first = rng.choice(MALE_NAMES + FEMALE_NAMES)
                father, grandfather = rng.choice(MALE_NAMES), rng.choice(MALE_NAMES)
                family = rng.choice(FAMILY_NAMES)
                full = f"{first} {father} {grandfather} {family}"
                persons.append(Person(
                    first_name=first, father_name=father, grandfather_name=grandfather,
                    family_name=family, name_key=normalise_name(full), sex=rng.choice("FM"),
                    birth_year=rng.randint(1940, 2020), person_type=rng.choice(["returnee", "idp_returnee", "idp"]),
                    governorate=rng.choice(governorates), household=household, relationship="head",
                    organisation=branch, phone=f"+96477{rng.randint(10_000_000, 99_999_999)}",
                ))  # fmt: skip
            Person.objects.bulk_create(persons)
        have += size
        print(f"\r{have:,} persons ({time.perf_counter() - started:.0f} s)", end="", flush=True)
    print()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person")
    return caseworker


def timed(label: str, run: Callable[[], object], repeat: int) -> None:
    run()  # warm the cache once
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{label:<55} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


def measure(caseworker: Any, repeat: int) -> None:
    from django.test import Client

    from jisr.lib.pagination import CappedPaginator
    from jisr.places.models import Governorate
    from jisr.registry.models import Person
    from jisr.registry.selectors import person_list

    total = Person.objects.count()
    baghdad = Governorate.objects.get(code="IQ-BG")
    print(f"{total:,} persons; caseworker scope: governorate of Baghdad")

    def first_page(**filters: Any) -> Callable[[], None]:
        def run() -> None:
            persons = person_list(fetched_by=caseworker, **filters)
            page = CappedPaginator(persons, 50).get_page(1)
            assert page.paginator.count > 0
            list(page)

        return run

    timed(
        "filtered list (governorate + situation), page 1",
        first_page(governorate=baghdad.pk, person_type="returnee"),
        repeat,
    )
    timed(
        "name search 'حسين الجبوري' (spelling-normalised)",
        first_page(search="حسين الجبوري"),
        repeat,
    )
    timed("name search 'عبد الله' (compound)", first_page(search="عبد الله"), repeat)
    phone = Person.objects.filter(governorate=baghdad).values_list("phone", flat=True).first() or ""
    timed(
        "phone search, written the local way (0770...)", first_page(search="0" + phone[4:]), repeat
    )

    client = Client()
    client.force_login(caseworker)

    def whole_page() -> None:
        response = client.get("/registry/persons/", {"governorate": str(baghdad.pk), "q": "حسين"})
        assert response.status_code == 200, response.status_code

    timed("whole page GET /registry/persons/?governorate=...&q=حسين", whole_page, repeat)


if __name__ == "__main__":
    main()

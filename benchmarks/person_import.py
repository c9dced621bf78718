"""Speed of the person import (a caseworker's spreadsheet) through the real services.

    createdb -h 127.0.0.1 -U postgres jisr_bench_imports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jisr_bench_imports \\
        .venv/bin/python benchmarks/person_import.py [--rows 2000] [--profile]

Migrates the database named in DATABASE_URL (or its own SQLite file), loads the occupation
taxonomy when it is empty (the import codes each row's job title), then uploads a CSV of
`--rows` persons (Arabic names, a phone, a governorate, consents, a source id and a job title)
with `person_import_upload` and imports it with `person_import_run`, its worker's task run inline
once the start commits (`JISR_TASKS=immediate`, as in development). Prints the rows a second,
of wall time and of this process's CPU time (the machine's other work moves the first, much
less the second; a PostgreSQL server's own CPU is not in it); with `--profile`, the
functions the time went to (cProfile, by own time and by cumulative time) and the queries.
Each run imports new rows (its source ids are unique to the run).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault("JISR_TASKS", "immediate")
os.environ.setdefault(
    "DATABASE_URL",
    f"sqlite:///{Path(tempfile.gettempdir()) / 'jisr-person-import-benchmark.sqlite3'}",
)

HEADERS = ["الرقم", "الاسم", "اسم الأب", "اللقب", "الجنس", "سنة الميلاد", "الهاتف", "الحالة",
           "المحافظة", "موافقة التسجيل", "موافقة الإحالة", "موافقة المطابقة", "المهنة"]  # fmt: skip
JOBS = ["مهندس مدني", "سائق", "ممرضة", "محاسب", "طباخ", "معلم", "civil engineer", "electrician",
        "نجار", "ئەندازیار", ""]  # fmt: skip
GOVERNORATES = ["بغداد", "البصرة", "نينوى", "أربيل", "IQ-AN", "IQ-NA"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from jisr.skills.models import Occupation

    call_command("migrate", verbosity=0)
    if not Occupation.objects.exists():
        started = time.perf_counter()
        call_command("load_taxonomy", verbosity=0)
        print(f"taxonomy loaded in {time.perf_counter() - started:.0f} s")
    caseworker = _caseworker()
    content = _sheet(args.rows)
    measure(caseworker, content, args.rows, profile=args.profile)


def _caseworker() -> Any:
    from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
    from jisr.accounts.roles import Role, Scope
    from jisr.places.models import Governorate

    baghdad = Governorate.objects.get(code="IQ-BG")
    branch, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.GOVERNMENT_OFFICE, name_en="Import benchmark branch",
        defaults={"name_ar": "فرع قياس الاستيراد", "governorate": baghdad},
    )  # fmt: skip
    user = User.objects.filter(email="import-bench@example.org").first()
    if user is None:
        user = User.objects.create_user(
            email="import-bench@example.org", full_name="Bench", password=None, organisation=branch
        )
        RoleGrant.objects.create(user=user, role=Role.CASEWORKER, scope=Scope.ALL)
    return user


def _sheet(rows: int) -> bytes:
    from jisr.core.demo_data import FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES

    rng = random.Random(rows)
    stamp = time.strftime("%Y%m%d%H%M%S")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for number in range(rows):
        female = rng.random() < 0.5
        writer.writerow(
            [
                f"{stamp}-{number}",
                rng.choice(FEMALE_NAMES if female else MALE_NAMES),
                rng.choice(MALE_NAMES),
                rng.choice(FAMILY_NAMES),
                "أنثى" if female else "ذكر",
                str(rng.randint(1950, 2005)),
                f"0770{rng.randint(1_000_000, 9_999_999)}" if rng.random() < 0.8 else "",
                rng.choice(["عائد من الخارج", "returnee", "idp"]),
                rng.choice(GOVERNORATES),
                "نعم",
                rng.choice(["نعم", "لا"]),
                rng.choice(["نعم", "لا"]),
                rng.choice(JOBS),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def measure(caseworker: Any, content: bytes, rows: int, *, profile: bool) -> None:
    from django.db import connection, reset_queries

    from jisr.registry.imports.running import person_import_run
    from jisr.registry.imports.spreadsheet import person_import_check, person_import_upload

    person_import = person_import_upload(by=caseworker, content=content, filename="bench.csv")
    mapping = dict(person_import.mapping)
    mapping.update(
        {"consent_registration": "موافقة التسجيل", "consent_referral": "موافقة الإحالة",
         "consent_employer_matching": "موافقة المطابقة", "person_type": "الحالة",
         "occupation": "المهنة"}
    )  # fmt: skip
    started = time.perf_counter()
    ready, errors = person_import_check(
        by=caseworker, person_import=person_import, mapping=mapping, paper_consent=False
    )
    checked = time.perf_counter() - started
    assert not errors, errors[:5]
    assert len(ready) == rows
    profiler = cProfile.Profile() if profile else None
    connection.force_debug_cursor = profile
    reset_queries()
    started, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    person_import_run(
        by=caseworker, person_import=person_import, mapping=mapping, paper_consent=False
    )
    if profiler is not None:
        profiler.disable()
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    person_import.refresh_from_db()
    assert person_import.status == "imported", person_import.error
    print(f"database: {connection.vendor}; rows: {rows}; imported: {person_import.imported}")
    print(f"check (dry run): {checked:.2f} s, {rows / checked:,.0f} rows/s")
    print(
        f"import: {took:.2f} s, {rows / took:,.1f} rows/s; CPU {cpu:.2f} s, {rows / cpu:,.1f} rows/s"
    )
    if profiler is not None:
        queries = connection.queries
        print(f"queries: {len(queries)} ({sum(float(q['time']) for q in queries):.2f} s)")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()

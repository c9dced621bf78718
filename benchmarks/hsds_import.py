"""Speed of an HSDS import (another directory's catalogue, as a ZIP) through the real worker task.

    .venv/bin/python benchmarks/hsds_import.py [--services 2000] [--locations 50]
    createdb -h 127.0.0.1 -U postgres jisr_bench_hsds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jisr_bench_hsds \\
        .venv/bin/python benchmarks/hsds_import.py --services 20000

Migrates the database named in DATABASE_URL (or a new SQLite file of its own), makes a catalogue
administrator, then writes a ZIP of one organisation with `--locations` places and `--services`
services (three languages, a category, two areas, one or two places each, with the directory's
own ids for them; a file of services a thousand), uploads it with `hsds_import_upload` (the task queued in the database, `JISR_TASKS=database`) and runs the worker's task
(`hsds_import_execute`) in this process: the documents read and checked, then written in one
transaction. Then uploads and runs the same ZIP again, which must add nothing. Prints the time
and services a second of each, and the process's CPU time and peak memory.
Target (issue 14): thousands of services a second.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault("JISR_TASKS", "database")  # queued in the database; run below

GOVERNORATES = ["IQ-BG", "IQ-BA", "IQ-NI", "IQ-AR", "IQ-AN", "IQ-NA", "IQ-SD", "IQ-DI"]
CITIES = ["Baghdad", "Basra", "Nineveh", "Erbil", "Anbar", "Najaf", "Salah ad Din", "Diyala"]


def _id(kind: int, number: int) -> str:
    return str(uuid.UUID(int=kind * 10**9 + number))


def _text(kind: str, english: str, arabic: str, kurdish: str) -> list[dict[str, Any]]:
    return [
        {"id": str(uuid.uuid4()), "link_type": kind, "link_id": "", "link_entity": "service",
         "label": label, "value": value}
        for label, value in (("ar", arabic), ("ckb", kurdish))
    ] if english else []  # fmt: skip


def archive(services: int, locations: int) -> bytes:
    """One organisation's ZIP: its places, then its services at one or two of them."""
    from jisr.catalogue.hsds.taxonomies import CATEGORIES, attribute
    from jisr.catalogue.models import ServiceCategory

    organisation = _id(1, 1)
    categories = list(ServiceCategory.objects.values_list("code", flat=True))
    places = [
        {
            "id": _id(2, n),
            "name": f"Office {n}",
            "location_type": "physical",
            "addresses": [
                {
                    "id": _id(3, n),
                    "address_1": f"Street {n}",
                    "city": CITIES[n % len(CITIES)],
                    "state_province": GOVERNORATES[n % len(GOVERNORATES)],
                    "postal_code": "",
                    "country": "IQ",
                    "address_type": "physical",
                }
            ],
        }
        for n in range(locations)
    ]
    documents = []
    for n in range(services):
        own = _id(4, n)
        at = [places[n % locations], places[(n * 7 + 3) % locations]][: 1 + n % 2]
        documents.append(
            {
                "id": own,
                "organization_id": organisation,
                "name": f"Legal aid {n}",
                "description": f"Lawyers for returnees, office {n}.",
                "status": "active",
                "minimum_age": 16 + n % 3,
                "service_areas": [
                    {"id": _id(5, n * 2 + k), "service_id": own, "name": "", "description": code}
                    for k, code in enumerate({GOVERNORATES[n % 8], GOVERNORATES[(n + 3) % 8]})
                ],
                "service_at_locations": [
                    {
                        "id": _id(6, n * 2 + k),
                        "service_id": own,
                        "location_id": place["id"],
                        "location": place,
                    }
                    for k, place in enumerate(at)
                ],
                "attributes": [
                    attribute(own, "service", CATEGORIES, categories[n % len(categories)])
                ],
            }
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as written:
        written.writestr(
            "hsds/organizations.json",
            json.dumps({"id": organisation, "name": "Iraqi Legal Aid", "description": "An NGO"}),
        )
        for first in range(0, len(documents), 1000):  # a file may hold 20 MB at the most
            written.writestr(
                f"hsds/services-{first // 1000 + 1:03}.json",
                json.dumps({"contents": documents[first : first + 1000]}),
            )
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--locations", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jisr-hsds-benchmark-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'jisr.sqlite3'}")
    os.environ.setdefault("JISR_VAR_DIR", str(folder))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from jisr.accounts.models import Organisation, OrganisationKind
    from jisr.accounts.roles import Role, Scope
    from jisr.catalogue.hsds.running import hsds_import_execute, hsds_import_upload
    from jisr.catalogue.models import Service
    from jisr.conftest import make_user

    call_command("migrate", verbosity=0)
    platform = Organisation.objects.create(kind=OrganisationKind.PLATFORM, name_ar="منصة جسر")
    reviewer = make_user(
        f"catalogue-{uuid.uuid4().hex[:8]}@example.org", platform, {Role.ADMINISTRATOR: Scope.ALL}
    )
    content = archive(args.services, args.locations)
    print(
        f"{args.services:,} services at {args.locations} places, ZIP {len(content) / 1e6:.1f} MB,"
        f" {os.environ['DATABASE_URL'].split(':')[0]}"
    )
    before = Service.objects.count()
    for attempt in ("first import", "the same ZIP again"):
        with transaction.atomic():
            queued = hsds_import_upload(by=reviewer, content=content, filename="catalogue.zip")
        started, cpu = time.perf_counter(), time.process_time()
        done = hsds_import_execute(import_id=queued.pk)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if done is None or done.status != "imported":
            raise SystemExit(f"the import did not finish: {done and (done.status, done.problems)}")
        print(
            f"{attempt}: {wall:.1f} s, {args.services / wall:,.0f} services/s, CPU {cpu:.1f} s,"
            f" {done.services:,} new services"
        )
    assert Service.objects.count() == before + args.services
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

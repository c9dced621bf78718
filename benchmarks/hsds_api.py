"""The public HSDS API on a large catalogue: what one page costs.

    .venv/bin/python benchmarks/hsds_api.py [--services 3000] [--repeat 20]

Uses its own SQLite database (or DATABASE_URL), migrates it and fills it once (rows already there
are kept): published services of many organisations, each with categories, areas and a location.
Then it times, through the real URLs (Django's test client, the whole middleware), pages of
/api/hsds/ (median of `--repeat` requests) and, for comparison, building the document of every
published service, which is what `?per_page=1` cost before the API paged in the database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'jisr-hsds-benchmark.sqlite3'}"
)
os.environ.setdefault("JISR_API_ANONYMOUS_RATE_PER_MINUTE", "1000000")  # one client, many calls

PAGES = [
    "/api/hsds/services?per_page=1",
    "/api/hsds/services?per_page=50&page=20",
    "/api/hsds/services?per_page=50&full=true",
    "/api/hsds/services?per_page=50&search=aid",
    "/api/hsds/organizations?per_page=50&full=true",
    "/api/hsds/service_at_locations?per_page=50",
    "/api/hsds/taxonomy_terms?per_page=200",
]


def _fill(target: int) -> None:
    from django.db import transaction

    from jisr.accounts.models import Organisation, OrganisationKind
    from jisr.catalogue.models import Location, Service, ServiceAtLocation, ServiceCategory
    from jisr.places.models import Governorate

    have = Service.objects.filter(published=True).count()
    if have >= target:
        return
    governorates = list(Governorate.objects.all())
    categories = list(ServiceCategory.objects.exclude(parent=None))
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(kind=OrganisationKind.NGO, name_ar=f"جهة {n}", name_en=f"Provider {n}")
            for n in range(have, target, 10)
        )
        places = Location.objects.bulk_create(
            Location(organisation=o, name_ar="مكتب", governorate=governorates[n % 18])
            for n, o in enumerate(organisations)
        )
        made = Service.objects.bulk_create(
            Service(
                organisation=organisations[(n - have) // 10],
                name_ar=f"خدمة {n}",
                name_en=f"Legal aid {n}" if n % 3 else f"Training {n}",
                description_en="Lawyers and courses for returnees.",
                languages=["ar", "ckb"],
                minimum_age=n % 40,
                phone="+9647701234567",
                published=True,
            )
            for n in range(have, target)
        )
        Service.categories.through.objects.bulk_create(
            Service.categories.through(
                service=s, servicecategory=categories[(n + k) % len(categories)]
            )
            for n, s in enumerate(made)
            for k in (0, 7)
        )
        Service.areas.through.objects.bulk_create(
            Service.areas.through(service=s, governorate=governorates[n % 18])
            for n, s in enumerate(made)
        )
        ServiceAtLocation.objects.bulk_create(
            ServiceAtLocation(service=s, location=places[n // 10]) for n, s in enumerate(made)
        )


def _median_ms(client: object, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from jisr.catalogue.hsds import export

    call_command("migrate", verbosity=0)
    _fill(args.services)
    client = Client(HTTP_HOST="localhost")
    total = client.get("/api/hsds/services?per_page=1").json()["total_items"]
    print(f"HSDS API, {total} published services ({connection.vendor}):")
    for url in PAGES:
        print(f"  {url:48} median {_median_ms(client, url, args.repeat):8.1f} ms")
    start = time.perf_counter()
    every = [export.service_document(s) for s in export.published_services()]
    elapsed = time.perf_counter() - start
    print(f"  every service's document built (the old per_page=1) {elapsed * 1000:8.0f} ms")
    assert len(every) == total


if __name__ == "__main__":
    main()

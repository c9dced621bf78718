"""Jisr under load on gunicorn and PostgreSQL, with the figures printed.

    createdb jisr_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jisr_load \
        .venv/bin/python benchmarks/load/run.py [--persons 1000000] [--users 50] [--minutes 10]

It migrates the database, builds the demo in it once (the accounts the scenario signs in with),
fills it to --persons persons with as many cases (names, governorates, needs, referrals, plans
and follow-ups; rows already there are kept), then starts gunicorn on 127.0.0.1 only and runs
`benchmarks/load/locustfile.py` with --users users for --minutes. It prints, per kind of request,
the count, the throughput, the median and 95th percentile and the failures; the web workers'
memory at the start, the middle and the end; and whether the targets hold (p95 under 300 ms for
every request, no failure, memory flat). `--minutes 10` is the soak.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
BIN = Path(sys.executable).parent
FIRST_NAMES = ["محمد", "علي", "حسين", "أحمد", "فاطمة", "زينب", "نور", "مريم", "عمر", "كاظم",
               "سارة", "حسن", "يوسف", "رشا", "ئاراس", "هێمن", "شيماء", "مصطفى", "ليلى", "عباس"]  # fmt: skip
FAMILY_NAMES = ["الجبوري", "الساعدي", "العبيدي", "الدليمي", "التميمي", "الموسوي", "البياتي",
                "الكعبي", "الزبيدي", "الربيعي", "شواني", "بارزاني", "الطائي", "الخفاجي"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--fill-only", action="store_true", help="prepare the database and stop")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database made for this benchmark.")
    prepare(args.persons)
    if args.fill_only:
        return
    connection.close()
    report = tempfile.mkdtemp(prefix="jisr-load-")
    server = start_gunicorn(args.workers, args.port)
    memory: list[tuple[float, dict[int, int]]] = []
    stop = threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(server, memory, stop), daemon=True)
    sampler.start()
    try:
        began = time.perf_counter()
        with Path(report, "locust.log").open("w") as log:
            subprocess.run(  # noqa: S603 - our own tools
                [
                    str(BIN / "locust"),
                    "-f",
                    str(Path(__file__).with_name("locustfile.py")),
                    "--host",
                    f"http://127.0.0.1:{args.port}",
                    "--headless",
                    "--only-summary",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(max(1, args.users // 10)),
                    "--run-time",
                    f"{int(args.minutes * 60)}s",
                    "--csv",
                    f"{report}/load",
                ],
                check=False,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        took = time.perf_counter() - began
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workers stuck in a request
            server.kill()
            server.wait()
    print(f"locust's own report: {report}/")
    print_figures(Path(f"{report}/load_stats.csv"), memory, args, took)


def prepare(persons: int) -> None:
    """Migrate, build the demo once, and fill to `persons` persons with a case each."""
    from django.core.management import call_command
    from django.db import connection

    from jisr.accounts.models import User
    from jisr.core.demo import DEMO_DOMAIN

    call_command("migrate", verbosity=0)
    if not User.objects.filter(email=f"caseworker@{DEMO_DOMAIN}").exists():
        print("Building the demo (the accounts the scenario signs in with)...")
        call_command("demo", verbosity=0)
    caseworker = User.objects.get(email=f"caseworker@{DEMO_DOMAIN}")
    import referrals  # benchmarks/referrals.py: fills persons with cases, needs and referrals

    from jisr.registry.models import Person

    before = Person.objects.count()
    organisation = caseworker.organisation
    assert organisation is not None
    referrals._fill_cases(persons, random.Random(2026), organisation, caseworker)
    if Person.objects.count() > before:
        _vary_names(organisation.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _vary_names(organisation_id: int) -> None:
    """The filled persons share one name; give them names people search for, as the registry
    would have normalised them."""
    from django.db import connection

    from jisr.lib.arabic import normalise_name

    firsts, families = FIRST_NAMES, FAMILY_NAMES
    keys = [[normalise_name(f"{first} {family}") for family in families] for first in firsts]
    print("Giving the filled persons varied names...")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET first_name = (%s::text[])[1 + id %% %s], "
            "family_name = (%s::text[])[1 + (id / %s) %% %s], "
            "name_key = (%s::text[])[1 + (id %% %s) * %s + (id / %s) %% %s] "
            "WHERE organisation_id = %s AND first_name = 'باحث'",
            [
                firsts, len(firsts), families, len(firsts), len(families),
                [key for row in keys for key in row], len(firsts), len(families), len(firsts),
                len(families), organisation_id,
            ],
        )  # fmt: skip


def start_gunicorn(workers: int, port: int) -> subprocess.Popen[bytes]:
    # Each worker keeps its database connection between requests, as production does
    # (.env.example): opening one per request costs PostgreSQL a new backend with cold caches,
    # about 7 ms of CPU a request (issue 14, `benchmarks/load/cost.py --fresh-connections`).
    environment = {"DATABASE_CONN_MAX_AGE": "60", **os.environ, "DEBUG": "0"}
    server = subprocess.Popen(  # noqa: S603 - our own tools
        [
            str(BIN / "gunicorn"),
            "jisr.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=environment,
    )
    # Traffic starts once the site answers, as a proxy's health check would let it: gunicorn
    # listens at once, while its workers load Jisr (a second or two each, `jisr/core/warmup.py`).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/sign-in/", timeout=30):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer within a minute.")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample_memory(
    server: subprocess.Popen[bytes], samples: list[tuple[float, dict[int, int]]], stop: Any
) -> None:
    began = time.monotonic()
    while not stop.wait(5):
        samples.append(
            (time.monotonic() - began, {pid: _rss_kb(pid) for pid in _children(server.pid)})
        )


def print_figures(
    stats: Path, memory: list[tuple[float, dict[int, int]]], args: Any, took: float
) -> None:
    with stats.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(
        f"\n{args.users} users for {took / 60:.1f} min against gunicorn ({args.workers} workers) "
        f"and PostgreSQL with {args.persons:,} persons and cases, on 127.0.0.1:"
    )
    print(f"{'request':<28}{'count':>8}{'per s':>8}{'p50 ms':>8}{'p95 ms':>8}{'failed':>8}")
    slow, failed = [], 0
    for row in rows:
        name = row["Name"]
        p95 = float(row["95%"] or 0)
        line = (
            f"{name[:27]:<28}{int(row['Request Count']):>8}"
            f"{float(row['Requests/s']):>8.1f}{float(row['50%'] or 0):>8.0f}{p95:>8.0f}"
            f"{int(row['Failure Count']):>8}"
        )
        print(line)
        if name != "Aggregated":
            failed += int(row["Failure Count"])
            if p95 >= 300:
                slow.append(name)
    if memory:
        first, middle, last = memory[0][1], memory[len(memory) // 2][1], memory[-1][1]
        print(
            "web workers' memory (MB, each): start "
            + " ".join(f"{kb / 1024:.0f}" for kb in first.values())
            + "; middle "
            + " ".join(f"{kb / 1024:.0f}" for kb in middle.values())
            + "; end "
            + " ".join(f"{kb / 1024:.0f}" for kb in last.values())
        )
    print(
        "targets: p95 under 300 ms "
        + ("held" if not slow else f"missed by {', '.join(slow)}")
        + f"; failures {failed}"
    )


if __name__ == "__main__":
    main()

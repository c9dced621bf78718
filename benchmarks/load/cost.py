"""What each request of the load scenario costs in CPU, alone: Python's share and PostgreSQL's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jisr_load \
        .venv/bin/python benchmarks/load/cost.py [--repeat 50] [--only "case list"] [--profile NAME]

Run it on a database `benchmarks/load/run.py --fill-only` prepared (the demo's accounts and the
filled persons and cases). It signs each persona of `locustfile.py` in with Django's test client
and sends each kind of request of the scenario `--repeat` times, one at a time, in this one
process, keeping one database connection (as gunicorn does with `DATABASE_CONN_MAX_AGE`). For
each it prints the median and 95th percentile of:

- Python: this process's CPU time (the middleware, the view, the templates, the database
  driver; the test client's own share is small);
- SQL: the CPU time of the PostgreSQL backend serving this process (its `/proc/<pid>/schedstat`,
  so PostgreSQL must run on this machine);
- the number of queries (counted once more, untimed, after the timed runs).

`--fresh-connections` opens a new database connection for each request, as gunicorn does when
`DATABASE_CONN_MAX_AGE` is 0: the SQL column then includes the new backend's start.

`--profile NAME` prints the functions NAME's requests spend their time in (cProfile). The figures
are CPU time, not wall time: a shared machine slows them less than it slows wall time, but still
compare before and after in the same conditions, and note the load average printed at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")

PASSWORD = os.environ.get("JISR_LOAD_PASSWORD", "Jisr-demo-2026")
DOMAIN = os.environ.get("JISR_LOAD_DOMAIN", "demo.jisr.iq")
SEARCHES = ["محمد", "علي", "حسين", "فاطمة", "الجبوري", "أحمد", "زينب", "كاظم", "0770", "نور"]


def backend_cpu_ns(pid: int) -> int:
    """The CPU time the PostgreSQL backend `pid` has used, in nanoseconds."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def signed_in(account: str | None) -> Any:
    from django.test import Client

    client = Client()
    if account:
        answer = client.post(
            "/accounts/sign-in/",
            {"username": f"{account}@{DOMAIN}", "password": PASSWORD},
        )
        assert answer.status_code == 302, f"{account} could not sign in"
    return client


def first_links(client: Any, url: str, pattern: str) -> list[str]:
    page = client.get(url)
    return sorted(set(re.findall(pattern, page.content.decode())))


def scenario() -> list[tuple[str, Callable[[], Any]]]:
    """Each kind of request of locustfile.py, as (name, a callable sending one)."""
    caseworker = signed_in("caseworker")
    person = signed_in("person")
    provider = signed_in("provider")
    employer = signed_in("employer")
    public = signed_in(None)
    terms = itertools.cycle(SEARCHES)
    cases = itertools.cycle(first_links(caseworker, "/cases/", r'href="(/cases/\d+/)"'))
    services = itertools.cycle(
        first_links(public, "/services/", r'href="(/services/[0-9a-f-]{36}/)"')
    )
    referrals = itertools.cycle(
        first_links(provider, "/cases/referrals/", r'href="(/cases/referrals/\d+/)"')
        or ["/cases/referrals/"]
    )
    opportunities = itertools.cycle(
        first_links(employer, "/matching/opportunities/", r'href="(/matching/opportunities/\d+/)"')
        or ["/matching/opportunities/"]
    )
    pages = itertools.count(1)
    stranger = signed_in(None)

    def sign_in_page() -> Any:
        stranger.cookies.clear()  # a browser that has not been here
        return stranger.get("/accounts/sign-in/")

    searched: list[str] = []

    def search_post() -> Any:
        answer = caseworker.post("/registry/persons/", {"q": next(terms)})
        assert answer.status_code == 302, answer.status_code
        searched.append(answer["Location"])
        return answer

    def search_results() -> Any:
        return caseworker.get(searched.pop(0) if searched else "/registry/persons/?search=x")

    return [
        ("person search (POST)", search_post),
        ("person search (results)", search_results),
        ("person search (page)", lambda: caseworker.get("/registry/persons/")),
        ("directory", lambda: public.get("/services/")),
        ("service page", lambda: public.get(next(services))),
        ("case list", lambda: caseworker.get("/cases/")),
        ("own record", lambda: person.get("/registry/my-record/")),
        ("case page", lambda: caseworker.get(next(cases))),
        (
            "HSDS services (API)",
            lambda: public.get(
                "/api/hsds/services", {"page": 1 + next(pages) % 20, "per_page": 25}
            ),
        ),
        ("opportunities", lambda: employer.get("/matching/opportunities/")),
        ("opportunity", lambda: employer.get(next(opportunities))),
        ("own plan", lambda: person.get("/cases/my-plan/")),
        ("self-registration page", lambda: person.get("/registry/register/")),
        ("referral inbox", lambda: provider.get("/cases/referrals/")),
        ("referral", lambda: provider.get(next(referrals))),
        ("sign-in page", sign_in_page),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--only", action="append", help="a request's name (may repeat)")
    parser.add_argument("--profile", help="a request's name: print where its time goes")
    parser.add_argument(
        "--fresh-connections",
        action="store_true",
        help="open a database connection for each request (DATABASE_CONN_MAX_AGE=0)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL database run.py --fill-only prepared.")
    requests = [(n, send) for n, send in scenario() if not args.only or n in args.only]
    if args.profile:
        send = dict(requests)[args.profile]
        send()
        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the database
        profiler.enable()
        for _ in range(args.repeat):
            send()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"/jisr/", 40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    print(
        f"{'request':<26}{'status':>7}{'queries':>8}{'py p50':>8}{'py p95':>8}"
        f"{'sql p50':>8}{'sql p95':>8}{'all p50':>8}{'all p95':>8}  (CPU ms)"
    )
    for name, send in requests:
        send()  # warm: templates compiled, the connection open
        python, sql, both = [], [], []
        status = 0
        for _ in range(args.repeat):
            if args.fresh_connections:
                connection.close()
                db0 = 0
            else:
                connection.ensure_connection()
                pid = connection.connection.info.backend_pid
                db0 = backend_cpu_ns(pid)
            py0 = time.process_time_ns()
            answer = send()
            py1 = time.process_time_ns()
            db1 = backend_cpu_ns(connection.connection.info.backend_pid)
            status = answer.status_code
            python.append((py1 - py0) / 1e6)
            sql.append((db1 - db0) / 1e6)
            both.append(python[-1] + sql[-1])
        with CaptureQueriesContext(connection) as queries:
            send()
        print(
            f"{name[:25]:<26}{status:>7}{len(queries):>8}"
            f"{statistics.median(python):>8.1f}{percentile(python, 0.95):>8.1f}"
            f"{statistics.median(sql):>8.1f}{percentile(sql, 0.95):>8.1f}"
            f"{statistics.median(both):>8.1f}{percentile(both, 0.95):>8.1f}"
        )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""How long signing in takes, through the real sign-in page, with the production hashers.

    .venv/bin/python benchmarks/signin.py [--repeat 20] [--profile]

Uses its own SQLite database (or DATABASE_URL), migrates it, makes one staff account with a
password hashed by the configured hasher (Argon2id), then signs in through Django's test client
(the sign-in form, django-axes, the audit entry, the session) and prints the median and the 95th
percentile of a successful sign-in, of a wrong password and of an unknown account (which must
cost the same, so that timing does not tell which accounts exist), and the time of one password
hash alone. `--profile` prints where one sign-in spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'jisr-signin-benchmark.sqlite3'}"
)
EMAIL = "bench-signin@example.org"
PASSWORD = "correct horse battery staple"  # noqa: S105  (a benchmark's own account)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password
    from django.core.management import call_command
    from django.test import Client

    from jisr.accounts.models import User

    call_command("migrate", verbosity=0)
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=EMAIL, full_name="Bench", password=PASSWORD)
    user.set_password(PASSWORD)  # hashed with today's parameters
    user.save(update_fields=["password"])
    hasher = get_hasher()
    print(f"hasher: {hasher.algorithm} {hasher.safe_summary(user.password)}")

    def hash_once() -> None:
        make_password(PASSWORD)

    def hash_as_django() -> None:
        # Django's own Argon2 parameters (100 MiB, 2 passes, 8 lanes), Jisr's before decision 0028.
        Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())

    client = Client(HTTP_HOST="127.0.0.1")  # one handler, as in a web worker

    def sign_in(username: str, password: str, expected: int) -> Callable[[], None]:
        def run() -> None:
            client.cookies.clear()  # a new visitor
            response = client.post(
                "/accounts/sign-in/", {"username": username, "password": password}
            )
            assert response.status_code == expected, response.status_code

        return run

    good = sign_in(EMAIL, PASSWORD, 302)
    good()  # warm up: templates, translations, the first connection
    timed("one hash, Django's parameters", hash_as_django, args.repeat)
    timed("one password hash", hash_once, args.repeat)
    timed("sign-in, right password", good, args.repeat)
    # Fewer wrong tries than the lock-out limit, then a right one that resets the count.
    wrong = sign_in(EMAIL, "wrong password", 200)
    timed("sign-in, wrong password", wrong, 3, after=good)
    unknown = iter(range(10**9))
    timed(
        "sign-in, unknown account",
        lambda: sign_in(f"nobody-{time.time_ns()}-{next(unknown)}@example.org", PASSWORD, 200)(),
        args.repeat,
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(good)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def timed(
    label: str, run: Callable[[], None], repeat: int, after: Callable[[], None] | None = None
) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    if after is not None:
        after()
    times.sort()
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    print(
        f"{label:<30} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   ({repeat} runs)"
    )


if __name__ == "__main__":
    main()

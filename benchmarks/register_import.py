"""Importing a national register with `jisr import-register`: its speed and its memory.

    .venv/bin/python benchmarks/register_import.py [--rows 1000000] [--seed 2026]
    createdb -h 127.0.0.1 -U postgres jisr_bench_registers
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jisr_bench_registers \\
        .venv/bin/python benchmarks/register_import.py --rows 5000000

Writes a register of `--rows` records with `jisr synth-registers`' generator (families of
people with Arabic names, birth dates, governorates and phones), a block of people at a time so
that the file, not this process, holds them; migrates the database named in DATABASE_URL (by
default a new SQLite file of its own), makes an analyst and a register, then runs the command as
the project's operator would, in a process of its own, and prints its records a second (the
checksum, the check and the writing together), its CPU time and its peak memory (`getrusage`
in its own process). Then runs it again on the same file, which must add nothing.
Target: thousands of records a second, and memory that does not grow with the register.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
JISR = str(Path(sys.executable).with_name("jisr"))
BLOCK = 100_000

SETUP = """
from jisr.accounts.models import Organisation, OrganisationKind
from jisr.accounts.roles import Role, Scope
from jisr.conftest import make_user
from jisr.linkage import services

labour = Organisation.objects.create(kind=OrganisationKind.MINISTRY, name_ar="وزارة العمل")
analyst = make_user("%(email)s", labour, {Role.ANALYST: Scope.ORGANISATION})
services.register_create(by=analyst, name="%(name)s", kind="unemployed")
"""


def generate(path: Path, rows: int, seed: int) -> None:
    """`rows` records, a block of people at a time (`synth.population`, `synth.write_person`)."""
    from jisr.linkage import synth

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=synth.COLUMNS)
        writer.writeheader()
        written = 0
        while written < rows:
            people = synth.population(min(BLOCK, rows - written), rng)
            for person in people:
                writer.writerow(synth.write_person(person, f"N{written}", rng, 0.3).row)
                written += 1


# `jisr ARGS`, which then says its own peak memory (KB) and CPU seconds on its last line.
MEASURED = """
import resource, sys
from jisr.cli import main
sys.argv = ["jisr", *sys.argv[1:]]
try:
    main()
finally:
    used = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{used.ru_maxrss} {used.ru_utime + used.ru_stime}")
"""


def jisr(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [JISR, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(done.stdout + done.stderr)
    return done.stdout


def measured(env: dict[str, str], *args: str) -> tuple[str, float, float]:
    """`jisr ARGS` in a process of its own: (its last line of output, its peak memory in MB, its
    CPU seconds)."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", MEASURED, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(done.stdout + done.stderr)
    *lines, usage = done.stdout.strip().splitlines()
    peak, cpu = usage.split()
    return lines[-1], int(peak) / 1024, float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="jisr-register-import-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jisr.settings", "JISR_TASKS": "immediate"}
    env.setdefault("DATABASE_URL", f"sqlite:///{folder / 'jisr.sqlite3'}")
    env.setdefault("JISR_VAR_DIR", str(folder))
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")})
    import django

    django.setup()

    started = time.perf_counter()
    path = folder / "national.csv"
    generate(path, args.rows, args.seed)
    size = path.stat().st_size / 1024 / 1024
    print(
        f"{args.rows:,} records ({size:,.0f} MB) generated in {time.perf_counter() - started:.0f} s"
    )

    jisr(env, "migrate", "-v0")
    stamp = str(int(time.time()))
    name = f"National {stamp}"
    jisr(env, "shell", "-c", SETUP % {"email": f"bench{stamp}@molsa.example.org", "name": name})

    started = time.perf_counter()
    said, peak, cpu = measured(env, "import-register", name, str(path))
    took = time.perf_counter() - started
    print(said)
    print(
        f"import-register: {args.rows:,} records in {took:,.1f} s = {args.rows / took:,.0f} "
        f"records/s ({cpu:,.1f} CPU s = {args.rows / cpu:,.0f} records per CPU second); "
        f"peak memory of the command {peak:,.0f} MB"
    )

    started = time.perf_counter()
    said, peak, cpu = measured(env, "import-register", name, str(path))
    took = time.perf_counter() - started
    print(f"run again on the same file: {said} ({took:,.1f} s, peak {peak:,.0f} MB)")
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}; files in {folder}")


if __name__ == "__main__":
    main()

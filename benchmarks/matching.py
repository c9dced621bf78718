"""Matching speed with 1,000,000 skills profiles and 100,000 opportunities.

    .venv/bin/python benchmarks/matching.py [--profiles 20000] [--opportunities 2000] [--profile]
    .venv/bin/python benchmarks/matching.py --profiles 1000000 --opportunities 100000

The default is small, for a quick run; the figures in docs/benchmarks.md are of the second line.

Uses its own SQLite database (or DATABASE_URL), migrates it, loads the ESCO taxonomy, and fills
it once (rows already there are kept): persons with consent decisions and profiles coded to the
occupations common in Iraq, with skills drawn from ESCO's relations, languages and availability;
opportunities of every kind from one ministry. Then it times, through the real selectors, "top 50
candidates for an opportunity" and "top 50 opportunities for a person", reasons included, and
prints the median (p50) and 95th percentile of each, and of the index's ranking alone, from the
postings and by scoring every profile. Target: top 50 candidates among 1,000,000 profiles at a
95th percentile under 20 ms. `--profile` prints where the candidate lists spend their time;
`--compare-facts` times them with the shortlist's facts from the index and from the database,
interleaved (decision 0039); `--compare-with main` times main's matching selectors and index
against this tree's, interleaved, in wall-clock and CPU time.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
BATCH = 50_000
sys.path.insert(0, str(Path(__file__).resolve().parent))
from rows import insert_rows, row_template  # noqa: E402  (the folder is on the path just above)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=20_000)
    parser.add_argument("--opportunities", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--compare-facts",
        action="store_true",
        help="also time the candidate lists with the index's facts and with them switched off "
        "(every shortlisted profile read from the database), interleaved in one process",
    )
    parser.add_argument(
        "--compare-with",
        metavar="REVISION",
        help="also time the candidate lists and a person's matches with the matching selectors "
        "and index of a git revision (such as main) and with this tree's, interleaved in one "
        "process, in wall-clock and CPU time, and check that both give the same lists",
    )
    args = parser.parse_args()
    # A database per size, so that a small run never measures a big database or the reverse.
    name = f"jisr-matching-benchmark-{args.profiles}.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / name}")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jisr.skills.models import Occupation

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")
    call_command("migrate", verbosity=0)
    if not Occupation.objects.exists():
        call_command("load_taxonomy", verbosity=0)
    poster = fill(args.profiles, args.opportunities)
    measure(poster, args.repeat, args.profile, args.compare_facts, args.compare_with)


def fill(profiles: int, opportunities: int) -> Any:
    from django.db import connection, transaction

    from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
    from jisr.accounts.roles import Role, Scope
    from jisr.matching.models import (
        Opportunity,
        OpportunityKind,
        OpportunityLanguage,
        OpportunitySkill,
        Profile,
        ProfileLanguage,
        ProfileOccupation,
        ProfileSkill,
    )
    from jisr.places.models import Governorate
    from jisr.registry.models import ConsentEvent, Household, Person
    from jisr.skills.models import Occupation, OccupationSkill

    ministry, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.MINISTRY, name_en="Benchmark ministry",
        defaults={"name_ar": "وزارة القياس"},
    )  # fmt: skip
    poster = User.objects.filter(email="bench-matching@example.org").first()
    if poster is None:
        poster = User.objects.create_user(
            email="bench-matching@example.org", full_name="Bench", password=None,
            organisation=ministry,
        )  # fmt: skip
        RoleGrant.objects.create(user=poster, role=Role.SUPERVISOR, scope=Scope.ORGANISATION)
    rng = random.Random(2026)
    governorates = list(Governorate.objects.values_list("pk", flat=True))
    common = list(
        Occupation.objects.exclude(label_ckb="").order_by("pk").values_list("pk", "isco_group")
    )
    weights = [1 / (rank + 5) for rank in range(len(common))]
    essential: dict[int, list[int]] = {}
    optional: dict[int, list[int]] = {}
    for occupation, skill, is_essential in OccupationSkill.objects.filter(
        occupation__in=[pk for pk, _ in common]
    ).values_list("occupation", "skill", "essential"):
        (essential if is_essential else optional).setdefault(occupation, []).append(skill)
    languages = ["ar", "ckb", "en", "de", "sv", "tr"]
    started = time.perf_counter()
    have = Profile.objects.count()
    person_columns, person_values = row_template(
        Person, first_name="باحث", family_name="القياس", name_key="باحث القياس", sex="M",
        person_type="returnee", relationship="head", organisation_id=ministry.pk,
    )  # fmt: skip
    col = {name: i for i, name in enumerate(person_columns)}
    next_id = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    while have < profiles:
        size = min(BATCH, profiles - have)
        ids = range(next_id, next_id + size)
        with transaction.atomic():
            household_columns, household_values = row_template(Household)
            insert_rows(
                "registry_household", ["id", *household_columns],
                ([pk, *household_values] for pk in ids),
            )  # fmt: skip
            persons = []
            for pk in ids:
                row = list(person_values)
                abroad = rng.random() < 0.3
                row[col["household_id"]] = pk
                row[col["birth_year"]] = rng.randint(1960, 2004)
                row[col["country"]] = rng.choice(["DE", "SE", "GB", "TR", "JO"]) if abroad else "IQ"
                row[col["person_type"]] = "abroad" if abroad else "returnee"
                row[col["governorate_id"]] = None if abroad else rng.choice(governorates)
                persons.append([pk, *row])
            insert_rows("registry_person", ["id", *person_columns], persons)
            consent_columns, consent_values = row_template(
                ConsentEvent, purpose="employer_matching", status="given", channel="in_person"
            )
            c_status = consent_columns.index("status")
            c_person = consent_columns.index("person_id")  # PostgreSQL refuses a column twice
            consents = []
            for pk in ids:
                row = list(consent_values)
                row[c_person] = pk
                row[c_status] = "given" if rng.random() < 0.9 else "refused"
                consents.append(row)
            insert_rows("registry_consentevent", consent_columns, consents)
            profile_columns, profile_values = row_template(
                Profile, available_return=False, available_assignment=False,
                available_remote=False, available_mentoring=False, willing_to_relocate=False,
            )  # fmt: skip
            p = {name: i for i, name in enumerate(profile_columns)}
            rows, occupations, skills, spoken, preferred = [], [], [], [], []
            for pk in ids:
                row = list(profile_values)
                row[p["visibility"]] = rng.choices(
                    ["employers", "government", "hidden"], [6, 3, 1]
                )[0]
                for flag, chance in (
                    ("available_return", 0.6), ("available_assignment", 0.3),
                    ("available_remote", 0.3), ("available_mentoring", 0.15),
                    ("willing_to_relocate", 0.3),
                ):  # fmt: skip
                    row[p[flag]] = rng.random() < chance
                row[p["person_id"]] = pk
                rows.append([pk, *row])
                for occupation, _group in rng.choices(
                    common, weights, k=1 if rng.random() < 0.8 else 2
                ):
                    occupations.append((pk, occupation, "", None))
                    pool = essential.get(occupation, []) + optional.get(occupation, [])[:10]
                    for skill in rng.sample(pool, min(len(pool), rng.randint(3, 10))):
                        skills.append((pk, skill, rng.randint(1, 4)))
                spoken.append((pk, "ar", 4))
                for language in rng.sample(languages[1:], rng.randint(0, 2)):
                    spoken.append((pk, language, rng.randint(1, 4)))
                if rng.random() < 0.3:
                    preferred.append((pk, rng.choice(governorates)))
            insert_rows("matching_profile", ["id", *profile_columns], rows)
            # One skill or occupation per profile once: the table's unique constraint.
            insert_rows(
                "matching_profileoccupation", ["profile_id", "occupation_id", "title", "years"],
                list({(o[0], o[1]): o for o in occupations}.values()),
            )  # fmt: skip
            insert_rows(
                "matching_profileskill", ["profile_id", "skill_id", "level"],
                list({(s[0], s[1]): s for s in skills}.values()),
            )  # fmt: skip
            insert_rows("matching_profilelanguage", ["profile_id", "language", "level"], spoken)
            insert_rows(
                "matching_profile_preferred_governorates", ["profile_id", "governorate_id"],
                preferred,
            )  # fmt: skip
        have += size
        next_id += size
        print(f"\r{have:,} profiles ({time.perf_counter() - started:.0f} s)", end="", flush=True)
    print()
    have = Opportunity.objects.count()
    opportunity_columns, opportunity_values = row_template(
        Opportunity, organisation_id=ministry.pk, posted_by_id=poster.pk, kind="job",
        title="فرصة", status="open",
    )  # fmt: skip
    o = {name: i for i, name in enumerate(opportunity_columns)}
    next_id = (Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    while have < opportunities:
        size = min(BATCH, opportunities - have)
        ids = range(next_id, next_id + size)
        with transaction.atomic():
            rows, skills, asked = [], [], []
            for pk in ids:
                row = list(opportunity_values)
                occupation, _group = rng.choices(common, weights)[0]
                row[o["kind"]] = rng.choice(OpportunityKind.values)
                row[o["occupation_id"]] = occupation
                row[o["remote"]] = rng.random() < 0.15
                row[o["governorate_id"]] = rng.choice(governorates) if rng.random() < 0.8 else None
                row[o["status"]] = "open" if rng.random() < 0.9 else "closed"
                rows.append([pk, *row])
                pool = essential.get(occupation, [])
                for skill in rng.sample(pool, min(len(pool), rng.randint(5, 15))):
                    skills.append((pk, skill, True))
                extra = optional.get(occupation, [])
                for skill in rng.sample(extra, min(len(extra), rng.randint(0, 5))):
                    skills.append((pk, skill, False))
                if rng.random() < 0.5:
                    asked.append((pk, "en", rng.randint(1, 3)))
            insert_rows("matching_opportunity", ["id", *opportunity_columns], rows)
            insert_rows(
                "matching_opportunityskill", ["opportunity_id", "skill_id", "essential"],
                list({(s[0], s[1]): s for s in skills}.values()),
            )  # fmt: skip
            insert_rows(
                "matching_opportunitylanguage", ["opportunity_id", "language", "level"], asked
            )
        have += size
        next_id += size
        print(f"\r{have:,} opportunities", end="", flush=True)
    print()
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        models = [
            Household, Person, ConsentEvent, Profile, ProfileOccupation, ProfileSkill,
            ProfileLanguage, Opportunity, OpportunitySkill, OpportunityLanguage,
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return poster


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, runs: list[Callable[[], int]]) -> None:
    times, sizes = [], []
    for run in runs:
        started = time.perf_counter()
        sizes.append(run())
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{label:<48} p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   "
        f"(results per query: median {statistics.median(sizes):.0f}; load average {load})"
    )


def measure(
    poster: Any,
    repeat: int,
    profile: bool,
    compare_facts: bool = False,
    compare_with: str | None = None,
) -> None:
    from jisr.matching import selectors
    from jisr.matching.index import indexes
    from jisr.matching.models import Opportunity, OpportunityStatus, Profile
    from jisr.registry.models import Person

    rng = random.Random(7)
    print(
        f"{Profile.objects.count():,} profiles, "
        f"{Opportunity.objects.filter(status=OpportunityStatus.OPEN).count():,} open opportunities"
    )
    before = _rss_mb()
    started = time.perf_counter()
    profile_index = indexes.profile_index()
    print(f"profile index built in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    opportunity_index = indexes.opportunity_index()
    print(f"opportunity index built in {time.perf_counter() - started:.1f} s")
    print(
        f"index arrays: profiles {profile_index.nbytes / 2**20:.0f} MB, "
        f"opportunities {opportunity_index.nbytes / 2**20:.0f} MB"
    )
    print(
        f"peak memory of the process: {before:.0f} MB before the indexes, {_rss_mb():.0f} MB after"
    )
    open_ids = list(
        Opportunity.objects.filter(status=OpportunityStatus.OPEN).values_list("pk", flat=True)
    )
    sample = [Opportunity.objects.get(pk=pk) for pk in rng.sample(open_ids, repeat)]
    # In the order of the profiles' ids (the index keeps them by occupation): the same sample
    # whatever order the index keeps.
    by_profile = profile_index.person_ids[profile_index.profile_ids.argsort()]
    persons = [Person.objects.get(pk=int(pk)) for pk in rng.sample(by_profile.tolist(), repeat)]
    selectors.candidate_list(fetched_by=poster, opportunity=sample[0])  # warm up
    selectors.opportunity_list_matching(person=persons[0])

    def candidates(opportunity: Any) -> Callable[[], int]:
        def run() -> int:
            found = selectors.candidate_list(fetched_by=poster, opportunity=opportunity, limit=50)
            assert all(match.reasons for match in found)
            return len(found)

        return run

    def opportunities(person: Any) -> Callable[[], int]:
        def run() -> int:
            found = selectors.opportunity_list_matching(person=person, limit=50)
            assert all(match.reasons for match in found)
            return len(found)

        return run

    def ranked(opportunity: Any, exhaustive: bool) -> Callable[[], int]:
        o = selectors.opportunity_facts([opportunity.pk])[opportunity.pk]

        asked: dict[str, Any] = {"near_ties": selectors.NEAR_TIES, "most": 50 * selectors.SHORTLIST}

        def run() -> int:
            ranked = profile_index.rank(
                o, min_level=1, skip=(), limit=50, exhaustive=exhaustive, **asked
            )
            return len(ranked)

        return run

    timed("top 50 candidates for an opportunity", [candidates(o) for o in sample])
    timed("top 50 opportunities for a person", [opportunities(p) for p in persons])
    timed("  index alone: the shortlist for 50, from postings", [ranked(o, False) for o in sample])
    timed("  index alone: the same, every profile scored", [ranked(o, True) for o in sample])
    if compare_facts:
        compare(poster, sample)
    if compare_with:
        compare_revision(poster, sample, persons, compare_with)
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [candidates(o)() for o in sample[:50]])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def compare(poster: Any, sample: list[Any]) -> None:
    """The candidate lists with the shortlist's facts from the index (decision 0039) and from
    the database (the index's facts switched off), each opportunity both ways in turn, the order
    alternating: a comparison that holds on a shared machine, where two runs do not."""
    from jisr.matching import selectors
    from jisr.matching.index import ProfileIndex

    real = ProfileIndex.known_facts
    ways: dict[str, Any] = {"facts from the index": real, "facts from the database": None}
    times: dict[str, list[float]] = {name: [] for name in ways}
    try:
        for turn, opportunity in enumerate(sample):
            lists = []
            for name in list(ways)[:: -1 if turn % 2 else 1]:
                ProfileIndex.known_facts = ways[name] or (lambda self, ids, asked: {})  # type: ignore[method-assign]
                started = time.perf_counter()
                found = selectors.candidate_list(fetched_by=poster, opportunity=opportunity)
                times[name].append((time.perf_counter() - started) * 1000)
                lists.append(
                    [(m.profile.pk if m.profile else 0, m.score, m.reasons) for m in found]
                )
            assert lists[0] == lists[1], opportunity.pk
    finally:
        ProfileIndex.known_facts = real  # type: ignore[method-assign]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    for name, values in times.items():
        values.sort()
        print(
            f"  interleaved, {name:<27} p50 {statistics.median(values):6.1f} ms   "
            f"p95 {values[int(len(values) * 0.95) - 1]:6.1f} ms   (load average {load})"
        )
    print(f"  the same {len(sample)} lists both ways")


def _module_of_revision(revision: str, path: str, name: str) -> Any:
    """A module of the matching app as it is in a git revision, loaded beside this tree's."""
    import subprocess
    import types

    source = subprocess.run(  # noqa: S603  (the revision is the caller's own argument)
        ["git", "-C", str(ROOT), "show", f"{revision}:{path}"],  # noqa: S607  (git on the PATH)
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    module = types.ModuleType(name)
    module.__file__ = f"{revision}:{path}"
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102  (our own code)
    return module


def compare_revision(poster: Any, sample: list[Any], persons: list[Any], revision: str) -> None:
    """The selectors and index of `revision` against this tree's, each query both ways in
    turn (the order alternating), in wall-clock time and in the process's CPU time: on a
    shared machine the CPU time is what moves least with the others' load."""
    from jisr.matching import selectors

    index = _module_of_revision(revision, "jisr/matching/index.py", "revision_matching_index")
    before = _module_of_revision(
        revision, "jisr/matching/selectors.py", "revision_matching_selectors"
    )
    before.indexes = index.indexes
    before.ProfileIndex = index.ProfileIndex
    started = time.perf_counter()
    index.indexes.profile_index()
    index.indexes.opportunity_index()
    print(f"indexes of {revision} built in {time.perf_counter() - started:.1f} s")
    ways = {revision: before, "this tree": selectors}
    queries: list[tuple[str, list[Any], Callable[[Any, Any], list[Any]]]] = [
        (
            "candidates",
            sample,
            lambda module, o: module.candidate_list(fetched_by=poster, opportunity=o, limit=50),
        ),
        (
            "opportunities for a person",
            persons,
            lambda module, p: module.opportunity_list_matching(person=p, limit=50),
        ),
    ]
    # The index alone, as the candidate list asks it: the shortlist of 50 and their near ties.
    facts = {o.pk: selectors.opportunity_facts([o.pk])[o.pk] for o in sample}
    asked: dict[str, Any] = {"near_ties": selectors.NEAR_TIES, "most": 50 * selectors.SHORTLIST}
    queries.append(
        (
            "index alone",
            sample,
            lambda module, o: module.indexes.profile_index().rank(
                facts[o.pk], min_level=1, skip=(), limit=50, **asked
            ),
        )
    )
    for module in ways.values():
        queries[0][2](module, sample[0])
        queries[1][2](module, persons[0])
    for label, items, call in queries:
        wall: dict[str, list[float]] = {name: [] for name in ways}
        cpu: dict[str, list[float]] = {name: [] for name in ways}
        for turn, item in enumerate(items):
            lists = []
            for name in list(ways)[:: -1 if turn % 2 else 1]:
                started, used = time.perf_counter(), time.process_time()
                found = call(ways[name], item)
                cpu[name].append((time.process_time() - used) * 1000)
                wall[name].append((time.perf_counter() - started) * 1000)
                lists.append(
                    [
                        (m.profile.pk if m.profile else m.opportunity.pk, m.score, m.reasons)
                        if hasattr(m, "score")
                        else m  # the index's profile ids
                        for m in found
                    ]
                )
            assert lists[0] == lists[1], (label, item.pk)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        for name in ways:
            w, c = sorted(wall[name]), sorted(cpu[name])
            print(
                f"  {label}, {name:<12} wall p50 {statistics.median(w):6.1f} ms  "
                f"p95 {w[int(len(w) * 0.95) - 1]:6.1f} ms   CPU p50 {statistics.median(c):6.1f} "
                f"ms  p95 {c[int(len(c) * 0.95) - 1]:6.1f} ms   (load average {load})"
            )
        print(f"  the same {len(items)} lists both ways")


if __name__ == "__main__":
    main()

"""A link between two registers that each hold a person once (decision 0047): a record links to
the one record that is the best for both, so a relative or namesake whose own record is in the
other register is not taken for the person; and such a best pair links from a lower
probability than the threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from jisr.linkage.engine import splink_model

# Relatives who share a name, as the blind registers wrote them: each time the left register
# holds both people, the right register one of them, and the model alone (every pair at the
# threshold) takes the other for them too.
_RELATIVES = [
    # A grandson named after his grandfather: four names alike, the grandfather's record with
    # the year of birth only and no mother.
    (
        {"full_name": "برجس خديده برجس جيلكي", "birth_date": "1950", "governorate": "IQ-NI",
         "phone": "07908266330", "sex": "M"},
        {"full_name": "برجس خديده برجس جيلكي", "birth_date": "1994-12-09",
         "governorate": "IQ-NI", "mother_name": "شيخه نايف هبابي", "sex": "M"},
        {"full_name": "برجس خديده برجس جيلكي", "birth_date": "1994-12-09",
         "governorate": "IQ-NI", "mother_name": "شيخه نايف هبابي", "sex": "M"},
    ),
    # A daughter named after her mother's mother, the mother's record with no mother's name.
    (
        {"full_name": "ريحانة نعيم سلام العنيسي", "birth_date": "1968-03-22",
         "governorate": "IQ-AR", "phone": "07839078946", "sex": "F"},
        {"full_name": "ريحانة نعيم سلام العنيسي", "birth_date": "1950-11-18",
         "governorate": "IQ-DQ", "mother_name": "ريحانة يحيى الزهيري", "sex": "F"},
        {"full_name": "ريحانة نعيم سلام العنيسي", "birth_date": "1950-11-18",
         "governorate": "IQ-DQ", "mother_name": "ريحانة يحيى الزهيري", "sex": "F",
         "phone": "07789190690"},
    ),
]  # fmt: skip


def _registers(tmp_path: Path) -> set[tuple[str, str]]:
    """Generated registers with the relatives added; the relatives' true pairs."""
    from jisr.linkage import synth

    pair = synth.registers(1500, seed=5)
    relatives = set()
    for number, (other, person_left, person_right) in enumerate(_RELATIVES):
        blank = {"record_id": ""}
        pair.left.append(synth.Record({**blank, **other, "record_id": f"LO{number}"}, -1))
        pair.left.append(synth.Record({**blank, **person_left, "record_id": f"LP{number}"}, -1))
        pair.right.append(synth.Record({**blank, **person_right, "record_id": f"RP{number}"}, -1))
        relatives.add((f"LO{number}", f"RP{number}"))
    synth.write_csv(tmp_path / "left.csv", pair.left)
    synth.write_csv(tmp_path / "right.csv", pair.right)
    return relatives


@pytest.mark.slow
def test_a_relative_is_not_linked_where_the_person_is_there(tmp_path):
    relatives = _registers(tmp_path)
    quiet = lambda _text: None  # noqa: E731
    left, right = tmp_path / "left.csv", tmp_path / "right.csv"
    model = tmp_path / "model.json"

    every_pair = {
        (a, b)
        for a, b, _p in splink_model.link(left, right, one_to_one=False, save=model, say=quiet)
    }
    one_to_one = {(a, b) for a, b, _p in splink_model.link(left, right, model=model, say=quiet)}

    # Without the rule, the model takes each relative for the person.
    assert relatives <= every_pair
    assert not relatives & one_to_one
    people = {(f"LP{n}", f"RP{n}") for n in range(len(_RELATIVES))}
    assert people <= one_to_one
    # Each record is in one link at most.
    assert len({a for a, _b in one_to_one}) == len(one_to_one)
    assert len({b for _a, b in one_to_one}) == len(one_to_one)


def _best(pairs: list[tuple[Any, ...]]) -> set[tuple[str, str]]:
    """The pairs `best_of_both` keeps of (left id, right id, left's register, match weight[,
    the two years of birth])."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE predictions (unique_id_l VARCHAR, unique_id_r VARCHAR, "
        "source_dataset_l VARCHAR, source_dataset_r VARCHAR, match_weight DOUBLE, "
        "birth_year_l INTEGER, birth_year_r INTEGER)"
    )
    for left, right, register, weight, *years in pairs:
        other = "register_0" if register == "register_1" else "register_1"
        born = years or [None, None]
        connection.execute(
            "INSERT INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?)",
            [left, right, register, other, weight, *born],
        )
    found: list[Any] = connection.execute(
        splink_model._best_of_both_sql("predictions", only_best=True)
    ).fetchall()
    return {(row[0], row[1]) for row in found}


def test_a_pair_is_kept_where_it_is_the_best_of_both_its_records():
    assert _best(
        [
            ("a", "x", "register_0", 20.0),  # the best of a and of x
            ("a", "y", "register_0", 9.0),  # a has better: a relative of a
            ("b", "y", "register_0", 8.0),  # y is b's best, but y has a better pair
            ("c", "z", "register_0", 7.0),  # alone
        ]
    ) == {("a", "x"), ("c", "z")}


def test_records_born_years_apart_are_no_pair_and_no_rival():
    assert _best(
        [
            # A grandfather and his namesake grandson: however alike, no pair.
            ("a", "x", "register_0", 30.0, 1950, 1994),
            ("a", "y", "register_0", 8.0, 1950, 1951),  # a's best once the other is out
            ("b", "x", "register_0", 9.0, None, 1994),  # no year on one side: no evidence
        ]
    ) == {("a", "y"), ("b", "x")}


def test_a_tie_is_no_best_and_either_side_may_come_first():
    # A person written twice in one register: neither of the two records is the best.
    assert _best([("a", "x", "register_0", 12.0), ("b", "x", "register_0", 12.0)]) == set()
    # A record is known by its register: the same id in both is two records. Splink may give
    # the right register's record first.
    assert _best(
        [
            ("a", "x", "register_0", 15.0),  # left a with right x
            ("b", "a", "register_0", 9.0),  # left b with right a: not the left a's pair
            ("y", "c", "register_1", 7.0),  # left c with right y
        ]
    ) == {("a", "x"), ("b", "a"), ("y", "c")}


def test_the_threshold_of_a_best_pair_is_lower_by_a_fixed_factor_of_the_odds():
    assert splink_model.one_to_one_threshold(0.99) == pytest.approx(0.9)
    assert splink_model.one_to_one_threshold(0.999) == pytest.approx(0.98911, abs=1e-5)


# One household in a ration-card register, as blind8 wrote it: twins born the same day with
# different given names, the same parents and phone; a grandfather and the grandson named after
# him. Each person is written twice, the second time by another clerk.
_HOUSEHOLD = [
    ("twin_a", {"full_name": "احمد يوسف جمعة السامرائي", "mother_name": "رنا", "sex": "M",
                "birth_date": "2004-12-01", "governorate": "IQ-SU", "phone": "07551207905"}),
    ("twin_a", {"full_name": "احمد يوسف چمعة السامرايي", "mother_name": "رنا", "sex": "M",
                "birth_date": "2004-12-01", "governorate": "IQ-SU", "phone": "7551207905"}),
    ("twin_b", {"full_name": "محمد يوسف جمعة السامرائي", "mother_name": "رنا", "sex": "M",
                "birth_date": "2004-12-01", "governorate": "IQ-SU", "phone": "07551207905"}),
    ("twin_b", {"full_name": "محمد يوسف جمعه السامرائي", "mother_name": "رنا", "sex": "M",
                "birth_date": "2004-12-01", "governorate": "IQ-SU"}),
    ("elder", {"full_name": "نجم عدي نجم التكريتي", "mother_name": "بسمه عبدالستار الطايي",
               "sex": "M", "birth_date": "1944-01-03", "governorate": "IQ-AN",
               "phone": "07707517450"}),
    ("elder", {"full_name": "نجم عدي نجم التكريتي", "sex": "M", "birth_date": "1944",
               "governorate": "IQ-AN", "phone": "07707517450"}),
    ("grandson", {"full_name": "نجم عدي نجم تكريتي", "sex": "M", "birth_date": "2002-07-03",
                  "governorate": "IQ-AN", "phone": "+9647875653046"}),
]  # fmt: skip


@pytest.mark.slow
def test_a_household_is_not_grouped_as_one_person(tmp_path):
    from jisr.linkage import synth

    records, _people = synth.duplicated_register(1500, seed=3)
    for number, (_person, row) in enumerate(_HOUSEHOLD):
        records.append(synth.Record({"record_id": f"H{number}", **row}, -1))
    synth.write_csv(tmp_path / "dedupe.csv", records)

    groups = splink_model.dedupe(tmp_path / "dedupe.csv", say=lambda _text: None)

    found = {person: {groups[f"H{n}"] for n, (p, _r) in enumerate(_HOUSEHOLD) if p == person}
             for person, _row in _HOUSEHOLD}  # fmt: skip
    # Each person's records are one group, and the four people four groups.
    assert all(len(clusters) == 1 for clusters in found.values()), found
    assert len({next(iter(c)) for c in found.values()}) == len(found), found


def test_a_best_pair_under_the_threshold_is_a_link_of_the_golden_record(
    db: Any, labour_analyst: Any
) -> None:
    from jisr.linkage import services
    from jisr.linkage.golden import clusters_recompute
    from jisr.linkage.models import CandidatePair, LinkageRun, RegisterRecord

    jobseekers = services.register_create(by=labour_analyst, name="Jobseekers", kind="unemployed")
    returnees = services.register_create(by=labour_analyst, name="Returnees", kind="returnees")
    jobseeker = RegisterRecord.objects.create(
        register=jobseekers, source_id="J-1", full_name="مريم كاظم الموسوي", sex="F"
    )
    returnee = RegisterRecord.objects.create(
        register=returnees, source_id="R-1", full_name="مريم كاظم الموسوي", sex="F"
    )
    run = LinkageRun.objects.create(
        left=jobseekers, right=returnees, started_by=labour_analyst, status="done"
    )
    assert run.links_from == pytest.approx(0.9)
    # The run put the pair in its links: the best of both records, at 0.93.
    CandidatePair.objects.create(
        run=run, left=jobseeker, right=returnee, probability=0.93, band="link"
    )

    clusters_recompute()

    jobseeker.refresh_from_db()
    returnee.refresh_from_db()
    assert jobseeker.cluster is not None
    assert jobseeker.cluster == returnee.cluster

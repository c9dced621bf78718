"""The linkage model: Splink 5 on DuckDB (in process) or Spark, trained on the registers themselves.

Comparisons are made for Iraqi names position by position (first, father, grandfather, family),
with the mother's first name, birth year and day-month (exact, or the day and month swapped),
governorate and phone. `u` is estimated from random pairs, `m` by expectation maximisation on two
blockings that each leave some fields free. Names are normalised first (`prepare`), and compared
after it, so distances count letters of the normalised form, not UTF-8 bytes.

Splink, DuckDB and pyarrow are imported inside the functions that use them: together they add
about 80 MB and a third of a second to a process, and the web processes, which import this
module through the app, never link. pyspark is an optional extra (`.[spark]`), imported only for
`backend="spark"`.
"""

from __future__ import annotations

import atexit
import csv
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jisr.linkage.engine.clusters import AGAINST, clusters
from jisr.linkage.engine.prepare import prepared

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from splink import Linker, SettingsCreator
    from splink.comparison_library import CustomComparison
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.splink_dataframe import SplinkDataFrame

# Chosen on the generator's registers (docs/benchmarks.md): below it, brothers sharing father,
# grandfather, family and mother names are taken for one person too often.
DEFAULT_THRESHOLD = 0.99

# In a link between two registers that each hold a person once, a pair that is the strongest
# candidate of both its records is a link from odds this many times lower than the threshold's
# (0.99 becomes 0.9); a pair that another pair of one of its records matches or beats is not a
# link at any probability: a brother, a cousin or a namesake whose own record is there loses to
# it (decision 0047).
ONE_TO_ONE_ODDS = 11

# Two records whose years of birth are further apart than this are two people, whatever else
# they share: a grandfather and the grandson named after him, a mother and her daughter. One
# person's records differ by a year or two (an age counted another way, a year mistyped), and
# a pair further apart is not a link, and in a dedupe keeps two groups apart (decision 0047).
YEARS_APART = 3


def _apart_sql(*, first_names: bool) -> str:
    """Splink's predictions: whether the evidence tells the pair's two records apart (birth
    years too far apart; with `first_names`, given names that differ beyond nickname, script and
    spelling, the first comparison's last level, as a run sends to a reviewer)."""
    years = f"coalesce(abs(birth_year_l - birth_year_r) > {YEARS_APART}, false)"
    return f"(gamma_first = 0 OR {years})" if first_names else years


def years_apart(row: dict[str, Any]) -> bool:
    """`_apart_sql`'s years for a row of predictions."""
    left, right = row.get("birth_year_l"), row.get("birth_year_r")
    return left is not None and right is not None and abs(int(left) - int(right)) > YEARS_APART


LinkType = Literal["link_only", "dedupe_only"]
Backend = Literal["duckdb", "spark"]


def _name(
    part: str,
    *,
    else_m: float | None = None,
    compound: bool = False,
    swapped_with: str | None = None,
    moved_up: bool = False,
) -> CustomComparison:
    """One name part compared: the same name; the same spelling key (letters clerks confuse);
    one letter apart where one spelling is rare (a typo); with `compound`, one name the start or
    the end of the other (محمد رضا written محمد, عبد الخالق written خالق); across scripts
    (Latin, Kurdish, Arabic), the same or a close sound key; with `swapped_with`, the two
    records' names of this part and that one exchanged; with `moved_up`, this part the other's
    grandfather's name, moved up a field."""
    # heavy, imported when used (the module's note)
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    different: Any = cll.ElseLevel()
    if else_m is not None:
        different = different.configure(m_probability=else_m, fix_m_probability=True)
    scripts_differ = f"{part}_script_l <> {part}_script_r"
    return cl.CustomComparison(
        output_column_name=part,
        comparison_levels=[
            cll.NullLevel(f"{part}_sound"),
            # How common the name is counts: two records sharing محمد say less than two
            # sharing رزكار.
            cll.ExactMatchLevel(part, term_frequency_adjustments=True),
            cll.ExactMatchLevel(f"{part}_spelling"),
            # Kurdish typed on an Arabic keyboard writes the vowel ە as ه (محهمهد, نهسرين).
            cll.ExactMatchLevel(f"{part}_loose"),
            # A typo makes a spelling nobody else in the registers has; two real names that
            # differ by a letter (حسن، حسين) are both common, and are not taken for a typo.
            cll.CustomLevel(
                f"damerau_levenshtein({part}_loose_l, {part}_loose_r) = 1 "
                f"AND NOT ({part}_common_l AND {part}_common_r)",
                "one letter apart or two swapped, a rare spelling",
            ),
            # Two-part given names (محمد رضا, فاطمة الزهراء, عبد الخالق) are written whole or
            # by one part; the other part has three letters at least (حسن is not حسنين).
            *(
                [
                    cll.CustomLevel(
                        f"(length({part}_l) >= length({part}_r) + 3 "
                        f"AND {part}_l LIKE concat('%', {part}_r, '%')) "
                        f"OR (length({part}_r) >= length({part}_l) + 3 "
                        f"AND {part}_r LIKE concat('%', {part}_l, '%'))",
                        "one part of a two-part name",
                    )
                ]
                if compound
                else []
            ),
            cll.CustomLevel(
                f"{part}_sound_l = {part}_sound_r AND {scripts_differ}",
                "same sound, another script",
            ),
            cll.CustomLevel(
                f"jaro_winkler_similarity({part}_sound_l, {part}_sound_r) >= 0.88 "
                f"AND {scripts_differ}",
                "close sound, another script",
            ),
            *([_swapped(part, swapped_with)] if swapped_with else []),
            *([_moved_up(part)] if moved_up else []),
            different,
        ],
    )


def _swapped(part: str, other: str) -> Any:
    """A level for two name parts exchanged between the records (the given name written in the
    father's field and the father's in the first: إبراهيم أمل for أمل إبراهيم), by sound key, in
    any script. A father and his son named after the grandfather exchange them too (علي حسن,
    حسن علي), decades apart: birth years too far apart tell those apart (`YEARS_APART`)."""
    # heavy, imported when used (the module's note)
    import splink.comparison_level_library as cll

    return cll.CustomLevel(
        f"{part}_sound_l = {other}_sound_r AND {other}_sound_l = {part}_sound_r",
        f"exchanged with the {other} name",
    )


def _moved_up(part: str) -> Any:
    """A level for a name left out of one record, the next moved up into its field: this record's
    father's name is the other's grandfather's, and this record has no grandfather."""
    # heavy, imported when used (the module's note)
    import splink.comparison_level_library as cll

    return cll.CustomLevel(
        f"({part}_sound_l = grandfather_sound_r AND grandfather_sound_l IS NULL) "
        f"OR ({part}_sound_r = grandfather_sound_l AND grandfather_sound_r IS NULL)",
        "the other's grandfather, moved up",
    )


def _birth_date() -> CustomComparison:
    # heavy, imported when used (the module's note)
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    same_year = "birth_year_l = birth_year_r"
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL").configure(
                is_null_level=True
            ),
            cll.CustomLevel(f"{same_year} AND birth_md_l = birth_md_r", "same date"),
            cll.CustomLevel(f"{same_year} AND birth_md_l = birth_dm_r", "day and month swapped"),
            cll.CustomLevel(
                f"{same_year} AND (birth_md_l IS NULL OR birth_md_r IS NULL)",
                "same year, day unknown",
            ),
            # A year mistyped or counted another way, the day and month kept: stronger than a
            # year apart with the day unknown.
            cll.CustomLevel(
                "abs(birth_year_l - birth_year_r) = 1 AND birth_md_l = birth_md_r",
                "a year apart, same day and month",
            ),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", "within a year"),
            cll.ElseLevel(),
        ],
    )


# How often the first names of one person's two records differ beyond nickname, script and
# spelling. Fixed, not trained: brothers and sisters share every other name, and expectation
# maximisation would otherwise learn a family as "the same person" (docs/decisions/0013).
FIRST_NAME_DIFFERS_M = 0.00001


def _settings(link_type: LinkType) -> SettingsCreator:
    # heavy, imported when used (the module's note)
    import splink.comparison_library as cl
    from splink import SettingsCreator

    # Names exchanged or moved up a field, and the blocking rules for them, are for links of two
    # registers only: in one register, such pairs were more often two people (dedupe precision
    # on blind9 0.984 → 0.975; docs/decisions/0050).
    linking = link_type == "link_only"
    return SettingsCreator(
        link_type=link_type,
        comparisons=[
            _name(
                "first",
                else_m=FIRST_NAME_DIFFERS_M,
                compound=True,
                swapped_with="father" if linking else None,
            ),
            _name("father", swapped_with="first" if linking else None, moved_up=linking),
            _name("grandfather"),
            _name("family"),
            _name("mother"),
            _birth_date(),
            cl.ExactMatch("governorate"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=_blocking(linking=linking),
        retain_matching_columns=False,
    )


def _blocking(*, linking: bool = False) -> list[BlockingRuleCreator | dict[str, Any]]:
    """The blocking rules; with `linking`, two more for a link of two registers (decision 0050)."""
    # heavy, imported when used (the module's note)
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    return [
        block_on("first_sound", "father_sound", "grandfather_sound"),
        block_on("first_sound", "father_sound", "birth_year"),
        block_on("first_sound", "family_sound", "birth_year"),
        block_on("father_sound", "grandfather_sound", "birth_year"),
        block_on("first_sound", "father_sound", "mother_sound"),
        block_on("first_sound", "birth_year", "birth_md"),
        block_on("father_sound", "birth_year", "birth_md"),
        block_on("father_sound", "family_sound", "birth_year"),
        # The birth year one off (or one record without a grandfather): given names and the
        # day and month still meet.
        block_on("first_sound", "father_sound", "birth_md"),
        # A letter changed in each of two names: the full date and the governorate still meet.
        block_on("birth_year", "birth_md", "governorate"),
        # Kurdish typed on an Arabic keyboard (ه for ە) changes the sound keys, not these.
        block_on("first_loose", "father_loose", "birth_year"),
        block_on("phone"),
        *(
            [
                # A date mistyped or left out, and no grandfather: given names in one governorate.
                CustomRule(
                    "l.first_sound = r.first_sound AND l.father_sound = r.father_sound "
                    "AND l.governorate = r.governorate AND (l.birth_year IS NULL "
                    "OR r.birth_year IS NULL OR abs(l.birth_year - r.birth_year) <= 1)"
                ),
                # The first and father names exchanged (`_swapped`), the birth year kept.
                CustomRule(
                    "l.first_sound = r.father_sound AND l.father_sound = r.first_sound "
                    "AND l.birth_year = r.birth_year"
                ),
            ]
            if linking
            else []
        ),
    ]


# A name written this many times or more in the registers is a real name, not a typo.
COMMON_NAME = 3
NAME_PARTS = ("first", "father", "grandfather", "family", "mother")


def with_commonness(tables: list[pa.Table]) -> list[pa.Table]:
    """Each table with `<part>_common` for each name part: whether the name is common across the
    tables (in any part: a grandfather's name is a given name too)."""
    # heavy, imported when used (the module's note)
    import pyarrow as pa
    import pyarrow.compute as pc

    def common_in(columns: list[str]) -> pa.Array:
        names = pa.chunked_array([t.column(c) for t in tables for c in columns])
        counts = pc.value_counts(names.drop_null())
        return pc.filter(
            counts.field("values"), pc.greater_equal(counts.field("counts"), COMMON_NAME)
        )

    given = common_in(["first", "father", "grandfather", "mother"])
    families = common_in(["family"])
    out = []
    for t in tables:
        for part in NAME_PARTS:
            common = families if part == "family" else given
            t = t.append_column(
                f"{part}_common", pc.fill_null(pc.is_in(t.column(part), value_set=common), False)
            )
        out.append(t)
    return out


def table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Records (the input columns) as a column table of prepared records; columns keep memory
    low at scale."""
    # heavy, imported when used (the module's note)
    import pyarrow as pa

    columns: dict[str, list[Any]] = {}
    for row in rows:
        for name, value in prepared(row).items():
            columns.setdefault(name, []).append(value)
    schema = _schema()
    return pa.table({n: columns.get(n, []) for n in schema.names}, schema=schema)


def _schema() -> pa.Schema:
    # heavy, imported when used (the module's note)
    import pyarrow as pa

    names = list(prepared({"record_id": ""}))
    return pa.schema([(n, pa.int32() if n == "birth_year" else pa.string()) for n in names])


def write_parquet(rows: Iterable[dict[str, Any]], path: Path, *, chunk: int = 50_000) -> int:
    """Records (the input columns), prepared as `table` makes them, written to a Parquet file
    `chunk` at a time, so a register of millions never sits whole in memory; the number written.
    Spark reads the file from every node where `path` is on storage they share (decision 0033)."""
    # heavy, imported when used (the module's note)
    import pyarrow.parquet as pq

    written = 0
    rows = iter(rows)
    with pq.ParquetWriter(path, _schema(), compression="zstd") as writer:
        while batch := list(islice(rows, chunk)):
            writer.write_table(table(batch))
            written += len(batch)
    return written


def read(path: Path) -> pa.Table:
    """A register's CSV file (`INPUT_COLUMNS`, extra columns ignored) as `table` makes it."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return table(csv.DictReader(handle))


def _spark() -> SparkSession:
    """The active SparkSession, else one from spark-submit or PYSPARK_SUBMIT_ARGS (a cluster), else
    a local one on this machine's cores that loads Splink's jar of string similarities."""
    # optional extra, imported for Spark only
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark = SparkSession.getActiveSession()
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ or "--master" in os.environ.get(
        "PYSPARK_SUBMIT_ARGS", ""
    )
    if spark is None and submitted:
        spark = SparkSession.builder.appName("jisr-linkage").getOrCreate()
    elif spark is None:
        spark = (
            SparkSession.builder.appName("jisr-linkage")
            .master("local[*]")
            .config("spark.driver.memory", "2g")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 2)))
            .config("spark.jars", similarity_jar_location())
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
    # Splink's SQL expects Spark's pre-4 arithmetic: its accuracy analysis divides by counts
    # that can be zero (no true negatives among a few decisions), an error under ANSI mode,
    # Spark 4's default, and NULL, as on DuckDB, without it.
    spark.conf.set("spark.sql.ansi.enabled", "false")
    # Splink writes its intermediate tables as Parquet here; a cluster sets spark.checkpoint.dir.
    if spark.sparkContext.getCheckpointDir() is None:
        checkpoints = tempfile.mkdtemp(prefix="jisr-spark-")
        atexit.register(shutil.rmtree, checkpoints, ignore_errors=True)
        spark.sparkContext.setCheckpointDir(checkpoints)
    # The comparisons call Jaro-Winkler by DuckDB's name; on Spark it is the one in Splink's jar.
    # The two differ a little (the jar counts half a transposition, DuckDB rounds it down), so a
    # few pairs of sound keys near 0.88 fall on either side; registers tested gave the same links.
    from pyspark.sql.types import DoubleType

    spark.udf.registerJavaFunction(
        "jaro_winkler_similarity", "uk.gov.moj.dash.linkage.JaroWinklerSimilarity", DoubleType()
    )
    return spark


def _spark_registers(spark: SparkSession, paths: Sequence[Path]) -> list[DataFrame]:
    """Registers written by `write_parquet`, read by Spark's executors, with `<part>_common` as
    `with_commonness` adds it, counted by the cluster: the records never pass through here."""
    # optional extra, imported for Spark only
    from pyspark.sql import functions as f

    # file:// URIs: where a cluster's default file system is HDFS, a bare path would be read there.
    frames = [spark.read.parquet(path.resolve().as_uri()) for path in paths]

    def common_in(columns: list[str]) -> DataFrame:
        names = [frame.select(f.col(c).alias("name")) for frame in frames for c in columns]
        every = names[0]
        for more in names[1:]:
            every = every.unionAll(more)
        counted = every.where(f.col("name").isNotNull()).groupBy("name").count()
        return counted.where(f.col("count") >= COMMON_NAME).select("name")

    given = common_in(["first", "father", "grandfather", "mother"])
    families = common_in(["family"])
    out = []
    for frame in frames:
        for part in NAME_PARTS:
            common = (families if part == "family" else given).select(
                f.col("name").alias(f"_{part}_name"), f.lit(True).alias(f"{part}_common")
            )
            frame = (
                frame.join(common, frame[part] == common[f"_{part}_name"], "left")
                .drop(f"_{part}_name")
                .fillna(False, subset=[f"{part}_common"])
            )
        out.append(frame)
    return out


def records(frame: SplinkDataFrame) -> Iterator[dict[str, Any]]:
    """The rows of Splink's output: on Spark, brought to this process a partition at a time."""
    if frame.db_api.sql_dialect.sql_dialect_str == "spark":
        for row in frame.as_spark_dataframe().toLocalIterator():
            yield row.asDict()
    else:
        yield from frame.as_record_list()


def _saved_model(model: Path | dict[str, Any], backend: Backend) -> dict[str, Any]:
    """A saved model for `backend`. Splink writes a model's SQL in the dialect it was trained on,
    and names in it are quoted "so" for DuckDB, `so` for Spark; the rest of it reads in both."""
    settings: dict[str, Any] = (
        json.loads(model.read_text(encoding="utf-8"))
        if isinstance(model, Path)
        else json.loads(json.dumps(model))
    )
    quote = "`" if backend == "spark" else '"'

    def requoted(sql: str) -> str:
        return re.sub(r'"(\w+)"|`(\w+)`', lambda m: quote + (m[1] or m[2]) + quote, sql)

    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = requoted(level["sql_condition"])
    for rule in settings["blocking_rules_to_generate_predictions"]:
        rule["blocking_rule"] = requoted(rule["blocking_rule"])
        rule["sql_dialect"] = backend
    settings["sql_dialect"] = backend
    return settings


# Expectation maximisation reads at most about this many pairs of a block: past it, records are
# sampled (by a hash of their id, the same on every run), each pair of the block as likely to be
# kept as any other. Registers of a million meet 25 million pairs on the full date of birth;
# 3 million of them train a model that finds the same links (docs/benchmarks.md) in a sixth of
# the CPU time. Registers of up to some 300,000 records are not sampled (decision 0043).
# The block's size is first estimated from a tenth of the records on each side.
EM_MAX_PAIRS = 3_000_000
EM_PROBE = 0.1


def linker_for(
    tables: Sequence[pa.Table | Path],
    link_type: LinkType,
    model: Path | dict[str, Any] | None,
    say: Callable[[str], None],
    backend: Backend = "duckdb",
    *,
    gammas: bool = False,
) -> Linker:
    """A Splink linker over prepared tables: with a saved model (a file or its settings), or
    trained on the tables themselves. A table is in memory, or a Parquet file of `write_parquet`:
    Spark's executors read such a file themselves; DuckDB reads it here. Its predictions keep
    the records' years of birth and, with `gammas`, each comparison's level (`_apart_sql`)."""
    # heavy, imported when used (the module's note)
    from splink import Linker, block_on
    from splink.internals.exceptions import SplinkException

    api: Any
    if backend == "spark":
        # optional extra, imported for Spark only
        from splink.backends.spark import SparkAPI

        spark = _spark()
        for i in range(len(tables)):  # a session used before still holds its registers
            spark.catalog.dropTempView(f"register_{i}")
        api = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
    else:
        # heavy, imported when used (the module's note)
        import duckdb
        from splink.backends.duckdb import DuckDBAPI

        # DuckDB spills to disk past this, so two registers of a million fit a modest machine.
        limit = os.environ.get("JISR_LINKAGE_MEMORY", "6GB")
        api = DuckDBAPI(
            duckdb.connect(config={"memory_limit": limit, "temp_directory": tempfile.gettempdir()})
        )
    inputs: Sequence[Any]
    if backend == "spark" and all(isinstance(t, Path) for t in tables):
        inputs = _spark_registers(_spark(), [Path(t) for t in tables])
    else:
        # heavy, imported when used (the module's note)
        import pyarrow.parquet as pq

        inputs = with_commonness([pq.read_table(t) if isinstance(t, Path) else t for t in tables])
    frames = [
        api.register(table, dataset_display_name=f"register_{i}") for i, table in enumerate(inputs)
    ]
    if model is not None:
        return Linker(
            frames if len(frames) > 1 else frames[0],
            _retaining(_saved_model(model, backend), gammas=gammas),
            log_level=40,
        )
    linker = Linker(frames if len(frames) > 1 else frames[0], _settings(link_type), log_level=40)
    say("estimating how many pairs match")
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_sound", "father_sound", "grandfather_sound", "birth_year"),
            block_on("first_sound", "phone"),
        ],
        recall=0.6,
    )
    if not 0 < linker.misc.save_model_to_json()["probability_two_random_records_match"] < 1:
        # No pair agrees on what these blocks read: the registers (or what an agreement lets a
        # run compare of them) hold too little in common to weigh anything.
        raise ValueError(
            "Too few fields in common to train a model: the names and the date of birth are needed."
        )
    say("estimating u from random pairs")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    # Each session leaves free what it estimates, and blocks on what namesakes and siblings do
    # not share (a mother, a full date of birth), so that "the same person" is what EM learns.
    # A register without mothers' names or full dates leaves those blocks empty; then blocks
    # that are weaker against namesakes train what is still untrained.
    rules = [
        block_on("first_sound", "father_sound", "mother_sound"),
        block_on("birth_year", "birth_md"),
        block_on("first_sound", "father_sound", "grandfather_sound"),
        block_on("first_sound", "birth_year"),
        block_on("family_sound", "birth_year"),
        block_on("phone"),
    ]
    skipped = 0
    for number, rule in enumerate(rules):
        if number >= 2 + skipped:  # a weaker block only stands in for one that had no pairs
            break
        say("estimating m by expectation maximisation")
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule,
                estimate_without_term_frequencies=True,
                max_pairs=EM_MAX_PAIRS,
                record_sample_proportion=EM_PROBE,
            )
        # No pairs in this block, or a level whose m underflows in Splink's EM (ValueError):
        # the next block trains instead.
        except (SplinkException, ValueError) as error:
            say(f"  skipped: {str(error)[:120]}")
            skipped += 1
            # A session that fails part-way leaves the linker without the comparisons it had
            # set aside; the model as it was before the session is taken up again.
            linker = Linker(frames if len(frames) > 1 else frames[0], before, log_level=40)
    trained = _retaining(_smoothed(linker.misc.save_model_to_json()), gammas=gammas)
    return Linker(frames if len(frames) > 1 else frames[0], trained, log_level=40)


def _retaining(settings: dict[str, Any], *, gammas: bool) -> dict[str, Any]:
    """Settings whose predictions keep what tells two records apart (`_apart_sql`): the years of
    birth, and with `gammas` the comparisons' levels (Splink gives those with the matching
    columns only, the years among them)."""
    out = {**settings}
    if gammas:
        out["retain_matching_columns"] = True
    kept = [c for c in out.get("additional_columns_to_retain") or [] if c != "birth_year"]
    if not out.get("retain_matching_columns"):
        kept.append("birth_year")
    out["additional_columns_to_retain"] = kept
    return out


# No level is impossible for one person's two records: where expectation maximisation found
# none in its sample, the level keeps this much, so one unlucky field cannot veto a pair.
M_FLOOR = 0.002


def _smoothed(settings: dict[str, Any]) -> dict[str, Any]:
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if (
                not level.get("is_null_level")
                and not level.get("fix_m_probability")
                and m is not None
            ):
                level["m_probability"] = max(m, M_FLOOR)
    return settings


def one_to_one_threshold(threshold: float) -> float:
    """The probability from which a pair that is the best of both its records is a link, in a
    one-to-one link whose threshold is `threshold`."""
    odds = threshold / (1 - threshold) / ONE_TO_ONE_ODDS
    return round(odds / (1 + odds), 6)


def _best_of_both_sql(table: str, *, only_best: bool) -> str:
    """Splink's predictions of a link with `best_of_both`: whether no other pair of either record
    scores as high (a tie is no best). Window functions over the pairs, in DuckDB or Spark: the
    pairs stay in the backend, sorted within each record's partition."""
    swapped = "source_dataset_l = 'register_1'"
    left = f"CASE WHEN {swapped} THEN unique_id_r ELSE unique_id_l END"
    right = f"CASE WHEN {swapped} THEN unique_id_l ELSE unique_id_r END"
    # How many pairs of the record score at least as high as this one, this one included.
    ahead = (
        "count(*) OVER (PARTITION BY {} ORDER BY match_weight DESC "
        "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    )
    # A pair told apart is no best, and no rival of another: it is counted apart.
    apart = _apart_sql(first_names=False)
    best = (
        f"(NOT {apart} AND {ahead.format(f'{left}, {apart}')} = 1 "
        f"AND {ahead.format(f'{right}, {apart}')} = 1) AS best_of_both"
    )
    sql = f"SELECT *, {best} FROM {table}"  # noqa: S608  (no input: Splink's table name)
    return f"SELECT * FROM ({sql}) WHERE best_of_both" if only_best else sql  # noqa: S608


def with_best_of_both(
    frame: SplinkDataFrame, *, only_best: bool = False
) -> Iterator[dict[str, Any]]:
    """The rows of a link's predictions (as `records` gives them) with `best_of_both`; with
    `only_best`, only the pairs that are the best of both their records."""
    if frame.db_api.sql_dialect.sql_dialect_str == "spark":
        spark_frame = frame.as_spark_dataframe()
        spark_frame.createOrReplaceTempView("jisr_predictions")
        best = spark_frame.sparkSession.sql(
            _best_of_both_sql("jisr_predictions", only_best=only_best)
        )
        for row in best.toLocalIterator():
            yield row.asDict()
        return
    duckdb_api: Any = frame.db_api
    reader = duckdb_api._execute_sql_against_backend(
        _best_of_both_sql(frame.physical_name, only_best=only_best)
    ).to_arrow_reader(BATCH)
    for batch in reader:
        yield from batch.to_pylist()


def link(
    left: Path,
    right: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    one_to_one: bool = True,
    model: Path | None = None,
    save: Path | None = None,
    say: Callable[[str], None] = print,
    backend: Backend = "duckdb",
) -> list[tuple[str, str, float]]:
    """Pairs of records, one from each register, that are the same person. `one_to_one`: each
    register holds a person once (deduplicated), so a record links to one record at most: the
    pair that is the best of both its records, from `one_to_one_threshold(threshold)`; without
    it, every pair at the threshold (a register holding a person twice)."""
    say("reading the registers")
    linker = linker_for([read(left), read(right)], "link_only", model, say, backend)
    if save is not None:
        linker.misc.save_model_to_json(str(save), overwrite=True)
    say("comparing the candidate pairs")
    if one_to_one:
        predictions = linker.inference.predict(
            threshold_match_probability=one_to_one_threshold(threshold)
        )
        found = list(with_best_of_both(predictions, only_best=True))
    else:
        found = linker.inference.predict(threshold_match_probability=threshold).as_record_list()
    pairs = []
    for row in found:
        a, b = row["unique_id_l"], row["unique_id_r"]
        if row.get("source_dataset_l") == "register_1":
            a, b = b, a
        pairs.append((a, b, round(float(row["match_probability"]), 4)))
    return sorted(pairs)


def dedupe(
    path: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    model: Path | None = None,
    save: Path | None = None,
    say: Callable[[str], None] = print,
    backend: Backend = "duckdb",
) -> dict[str, str]:
    """Each record's cluster: records of the same person share one."""
    say("reading the register")
    table = read(path)
    linker = linker_for([table], "dedupe_only", model, say, backend, gammas=True)
    if save is not None:
        linker.misc.save_model_to_json(str(save), overwrite=True)
    say("comparing the candidate pairs")
    predictions = linker.inference.predict(threshold_match_probability=AGAINST / 10)
    say("grouping the records of each person")
    return grouped(predictions, table.column("unique_id").to_pylist(), threshold, say=say)


# Rows of Splink's predictions read at a time while grouping.
BATCH = 200_000


def _rows(
    frame: SplinkDataFrame,
    where: str,
    only: list[str] | None = None,
    probability: str = "match_probability",
) -> Iterator[Any]:
    """(`probability`, left id, right id) of the predictions that meet `where`, a batch at a
    time, so the pairs never sit in this process all at once; with `only`, pairs of those
    records."""
    selected = [probability, "unique_id_l", "unique_id_r"]
    columns = ", ".join(selected)
    if frame.db_api.sql_dialect.sql_dialect_str == "spark":
        pairs = frame.as_spark_dataframe().where(where).selectExpr(*selected)
        keep = set(only) if only is not None else None
        for row in pairs.toLocalIterator():
            if keep is None or (row[1] in keep and row[2] in keep):
                yield float(row[0]), str(row[1]), str(row[2])
        return
    # heavy, imported when used (the module's note)
    import pyarrow as pa

    duckdb_api: Any = frame.db_api
    sql = f"SELECT {columns} FROM {frame.physical_name} WHERE {where}"  # noqa: S608  (no input)
    if only is not None:
        duckdb_api._con.register("jisr_linked", pa.table({"id": pa.array(only, pa.string())}))
        sql += (
            " AND unique_id_l IN (SELECT id FROM jisr_linked)"
            " AND unique_id_r IN (SELECT id FROM jisr_linked)"
        )
    reader = duckdb_api._execute_sql_against_backend(sql).to_arrow_reader(BATCH)
    for batch in reader:
        yield from zip(
            batch.column(0).to_pylist(),
            map(str, batch.column(1).to_pylist()),
            map(str, batch.column(2).to_pylist()),
            strict=True,
        )
    if only is not None:
        duckdb_api._con.unregister("jisr_linked")


def _on_duckdb(frame: SplinkDataFrame) -> bool:
    return bool(frame.db_api.sql_dialect.sql_dialect_str == "duckdb")


def grouped(
    predictions: SplinkDataFrame,
    record_ids: list[str],
    threshold: float,
    say: Callable[[str], None] = print,
) -> dict[str, str]:
    """`clusters` over a dedupe's predictions, in memory bounded by the links, not by the pairs
    compared: the pairs at or above the threshold are read first; of those below `AGAINST`, only
    pairs inside one group of linked records are read, since no other can keep two groups apart.
    A pair whose evidence tells its records apart (`_apart_sql`: given names that differ, birth
    years far apart) is no link and keeps their groups apart, whatever its probability."""
    apart = _apart_sql(first_names=True)
    strong = list(_rows(predictions, f"match_probability >= {threshold!r} AND NOT {apart}"))
    root: dict[str, str] = {}

    def find(node: str) -> str:
        root.setdefault(node, node)
        while root[node] != node:
            root[node] = root[root[node]]
            node = root[node]
        return node

    for _probability, left, right in strong:
        a, b = find(left), find(right)
        if a != b:
            root[a] = b
    linked = sorted(root)
    against = [
        pair
        for pair in _rows(
            predictions,
            f"(match_probability < {AGAINST!r} OR {apart})",
            only=linked,
            probability=f"CASE WHEN {apart} THEN 0.0 ELSE match_probability END",
        )
        if find(pair[1]) == find(pair[2])
    ]
    compared = (
        f"{predictions.as_duckdbpyrelation().shape[0]:,}" if _on_duckdb(predictions) else "the"
    )
    say(
        f"  {len(strong):,} links and {len(against):,} low pairs inside their groups read, "
        f"of {compared} pairs scored above {AGAINST / 10}"
    )
    groups = clusters(linked, strong + against, threshold)
    out = {record_id: record_id for record_id in record_ids}
    out.update(groups)
    return out

"""A linkage run over registers held in the database.

The run reads the records in force of one register (duplicates) or two (links), with Jisr's
registry refreshed first when it takes part, and of them only the fields every reader of its
pairs may see (`selectors.run_compared_fields`); it reuses the latest trained model of that pair of
registers if it compared the same fields, or trains one (u from random pairs, m by expectation
maximisation) and keeps it as a new version; it keeps the pairs above the review band with their
evidence, replacing those of the pair's previous run (reviewers' decisions are kept apart and
never touched); it measures the model against the reviewers' decisions with Splink's accuracy
analysis; and it brings the golden record up to date.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from jisr.core.watchdog import beating
from jisr.linkage.engine import evidence, splink_model
from jisr.linkage.engine.prepare import INPUT_COLUMNS
from jisr.linkage.golden import clusters_recompute
from jisr.linkage.mirror import registry_mirror_refresh
from jisr.linkage.models import (
    CandidatePair,
    LinkageModel,
    LinkageRun,
    PairDecision,
    Register,
    RegisterRecord,
)
from jisr.linkage.selectors import run_compared_fields

if TYPE_CHECKING:
    import pyarrow as pa
    from splink import Linker
    from splink.internals.splink_dataframe import SplinkDataFrame

logger = logging.getLogger(__name__)


def _records(register: Register, fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The register's records in force as the model reads them, with only `fields`: a field
    left out is empty on every record, so no comparison, block or weight reads it."""
    records = RegisterRecord.objects.filter(register=register, withdrawn_at__isnull=True)
    columns = [c for c in INPUT_COLUMNS if c != "record_id" and c in fields]
    for pk, *values in records.values_list("pk", *columns).iterator(chunk_size=5000):
        yield {"record_id": str(pk), **dict(zip(columns, values, strict=True))}


@contextmanager
def _inputs(
    run: LinkageRun, registers: list[Register], fields: dict[int, tuple[str, ...]]
) -> Iterator[tuple[list[pa.Table | Path], list[int]]]:
    """The registers as the model's inputs, and the records of each. On DuckDB, tables in this
    process. On Spark, Parquet files streamed from the database into a folder of
    JISR_SPARK_DATA_DIR that the cluster's nodes read (decision 0033), removed when the run
    ends; a folder left by a worker killed during this run goes when the run is retried."""
    if settings.JISR_LINKAGE_BACKEND != "spark":
        tables = [splink_model.table(_records(r, fields[r.pk])) for r in registers]
        yield list(tables), [t.num_rows for t in tables]
        return
    base = Path(settings.JISR_SPARK_DATA_DIR or tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    for left_behind in base.glob(f"jisr-run-{run.pk}-*"):
        shutil.rmtree(left_behind, ignore_errors=True)
    # Readable by its owner only: the records are personal data (docs/operations.md).
    folder = Path(tempfile.mkdtemp(prefix=f"jisr-run-{run.pk}-", dir=base))
    try:
        paths = [folder / f"register_{i}.parquet" for i in range(len(registers))]
        counts = [
            splink_model.write_parquet(_records(register, fields[register.pk]), path)
            for register, path in zip(registers, paths, strict=True)
        ]
        yield list(paths), counts
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_execute(*, run_id: int) -> LinkageRun | None:
    """Run a queued run (in the background worker); a failure is kept on the run.

    Taking the run is one conditional UPDATE: a run already taken, finished or gone is left
    alone, so a task queued twice (the watchdog's retry, a task that waited for Redis) runs it
    once. While it runs, its heartbeat is refreshed; the last write replaces the pair's previous
    pairs in one transaction, so a run killed part-way and run again keeps nothing twice."""
    taken = LinkageRun.objects.filter(pk=run_id, status=LinkageRun.Status.QUEUED).update(
        status=LinkageRun.Status.RUNNING, heartbeat_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not taken:
        logger.info("linkage run %s is not waiting to run: nothing to do", run_id)
        return None
    run = LinkageRun.objects.select_related("left__organisation", "right__organisation").get(
        pk=run_id
    )
    beat = LinkageRun.objects.filter(pk=run.pk, status=LinkageRun.Status.RUNNING)
    try:
        with beating(lambda: beat.update(heartbeat_at=timezone.now())):
            _execute(run)
    except Exception as error:  # a failed run is reported on its page, never half-kept
        logger.exception("linkage run %s failed", run.pk)
        LinkageRun.objects.filter(pk=run.pk).update(
            status=LinkageRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


def _execute(run: LinkageRun) -> None:
    started = timezone.now()
    registers = [run.left] + ([run.right] if run.right else [])
    for register in registers:
        if register.kind == Register.Kind.JISR_REGISTRY:
            _mirror, erased = registry_mirror_refresh(organisation=register.organisation)
            if erased:  # the golden record follows at once, even should the run fail
                clusters_recompute()
    # Read when the run starts: an agreement changed since the run was queued counts.
    fields = run_compared_fields(run=run)
    if any(not set(names) & set(INPUT_COLUMNS) for names in fields.values()):
        raise ValueError("The agreements share no field the model compares.")
    with _inputs(run, registers, fields) as (tables, records):
        _link(run, registers, fields, tables, records, started)


def _link(
    run: LinkageRun,
    registers: list[Register],
    fields: dict[int, tuple[str, ...]],
    tables: list[pa.Table | Path],
    records: list[int],
    started: dt.datetime,
) -> None:
    if min(records) < 2:
        raise ValueError("A register in this run has fewer than two records in force.")
    backend: splink_model.Backend = (
        "spark" if settings.JISR_LINKAGE_BACKEND == "spark" else "duckdb"
    )
    link_type: splink_model.LinkType = "link_only" if run.right else "dedupe_only"
    saved = LinkageModel.objects.filter(left=run.left, right=run.right).first()
    # A model trained on other fields has no weights for those now compared, or weighs some
    # now withheld: a new version is trained.
    compared = {str(pk): list(names) for pk, names in fields.items()}
    if saved is None or run.retrain or saved.fields != compared:
        # Trained on DuckDB, here, whichever backend then links (decision 0033).
        trained = splink_model.linker_for(tables, link_type, None, say=lambda _text: None)
        saved = LinkageModel.objects.create(
            left=run.left,
            right=run.right,
            settings=trained.misc.save_model_to_json(),
            version=1 + LinkageModel.objects.filter(left=run.left, right=run.right).count(),
            trained_on={str(r.pk): n for r, n in zip(registers, records, strict=True)},
            fields=compared,
        )
    model_settings = {
        **saved.settings,
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": True,
    }
    linker = splink_model.linker_for(
        tables, link_type, model_settings, say=lambda _text: None, backend=backend
    )
    predictions = linker.inference.predict(threshold_match_probability=run.review_from)
    # A link of two registers is one to one (decision 0047): a pair is a link when it is the
    # best of both its records, from a lower probability than the threshold; a pair that
    # another pair of one of its records matches or beats waits for a reviewer, however high
    # it scores (a brother whose own record is there, or a record a register holds twice).
    rows = (
        splink_model.with_best_of_both(predictions)
        if run.right
        else splink_model.records(predictions)
    )
    bar = run.links_from
    pairs = []
    for row in rows:
        left, right = int(row["unique_id_l"]), int(row["unique_id_r"])
        if run.right and row.get("source_dataset_l") == "register_1":
            left, right = right, left
        probability = float(row["match_probability"])
        found = evidence.from_prediction(row)
        # Records whose given names differ (beyond nickname, script and spelling) are twins,
        # siblings or a nickname Jisr does not know, and records born years apart a parent and
        # a child named alike: a person decides, never the model alone.
        certain = (
            probability >= bar
            and row.get("best_of_both", True)
            and found.get("first", [1])[0] != 0
            and not splink_model.years_apart(row)
        )
        pairs.append(
            CandidatePair(
                run=run,
                left_id=left,
                right_id=right,
                probability=round(probability, 6),
                band=CandidatePair.Band.LINK if certain else CandidatePair.Band.REVIEW,
                evidence=found,
            )
        )
    accuracy = _accuracy(linker, run, registers)
    with transaction.atomic():
        # A person who withdrew consent while the run read the registers is erased already:
        # none of their pairs is kept.
        withdrawn = set(
            RegisterRecord.objects.filter(
                register__in=registers, withdrawn_at__gte=started
            ).values_list("pk", flat=True)
        )
        pairs = [p for p in pairs if p.left_id not in withdrawn and p.right_id not in withdrawn]
        CandidatePair.objects.filter(run__left=run.left, run__right=run.right).delete()
        CandidatePair.objects.bulk_create(pairs, batch_size=2000)
        links = sum(p.band == CandidatePair.Band.LINK for p in pairs)
        LinkageRun.objects.filter(pk=run.pk).update(
            status=LinkageRun.Status.DONE,
            finished_at=timezone.now(),
            model=saved,
            accuracy=accuracy,
            counts={
                "records": records,
                "links": links,
                "to_review": len(pairs) - links,
            },
        )
        clusters_recompute()


def _accuracy(linker: Linker, run: LinkageRun, registers: list[Register]) -> dict[str, Any]:
    """Precision and recall at the run's threshold against the reviewers' decisions (the
    latest per pair), with Splink's accuracy analysis; empty while there are none."""
    import pyarrow as pa  # heavy: loaded by a run only, never by a page

    in_run = Q(left__register__in=registers) & Q(right__register__in=registers)
    latest: dict[tuple[int, int], bool] = {}
    for decision in (
        PairDecision.objects.filter(in_run)
        .order_by("decided_at", "id")
        .values("left_id", "right_id", "same_person", "left__register_id")
    ):
        left, right = decision["left_id"], decision["right_id"]
        if run.right and decision["left__register_id"] != run.left_id:
            left, right = right, left
        latest[(left, right)] = decision["same_person"]
    if not latest:
        return {}
    dataset = ("register_0", "register_1" if run.right else "register_0")
    labels = pa.table(
        {
            "source_dataset_l": [dataset[0]] * len(latest),
            "unique_id_l": [str(pair[0]) for pair in latest],
            "source_dataset_r": [dataset[1]] * len(latest),
            "unique_id_r": [str(pair[1]) for pair in latest],
            "clerical_match_score": [1.0 if same else 0.0 for same in latest.values()],
        }
    )
    table = linker.table_management.register_table(labels, f"labels_{run.pk}", overwrite=True)
    # output_type="table" gives a table, not one of the charts the method's type also allows.
    analysis = cast(
        "SplinkDataFrame",
        linker.evaluation.accuracy_analysis_from_labels_table(
            table, threshold_match_probability=run.threshold, output_type="table"
        ),
    )
    rows = analysis.as_record_list()
    at = (
        min(rows, key=lambda r: abs(float(r["truth_threshold"]) - _weight(run.threshold)))
        if rows
        else {}
    )
    return {
        "labels": len(latest),
        "threshold": run.threshold,
        "precision": _number(at.get("precision")),
        "recall": _number(at.get("recall")),
        "true_positives": int(_number(at.get("tp")) or 0),
        "false_positives": int(_number(at.get("fp")) or 0),
        "false_negatives": int(_number(at.get("fn")) or 0),
    }


def _number(value: Any) -> float | None:
    """A figure of the analysis, rounded; None where it is undefined (no positives: NaN)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, 3)


def _weight(probability: float) -> float:
    return math.log2(probability / (1 - probability))

"""Deployment checks of linkage on a Spark cluster (`jisr check --deploy`, decision 0033)."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.compatibility, deploy=True)
def check_spark_linkage(app_configs: Any, **kwargs: Any) -> list[Any]:
    if settings.JISR_LINKAGE_BACKEND != "spark":
        return []
    problems: list[Any] = []
    if importlib.util.find_spec("pyspark") is None:
        problems.append(
            Error(
                "Linkage runs go to Spark, but pyspark is not installed.",
                hint="pip install -e '.[spark]' in the worker's environment, and Java 17.",
                id="jisr.linkage.E001",
            )
        )
    if not settings.JISR_SPARK_DATA_DIR:
        problems.append(
            CheckWarning(
                "Linkage runs hand their registers to Spark in this machine's temp folder, "
                "which a cluster's nodes do not read.",
                hint="Set JISR_SPARK_DATA_DIR to storage mounted at the same path on the worker "
                "and every node of the cluster (docs/operations.md).",
                id="jisr.linkage.W001",
            )
        )
    elif not os.path.isdir(settings.JISR_SPARK_DATA_DIR):
        problems.append(
            CheckWarning(
                "JISR_SPARK_DATA_DIR is not a folder on this machine.",
                hint="Mount the shared storage there, or correct the path.",
                id="jisr.linkage.W002",
            )
        )
    if "--master" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        problems.append(
            CheckWarning(
                "Linkage runs go to a local Spark on the worker's machine, not to a cluster.",
                hint='Name the cluster in PYSPARK_SUBMIT_ARGS ("--master spark://HOST:7077 '
                '--jars SPLINK_JAR ... pyspark-shell", docs/operations.md).',
                id="jisr.linkage.W003",
            )
        )
    return problems

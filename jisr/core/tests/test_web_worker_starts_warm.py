"""A new web worker loads its views, catalogues and templates before its first request (issue 14:
the soak's first sign-ins took 1.3 s while the workers were new), and does so without the
database, which may be down when it starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jisr.core.warmup import project_templates

LOADED = """
import json
import jisr.wsgi
from django.template import engines
from django.urls import get_resolver
from django.utils.translation import trans_real

cached = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "templates": sorted(cached.get_template_cache),
    "views": get_resolver()._populated,
    "languages": sorted(trans_real._translations),
}))
"""


def test_the_web_entry_point_loads_views_catalogues_and_templates_without_a_database(tmp_path):
    environment = {
        **os.environ,
        "JISR_VAR_DIR": str(tmp_path),
        # Nothing answers there: loading must not need the database.
        "DATABASE_URL": "postgres://jisr@127.0.0.1:9/nowhere",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", LOADED],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["views"] is True
    assert {"ar", "ckb", "en"} <= set(loaded["languages"])
    ours = project_templates()
    assert len(ours) > 50
    assert set(ours) <= set(loaded["templates"])

"""The web's entry point (gunicorn jisr.wsgi). It marks the process as the web before the
settings are read: its database connections get the web's statement timeout (decision 0036).
Each worker loads its views, catalogues and templates before its first request (`warmup.py`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ["JISR_PROCESS"] = "web"
application = get_wsgi_application()

from jisr.core.warmup import warm  # noqa: E402 - once Django is set up

warm()

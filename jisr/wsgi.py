"""The web's entry point (gunicorn jisr.wsgi). It marks the process as the web before the
settings are read: its database connections get the web's statement timeout (decision 0036)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ["JISR_PROCESS"] = "web"
application = get_wsgi_application()

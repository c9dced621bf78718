from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "jisr.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Here, not at the top: they import models, which exist only once the apps are loaded.
        # Importing them registers the checks and connects the sign-in receivers.
        from jisr.audit import checks, signals  # noqa: F401

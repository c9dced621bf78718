from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "jisr.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from jisr.audit import checks, signals  # noqa: F401  (registers the checks, connects the sign-in receivers)

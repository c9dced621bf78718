from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jisr.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Here, not at the top: the checks import models, which exist only once the apps are
        # loaded. Importing them registers the system checks.
        from jisr.core import checks  # noqa: F401
        from jisr.lib import reference

        reference.connect()

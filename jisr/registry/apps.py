from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "jisr.registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # Imported here, not above: Django imports this module before any app's models exist.
        from jisr.core.watchdog import sweep_register
        from jisr.registry.imports.running import person_imports_stale_sweep

        # The worker's watchdog takes again, once, an import whose worker was killed.
        sweep_register(person_imports_stale_sweep)

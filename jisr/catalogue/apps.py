from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "jisr.catalogue"
    verbose_name = "Service catalogue"

    def ready(self) -> None:
        # Imported here, not above: Django imports this module before any app's models exist.
        from jisr.catalogue.hsds.running import hsds_imports_stale_sweep
        from jisr.core.watchdog import sweep_register

        # The worker's watchdog takes again, once, an HSDS import whose worker was killed.
        sweep_register(hsds_imports_stale_sweep)

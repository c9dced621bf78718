from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "jisr.linkage"
    verbose_name = "Record linkage"

    def ready(self) -> None:
        # Imported here, not above: Django imports this module before any app's models exist.
        from jisr.linkage.services import mirror_follow_consent, mirror_follow_consents
        from jisr.registry.signals import consent_recorded, consents_recorded

        # The registry sends, the linkage mirror follows: registry never imports linkage.
        consent_recorded.connect(mirror_follow_consent, dispatch_uid="linkage.mirror")
        consents_recorded.connect(mirror_follow_consents, dispatch_uid="linkage.mirror_many")

        from jisr.core.watchdog import sweep_register
        from jisr.linkage.tasks import runs_stale_sweep
        from jisr.linkage.uploading import uploads_stale_sweep

        # The worker's watchdog runs again, once, a run or an upload whose worker was killed.
        sweep_register(runs_stale_sweep)
        sweep_register(uploads_stale_sweep)

        # Importing it registers the deployment checks of linkage on Spark.
        from jisr.linkage import checks  # noqa: F401

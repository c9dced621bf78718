from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "jisr.linkage"
    verbose_name = "Record linkage"

    def ready(self) -> None:
        from jisr.linkage.services import consent_recorded
        from jisr.registry.signals import consent_recorded as registry_consent_recorded

        # The registry sends, the linkage mirror follows: registry never imports linkage.
        registry_consent_recorded.connect(consent_recorded, dispatch_uid="linkage.mirror")

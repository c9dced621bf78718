from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "jisr.matching"
    verbose_name = "Profiles, opportunities and matching"

    def ready(self) -> None:
        from jisr.matching.receivers import occupations_from_import
        from jisr.registry.signals import persons_imported

        # The registry sends, matching starts the skills profile: registry never imports matching.
        persons_imported.connect(occupations_from_import, dispatch_uid="matching.occupation")

from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "jisr.matching"
    verbose_name = "Profiles, opportunities and matching"

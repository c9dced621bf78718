from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jisr.cases"
    verbose_name = "Case management and referral"

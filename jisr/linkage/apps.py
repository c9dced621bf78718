from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "jisr.linkage"
    verbose_name = "Record linkage"

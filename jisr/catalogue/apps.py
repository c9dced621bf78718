from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "jisr.catalogue"
    verbose_name = "Service catalogue"

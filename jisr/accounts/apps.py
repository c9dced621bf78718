from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jisr.accounts"
    verbose_name = _("Organisations and accounts")

    def ready(self) -> None:
        from jisr.accounts import sessions  # noqa: F401  # connects its sign-in receiver

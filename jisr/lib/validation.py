from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisr.lib.errors import JisrError

# Every link Jisr stores is http or https: Django's URLValidator also takes ftp and ftps, and a
# link is shown to people who click it (templates render it through the `safe_url` filter too).
validate_http_url = URLValidator(schemes=["http", "https"])


def invalid(fields: dict[str, list[str]], message: str | None = None) -> JisrError:
    return JisrError(
        "invalid", message or _("Some fields need correcting."), status=422, fields=fields
    )


def validated_save(instance: models.Model) -> None:
    """`full_clean()` then save; model validation errors become one JisrError with field errors."""
    try:
        instance.full_clean()
    except ValidationError as error:
        raise invalid({k: [str(m) for m in v] for k, v in error.message_dict.items()}) from None
    instance.save()

"""Iraq's governorates and districts, named in Arabic, Central Kurdish and English.

Governorates carry their ISO 3166-2:IQ codes. The rows are reference data shipped in
`data/*.csv` and loaded by a migration, so every install has the same places.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jisr.core.models import NamedInThreeLanguages


class Governorate(NamedInThreeLanguages):
    code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("governorate")
        verbose_name_plural = _("governorates")


class District(NamedInThreeLanguages):
    governorate = models.ForeignKey(
        Governorate,
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("governorate"),
    )

    class Meta:
        ordering = ["governorate__name_en", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["governorate", "name_en"], name="district_unique_name")
        ]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

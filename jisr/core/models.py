"""Abstract building blocks shared by the domain apps (no tables of its own)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedInThreeLanguages(models.Model):
    """A thing with a name in Arabic, Central Kurdish and English; `name` is the reader's."""

    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_ckb = models.CharField(_("name in Central Kurdish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Arabic, then English."""
        language = (get_language() or "ar").split("-")[0]
        return str(getattr(self, f"name_{language}", "") or self.name_ar or self.name_en)

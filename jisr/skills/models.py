"""The occupation and skills taxonomy: ESCO v1.1.1 with its ISCO-08 groups, and the Arabic and
Central Kurdish names people use in Iraq.

ESCO is published by the European Commission and reused with acknowledgement of the source
(Commission Decision 2011/833/EU); codes, labels and relations are kept, descriptions are not.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Labelled(models.Model):
    label_en = models.CharField(_("name in English"), max_length=300)
    label_ar = models.CharField(_("name in Arabic"), max_length=300, blank=True)
    label_ckb = models.CharField(_("name in Central Kurdish"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_of(self.label_en, self.label_ar, self.label_ckb)

    @staticmethod
    def label_of(label_en: str, label_ar: str, label_ckb: str) -> str:
        """The name in the language in use, else in Arabic, else in English (for names read
        as values)."""
        language = (get_language() or "ar").split("-")[0]
        own = {"en": label_en, "ar": label_ar, "ckb": label_ckb}.get(language, "")
        return str(own or label_ar or label_en)


class IscoGroup(Labelled):
    """An ISCO-08 group: major (1 digit) to unit group (4 digits)."""

    code = models.CharField(_("ISCO-08 code"), max_length=4, primary_key=True)
    # Iraqi names of the few unit groups ESCO has no occupation for (e.g. 3221 nursing
    # associate professionals), so that coding can still propose them.
    synonyms_en = models.TextField(blank=True)
    synonyms_ar = models.TextField(blank=True)
    synonyms_ckb = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ISCO-08 group")
        verbose_name_plural = _("ISCO-08 groups")


class Occupation(Labelled):
    uuid = models.CharField(max_length=36, unique=True)
    code = models.CharField(_("ESCO code"), max_length=30, db_index=True)
    isco_group = models.CharField(_("ISCO-08 unit group"), max_length=4, db_index=True)
    synonyms_en = models.TextField(blank=True)
    synonyms_ar = models.TextField(blank=True)
    synonyms_ckb = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")


class Skill(Labelled):
    uuid = models.CharField(max_length=36, unique=True)
    skill_type = models.CharField(max_length=30)
    reuse_level = models.CharField(max_length=30)
    synonyms_en = models.TextField(blank=True)
    synonyms_ar = models.TextField(blank=True)
    synonyms_ckb = models.TextField(blank=True)

    class Meta:
        ordering = ["label_en"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")


class OccupationSkill(models.Model):
    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="occupation_links")
    essential = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occupation", "skill"], name="occupation_skill_once")
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id}-{self.skill_id}"


class CodingIndex(models.Model):
    """An index of `jisr.skills.coding`, built when the taxonomy is loaded and kept here, so
    that no web process builds it on its first type-ahead (decision 0029): numpy arrays in
    `.npz` form, read back without pickle."""

    OCCUPATIONS = "occupations"
    SKILLS = "skills"

    name = models.CharField(max_length=20, primary_key=True)
    built_at = models.DateTimeField()
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.name

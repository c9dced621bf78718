"""Persons and households on the standard case form, and consent per purpose.

Names are kept exactly as written and also as a normalised key (`jisr.lib.arabic`) for search
and duplicate warnings. There are no religion, sect or ethnicity fields, by design.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from jisr.lib.arabic import normalise_name
from jisr.registry.encryption import EncryptedText, blind_index

FORM_VERSION = "2026.1"


class PersonType(models.TextChoices):
    RETURNEE = "returnee", _("Returnee from abroad")
    IDP_RETURNEE = "idp_returnee", _("Returnee from internal displacement")
    IDP = "idp", _("Internally displaced")
    ABROAD = "abroad", _("Iraqi abroad")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Son or daughter")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER_RELATIVE = "relative", _("Other relative")
    OTHER = "other", _("Other, not related")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Household(models.Model):
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"#{self.pk}"


class Person(models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    father_name = models.CharField(_("father's name"), max_length=100, blank=True)
    grandfather_name = models.CharField(_("grandfather's name"), max_length=100, blank=True)
    family_name = models.CharField(_("family or tribe name"), max_length=100, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=150, blank=True)
    latin_name = models.CharField(
        _("name in Latin letters"), max_length=200, blank=True, help_text=_("As in a passport.")
    )
    aliases = models.CharField(
        _("also known as"),
        max_length=200,
        blank=True,
        help_text=_("Nicknames or kunya, for example أبو علي; separate several with commas."),
    )
    name_key = models.CharField(max_length=400, db_index=True, editable=False)

    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_date = models.DateField(
        _("date of birth"),
        null=True,
        blank=True,
        help_text=_("Leave empty when only the year is known."),
    )

    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    phone_2 = models.CharField(_("other phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    national_id = EncryptedText(
        _("national ID or passport number"), max_length=200, blank=True, null=True
    )
    national_id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    person_type = models.CharField(_("situation"), max_length=20, choices=PersonType.choices)
    country = CountryField(_("country of residence"), default="IQ")
    city = models.CharField(_("city (abroad)"), max_length=100, blank=True)
    governorate = models.ForeignKey(
        "places.Governorate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="persons",
        verbose_name=_("governorate"),
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="persons",
        verbose_name=_("district"),
    )

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    relationship = models.CharField(
        _("relationship to the head of household"), max_length=20, choices=Relationship.choices
    )

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("registered by organisation"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_persons",
        verbose_name=_("registered by"),
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("self-service account"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE
    )
    form_version = models.CharField(max_length=20, default=FORM_VERSION, editable=False)
    external_ref = models.CharField(
        _("source reference"),
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Where an imported record came from, e.g. the submission of an XLSForm."),
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["governorate", "person_type", "-created_at"]),
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["birth_year"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True) | models.Q(birth_year__gte=1900),
                name="person_birth_year_plausible",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive_keys()
        super().save(*args, **kwargs)

    def derive_keys(self) -> None:
        """The normalised name key and the identity number's blind index, from the record."""
        self.name_key = normalise_name(" ".join([self.full_name, self.aliases, self.latin_name]))
        self.national_id_index = blind_index(self.national_id or "")

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.father_name, self.grandfather_name, self.family_name]
        return " ".join(part for part in parts if part)

    def case_form_answers(self) -> dict[str, Any]:
        """Every stored answer of the person's case form, health and protection ones decrypted.
        Not audited: whoever shows them to someone reads them through `case_answers_get`."""
        record = CaseAnswers.objects.filter(person=self).first()
        if record is None:
            return {}
        return {**record.answers, **json.loads(record.sensitive_answers or "{}")}

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.birth_date:
            if self.birth_year and self.birth_year != self.birth_date.year:
                errors["birth_year"] = _("The year does not match the date of birth.")
            self.birth_year = self.birth_date.year
            if self.birth_date > timezone.localdate():
                errors["birth_date"] = _("The date of birth is in the future.")
        if self.birth_year and self.birth_year > timezone.localdate().year:
            errors["birth_year"] = _("The year of birth is in the future.")
        district = self.district if self.district_id else None
        if district is not None and not self.governorate_id:
            self.governorate_id = district.governorate_id
        if district is not None and district.governorate_id != self.governorate_id:
            errors["district"] = _("This district is in another governorate.")
        if (
            self.country == "IQ"
            and not self.governorate_id
            and self.person_type != PersonType.ABROAD
        ):
            errors["governorate"] = _("Give the governorate where the person lives in Iraq.")
        if errors:
            raise ValidationError(errors)


class Purpose(models.TextChoices):
    REGISTRATION = "registration", _("Registration in Jisr")
    REFERRAL = "referral", _("Referral to services")
    SHARING = "sharing", _("Sharing with another ministry")
    EMPLOYER_MATCHING = "employer_matching", _("Matching with employers")
    CONTACT = "contact", _("Contact about opportunities")
    RESEARCH = "research", _("Research and statistics")
    PROTECTION = "protection", _("Recording protection needs")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person, with a caseworker")
    PHONE = "phone", _("By phone, with a caseworker")
    ONLINE = "online", _("Online, by the person")


class ConsentEvent(models.Model):
    """One decision of a person about one purpose; the latest per purpose is the one in force."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consent_events")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    status = models.CharField(_("decision"), max_length=10, choices=ConsentStatus.choices)
    channel = models.CharField(_("how"), max_length=10, choices=ConsentChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    form_version = models.CharField(_("form version"), max_length=20, default=FORM_VERSION)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "purpose", "-at"])]
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")

    def __str__(self) -> str:
        return f"{self.purpose}: {self.status}"


class CaseAnswers(models.Model):
    """A person's answers to the standard case form (`jisr.registry.caseform`).

    Health and protection answers are encrypted at rest; the answers indicators count on are
    also kept in typed, indexed columns.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="case_answers")
    form_version = models.CharField(max_length=20)
    answers = models.JSONField(default=dict)
    sensitive_answers = EncryptedText(max_length=20000, blank=True, null=True)
    education_level = models.CharField(max_length=20, blank=True, db_index=True)
    employment_status = models.CharField(max_length=20, blank=True, db_index=True)
    return_date = models.DateField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case form answers")
        verbose_name_plural = _("case form answers")

    def __str__(self) -> str:
        return f"{self.person_id} ({self.form_version})"


class CategoryRule(models.Model):
    """A category a person falls in when all of its conditions hold (rules are data).

    `conditions` is a list of {"fact": ..., "op": ..., "value": ...}; the facts and operators
    are listed in `jisr.registry.categories`.
    """

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label_ar = models.CharField(_("name in Arabic"), max_length=200)
    label_ckb = models.CharField(_("name in Central Kurdish"), max_length=200)
    label_en = models.CharField(_("name in English"), max_length=200)
    conditions = models.JSONField(_("conditions"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("category rule")
        verbose_name_plural = _("category rules")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = (get_language() or "ar").split("-")[0]
        return str(getattr(self, f"label_{language}", "") or self.label_ar)


class PersonCategory(models.Model):
    """A category a person is in now, with the reason in words; recomputed on every change."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="categories")
    rule = models.ForeignKey(CategoryRule, on_delete=models.CASCADE, related_name="+")
    reason = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "rule"], name="person_category_once")
        ]
        indexes = [models.Index(fields=["rule", "person"])]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.rule_id}"


def _draft_token() -> str:
    return secrets.token_urlsafe(24)


class SelfRegistration(models.Model):
    """A person's own registration in progress: a draft they can come back to with its link,
    then the code that confirms their phone or e-mail. Deleted once the registration is done."""

    token = models.CharField(max_length=64, unique=True, default=_draft_token)
    data = models.JSONField(default=dict)
    contact = models.CharField(max_length=254)
    password_hash = models.CharField(max_length=255, blank=True)
    code_hash = models.CharField(max_length=255, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("self-registration in progress")
        verbose_name_plural = _("self-registrations in progress")

    def __str__(self) -> str:
        return f"draft {self.pk}"


class PersonImport(models.Model):
    """A spreadsheet of persons on its way in: uploaded, its columns mapped, checked, then
    imported by the worker chunk by chunk (decision 0032)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Waiting to be imported")
        RUNNING = "running", _("Being imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Stopped")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    imported = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the import is started: whether consent to registration is on paper, the rows to
    # import (those the check found ready: all of them), how many are done (imported or found
    # imported before; each chunk commits with this count, so a run resumes after it), and how
    # many of those were already imported.
    paper_consent = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # Refreshed by the running task; `attempts` counts the times a worker took it (decision 0023).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")

    def __str__(self) -> str:
        return self.filename


class PersonShare(models.Model):
    """A person's record shared with another organisation, with the person's consent to sharing.
    Withdrawing that consent ends every share at once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="shared_persons",
        verbose_name=_("shared with"),
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "ended_at"])]
        verbose_name = _("shared record")
        verbose_name_plural = _("shared records")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.organisation_id}"

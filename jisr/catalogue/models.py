"""The catalogue of reintegration services, shaped on Open Referral HSDS 3.0.

Organisations are Jisr's own (`accounts.Organisation`); a service belongs to one, is offered at
locations (`ServiceAtLocation`) or remotely, to an area (governorates), with eligibility that
referrals can check (age, sex, situation, categories of the registry) and the way to reach it.
Names and texts are kept in Arabic, Central Kurdish and English. What the public sees is the
published service; providers propose changes (`ServiceChange`) that a catalogue administrator
reviews, and every proposal is kept as the history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jisr.core.models import NamedInThreeLanguages
from jisr.lib.validation import validate_http_url


def _in_language(instance: models.Model, field: str) -> str:
    language = (get_language() or "ar").split("-")[0]
    return str(
        getattr(instance, f"{field}_{language}", "")
        or getattr(instance, f"{field}_ar", "")
        or getattr(instance, f"{field}_en", "")
        or getattr(instance, f"{field}_ckb", "")
    )


class ServiceCategory(NamedInThreeLanguages):
    """Two levels: a domain (legal, economic, ...) and the kinds of service within it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("domain"),
    )
    # Answers of the case form that show this need, as "question:value" (e.g. "needs:legal").
    needs = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")


class ServiceStatus(models.TextChoices):
    """HSDS 3.0's values."""

    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("No longer offered")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class EligibleSex(models.TextChoices):
    ANY = "", _("Women and men")
    FEMALE = "F", _("Women and girls only")
    MALE = "M", _("Men and boys only")


class DocumentType(models.TextChoices):
    NATIONAL_ID = "national_id", _("Unified national ID card")
    CIVIL_STATUS_ID = "civil_status_id", _("Civil status ID")
    NATIONALITY_CERTIFICATE = "nationality_certificate", _("Nationality certificate")
    RESIDENCE_CARD = "residence_card", _("Residence card")
    PASSPORT = "passport", _("Passport")
    RETURN_CERTIFICATE = (
        "return_certificate",
        _("Return registration from the Ministry of Migration"),
    )
    EDUCATION_CERTIFICATE = "education_certificate", _("Education certificates")
    PROPERTY_DOCUMENT = "property_document", _("Property documents")
    REFERRAL_LETTER = "referral_letter", _("Referral letter")
    NONE = "none", _("No document needed")


class Service(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organisation"),
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_ckb = models.CharField(_("name in Central Kurdish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description_ar = models.TextField(_("description in Arabic"), max_length=4000, blank=True)
    description_ckb = models.TextField(
        _("description in Central Kurdish"), max_length=4000, blank=True
    )
    description_en = models.TextField(_("description in English"), max_length=4000, blank=True)
    how_to_access_ar = models.TextField(
        _("how to access it, in Arabic"), max_length=2000, blank=True
    )
    how_to_access_ckb = models.TextField(
        _("how to access it, in Central Kurdish"), max_length=2000, blank=True
    )
    how_to_access_en = models.TextField(
        _("how to access it, in English"), max_length=2000, blank=True
    )
    categories = models.ManyToManyField(
        ServiceCategory, related_name="services", verbose_name=_("categories")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    url = models.URLField(_("website"), blank=True, validators=[validate_http_url])
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    free = models.BooleanField(_("free of charge"), default=True)
    fees = models.CharField(_("fees, if any"), max_length=300, blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    sex = models.CharField(
        _("for"), max_length=1, choices=EligibleSex.choices, default=EligibleSex.ANY, blank=True
    )
    # Situations (registry.PersonType) and registry categories the service is for; empty: all.
    person_types = models.JSONField(_("situations"), default=list, blank=True)
    eligible_categories = models.JSONField(_("registry categories"), default=list, blank=True)
    eligibility_note = models.CharField(_("other conditions"), max_length=500, blank=True)
    required_documents = models.JSONField(_("documents to bring"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    areas = models.ManyToManyField(
        "places.Governorate",
        blank=True,
        related_name="+",
        verbose_name=_("governorates served"),
        help_text=_("Leave empty for the whole of Iraq."),
    )
    remote = models.BooleanField(_("also by phone or online"), default=False)
    capacity_per_month = models.PositiveIntegerField(
        _("persons served per month"), null=True, blank=True
    )
    wait_days = models.PositiveSmallIntegerField(
        _("usual waiting time (days)"), null=True, blank=True
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        help_text=_("For example: Sunday to Thursday, 8:00 to 14:00."),
    )
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["name_ar", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["published", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="service_ages_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")

    @property
    def description(self) -> str:
        return _in_language(self, "description")

    @property
    def how_to_access(self) -> str:
        return _in_language(self, "how_to_access")


class Location(NamedInThreeLanguages):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="locations",
        verbose_name=_("organisation"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    governorate = models.ForeignKey(
        "places.Governorate",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("governorate"),
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        ordering = ["name_ar", "pk"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")


class ServiceAtLocation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="services")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_at_location_once")
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", _("Returned with a reason")


class ServiceChange(models.Model):
    """A provider's proposed version of a service (new or changed), and the review's answer.
    Approved changes are the history of what was published, and when, and by whom."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="changes")
    data = models.JSONField()
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for a service imported from another directory.",
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(status="pending"),
                name="one_pending_change_per_service",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.status}"


class ImportedOrganisation(models.Model):
    """An organisation an HSDS import created (decision 0015). Later imports may refresh its
    names and contacts, and its services and locations, only while it carries this mark and no
    account in Jisr speaks for it; they never set its kind, parent, governorate or verification."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="hsds_import"
    )
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return str(self.organisation_id)


class HsdsImport(models.Model):
    """A ZIP of HSDS 3.0 documents uploaded by a catalogue administrator, checked as a file,
    then imported by the worker in one transaction: all of it or nothing (decisions 0024, 0035).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be imported")
        RUNNING = "running", _("Being imported")
        IMPORTED = "imported", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Stopped")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    # The ZIP as uploaded (within JISR_UPLOAD_MAX_BYTES), so a worker on another machine reads
    # it and "Try again" reads it again; emptied once the import is done.
    content = models.BinaryField()
    documents = models.PositiveIntegerField(default=0)  # JSON files in the ZIP
    publish = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # What the import wrote, and what Jisr's rules left out (decision 0015).
    organisations = models.PositiveIntegerField(default=0)
    locations = models.PositiveIntegerField(default=0)
    services = models.PositiveIntegerField(default=0)
    left_out = models.JSONField(default=list)
    # On refusal: the problems by file, each "JSON Pointer: problem" (decision 0024).
    problems = models.JSONField(default=dict)
    # Refreshed by the running task; `attempts` counts the times a worker took it (decision 0023).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("HSDS import")
        verbose_name_plural = _("HSDS imports")

    def __str__(self) -> str:
        return self.filename

"""Registers of other institutions, their linkage to each other and to Jisr's registry, the
reviewers' decisions, and the agreements under which one organisation sees another's records.

A `Register` is a list of persons an organisation keeps (the Ministry of Labour's unemployed
jobseekers, the Ministry of Foreign Affairs' returnees registered before arrival). It is uploaded
as a spreadsheet whose columns are mapped once onto the standard person fields (the mapping is
kept on the register), checked row by row, then imported: each record keeps its source id, and
importing an updated register updates those records and withdraws the ones no longer in it.
Jisr's own registry takes part as a register too (`Register.Kind.JISR_REGISTRY`), its records
mirroring the persons an organisation registered, so one linkage code serves every pair.

A `LinkageRun` links two registers (or deduplicates one) with the Splink model
(`engine/splink_model.py`); its pairs above the threshold are links, those in the uncertain band
wait for review. Two registers are linked one to one: a pair is a link when it is the best of
both its records, from a lower probability (`links_from`); one another pair beats waits for
review (decision 0047).
`PairDecision` keeps every reviewer's decision on a pair; a re-run never changes them, and the
latest decision on a pair outranks any probability. The records joined by links form one person
(`RegisterRecord.cluster`, the golden record).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisr.linkage.engine.splink_model import one_to_one_threshold


class Register(models.Model):
    class Kind(models.TextChoices):
        RETURNEES = "returnees", _("Returnees")
        PRE_ARRIVAL = "pre_arrival", _("Registered before arrival")
        UNEMPLOYED = "unemployed", _("Unemployed jobseekers")
        DOCUMENTS = "documents", _("Identity documents issued")
        SOCIAL_PROTECTION = "social_protection", _("Social protection beneficiaries")
        OTHER = "other", _("Other")
        JISR_REGISTRY = "jisr_registry", _("Jisr registry")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="registers",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("what it records"), max_length=32, choices=Kind.choices)
    # Standard field → the column of the organisation's spreadsheet that holds it.
    mapping = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True)

    class Meta:
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="register_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """Jisr's registry by its name in the reader's language; others as their owner named
        them."""
        return (
            str(self.Kind.JISR_REGISTRY.label)
            if self.kind == self.Kind.JISR_REGISTRY
            else self.name
        )


class RegisterUpload(models.Model):
    """A spreadsheet of a register on its way in: uploaded, its columns matched, checked whole,
    then imported by the worker (or `jisr import-register`) chunk by chunk (decision 0034)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Waiting to be imported")
        RUNNING = "running", _("Being imported")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Stopped")

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="uploads")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    filename = models.CharField(max_length=200)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    # Created, updated, unchanged (each chunk adds its own as it commits), withdrawn (at the end).
    counts = models.JSONField(default=dict, blank=True)
    # Set when the import starts: the columns matched, the records to import (the rows the check
    # found ready: all of them), and how many are written (each chunk commits with this count,
    # so a run resumes after it).
    mapping = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # SHA-256 of a file imported by `jisr import-register`: the same file again resumes its
    # import, or adds nothing once it finished.
    checksum = models.CharField(max_length=64, blank=True, db_index=True)
    # Refreshed by the running task; `attempts` counts the times a worker took it (decision 0023).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.filename


class RegisterRecord(models.Model):
    """One person as a register writes them; the fields are kept as the source wrote them."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="records")
    source_id = models.CharField(_("source id"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=300, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    father_name = models.CharField(_("father's name"), max_length=100, blank=True)
    grandfather_name = models.CharField(_("grandfather's name"), max_length=100, blank=True)
    family_name = models.CharField(_("family or tribe name"), max_length=100, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    birth_date = models.CharField(
        _("date of birth"), max_length=10, blank=True
    )  # YYYY or YYYY-MM-DD
    governorate = models.CharField(_("governorate"), max_length=8, blank=True)  # ISO 3166-2:IQ
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(_("status in the register"), max_length=100, blank=True)
    # For records of Jisr's own registry: the person they mirror.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The golden record: records joined by links share the smallest record id among them.
    cluster = models.BigIntegerField(null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # The last upload whose file listed the record (an upload's id, no key: uploads are not
    # kept for it): once an upload's chunks are all written, the records of its register it did
    # not list are withdrawn, without holding the file's record numbers in memory.
    listed_by = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["register_id", "source_id"]
        constraints = [
            models.UniqueConstraint(fields=["register", "source_id"], name="record_source_unique")
        ]

    def __str__(self) -> str:
        return f"{self.register_id}:{self.source_id}"

    @property
    def display_name(self) -> str:
        parts = [self.first_name, self.father_name, self.grandfather_name, self.family_name]
        return " ".join(p for p in parts if p) or self.full_name


class LinkageRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    left = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="+")
    # Empty: the run looks for duplicates within `left`.
    right = models.ForeignKey(
        Register, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    threshold = models.FloatField(default=0.99)
    review_from = models.FloatField(default=0.5)
    # Train a new version of the pair's model instead of reusing the latest.
    retrain = models.BooleanField(default=False)
    model = models.ForeignKey(
        "LinkageModel", on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    counts = models.JSONField(default=dict, blank=True)  # links, to_review, records
    # Precision and recall against the reviewers' decisions, when there are some.
    accuracy = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Refreshed by the running task; a run whose heartbeat stopped lost its worker (decision
    # 0023). `attempts` counts the times a worker took it: a second loss marks it failed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"run {self.pk}"

    @property
    def links_from(self) -> float:
        """The probability from which a pair is a link: in a link of two registers, a pair that
        is the best of both its records links from below the threshold (decision 0047)."""
        return one_to_one_threshold(self.threshold) if self.right_id else self.threshold


class LinkageModel(models.Model):
    """A trained Splink model (its JSON), versioned per pair of registers and reused."""

    left = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(
        Register, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField()
    settings = models.JSONField()
    trained_at = models.DateTimeField(default=timezone.now)
    trained_on = models.JSONField(default=dict)  # records per register
    # Register id → the fields of its records the model compares: those the agreements let
    # every reader of the pairs see (`selectors.run_compared_fields`); the rest are left out of
    # its input. Empty for a model trained before this rule: it compared every field.
    fields = models.JSONField(default=dict)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["left", "right", "version"], name="model_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"model {self.version}"


class CandidatePair(models.Model):
    """A pair the latest run of its registers found: a link, or one for a reviewer."""

    class Band(models.TextChoices):
        LINK = "link", _("Linked")
        REVIEW = "review", _("To review")

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="pairs")
    left = models.ForeignKey(RegisterRecord, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(RegisterRecord, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    band = models.CharField(max_length=8, choices=Band.choices)
    # Per compared field: the level reached (a code of `evidence.py`) and its weight in bits.
    evidence = models.JSONField(default=dict)

    class Meta:
        ordering = ["-probability"]
        indexes = [models.Index(fields=["band", "probability"])]

    def __str__(self) -> str:
        return f"{self.left_id}-{self.right_id}"


class PairDecision(models.Model):
    """A reviewer's decision on a pair of records; every decision is kept, the latest counts."""

    left = models.ForeignKey(RegisterRecord, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(RegisterRecord, on_delete=models.CASCADE, related_name="+")
    same_person = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    probability = models.FloatField(null=True, blank=True)  # what the model said when decided

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["left", "right"])]

    def __str__(self) -> str:
        return f"{self.left_id}-{self.right_id}: {self.same_person}"


class SharingAgreement(models.Model):
    """The owner of a register lets another organisation see some of its fields, for a purpose,
    in cross-references and in the review of pairs."""

    FIELDS = (
        "source_id", "full_name", "first_name", "father_name", "grandfather_name",
        "family_name", "mother_name", "sex", "birth_date", "governorate", "phone", "status",
    )  # fmt: skip

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="agreements")
    recipient = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="received_agreements",
        verbose_name=_("shared with"),
    )
    fields = models.JSONField(_("fields shared"), default=list)
    purpose = models.CharField(_("purpose"), max_length=300)
    # Who has an open referral in Jisr is more than the fields shared: the recipient may ask it
    # (the cross-reference's filter) only where the agreement names this purpose.
    referral_follow_up = models.BooleanField(
        _("referral follow-up"),
        default=False,
        help_text=_("They may list the persons who have no open referral in Jisr."),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.register_id} → {self.recipient_id}"

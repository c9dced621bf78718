"""Cases, the needs recorded in them, and referrals of needs to services.

A referral between organisations, ministry to ministry included, follows one state machine
(`REFERRAL_TRANSITIONS`); every step is a `ReferralEvent`, and the data the receiving
organisation sees is the minimum the service needs, listed on the referral.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("supervising organisation"),
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("caseworker"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~models.Q(status="closed"),
                name="one_open_case_per_person",
            )
        ]
        # The list's order: its first page is read from the index, not by sorting every case.
        indexes = [models.Index(fields=["-opened_at", "-id"], name="cases_case_newest_first")]

    def __str__(self) -> str:
        return f"#{self.pk}"


class NeedPriority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class NeedStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    REFERRED = "referred", _("Referred")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    UNMET = "unmet", _("Unmet")
    DECLINED = "declined", _("Declined by the person")


class Need(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    category = models.ForeignKey(
        "catalogue.ServiceCategory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kind of help"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=NeedPriority.choices, default=NeedPriority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.IDENTIFIED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        # The early warning finds the needs that became too old since its last scan by range.
        indexes = [models.Index(fields=["created_at"], name="cases_need_created_at")]

    def __str__(self) -> str:
        return str(self.category)


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# Who moves a referral: the receiving organisation answers and works it; the sender may cancel
# it while it is not finished; the platform lets an unanswered one expire.
REFERRAL_TRANSITIONS: dict[str, dict[str, str]] = {
    ReferralStatus.SENT: {
        ReferralStatus.ACCEPTED: "receiver", ReferralStatus.DECLINED: "receiver",
        ReferralStatus.CANCELLED: "sender", ReferralStatus.EXPIRED: "platform",
    },
    ReferralStatus.ACCEPTED: {
        ReferralStatus.IN_PROGRESS: "receiver", ReferralStatus.COMPLETED: "receiver",
        ReferralStatus.CANCELLED: "sender",
    },
    ReferralStatus.IN_PROGRESS: {
        ReferralStatus.COMPLETED: "receiver", ReferralStatus.CANCELLED: "sender",
    },
    ReferralStatus.DECLINED: {},
    ReferralStatus.COMPLETED: {},
    ReferralStatus.CANCELLED: {},
    ReferralStatus.EXPIRED: {},
}  # fmt: skip
OPEN_REFERRAL = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


class Outcome(models.TextChoices):
    MET = "met", _("The need was met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class Referral(models.Model):
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("service"),
    )
    from_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)
    due_on = models.DateField(_("answer due by"))
    # What the receiving organisation sees of the person: field names, as shown on the record.
    shared_fields = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            # The inbox: an organisation's referrals newest first, of one status or all, read
            # from the index instead of sorting them all (issue 14: 40,000 of them took 40 ms).
            models.Index(
                fields=["to_organisation", "-created_at", "-id"], name="cases_referral_inbox"
            ),
            models.Index(
                fields=["to_organisation", "status", "-created_at", "-id"],
                name="cases_referral_inbox_status",
            ),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.status}"


class ReferralEvent(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class Plan(models.Model):
    """A returnee's reintegration plan: milestones counted from the return date."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    return_date = models.DateField(_("date of return"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("reintegration plan")

    def __str__(self) -> str:
        return f"{self.case_id}"


class Milestone(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    months = models.PositiveSmallIntegerField(_("months after return"))
    due_on = models.DateField(_("due"))
    needs = models.ManyToManyField(
        Need, blank=True, related_name="milestones", verbose_name=_("needs to address")
    )

    class Meta:
        ordering = ["months"]
        constraints = [models.UniqueConstraint(fields=["plan", "months"], name="milestone_once")]
        # The early warning finds the follow-ups that became late since its last scan by range.
        indexes = [models.Index(fields=["due_on"], name="cases_milestone_due_on")]

    def __str__(self) -> str:
        return f"{self.months}"


class FollowUpChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    ONLINE = "online", _("Online, by the person")


class FollowUp(models.Model):
    """A follow-up survey: typed answers (`jisr.cases.followup.QUESTIONS`) and their scores."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    channel = models.CharField(_("how"), max_length=10, choices=FollowUpChannel.choices)
    answers = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)  # per dimension and "overall", from 0 to 1
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.at:%Y-%m-%d}"


class WarningKind(models.TextChoices):
    REFERRAL_OVERDUE = "referral_overdue", _("A referral is not answered by its due date")
    DECLINED_NO_ALTERNATIVE = (
        "declined_no_alternative",
        _("A referral was declined and the need has no other"),
    )
    NEED_UNMET = "need_unmet", _("A need is still unmet after some days")
    FOLLOW_UP_MISSED = "follow_up_missed", _("A follow-up is missed")
    SCORE_DROP = "score_drop", _("A follow-up score fell")
    MIGRATION_INTENTION = "migration_intention", _("The person intends to migrate again")
    PLAN_MISSING = "plan_missing", _("No reintegration plan a month after return")


class WarningRule(models.Model):
    """An early-warning rule: which setback, with which threshold, and what to do about it."""

    kind = models.CharField(_("setback"), max_length=30, choices=WarningKind.choices, unique=True)
    threshold = models.PositiveSmallIntegerField(
        _("threshold"),
        default=0,
        help_text=_(
            "Days for unmet needs and missed follow-ups; points out of 100 for a fall in score."
        ),
    )
    action_ar = models.CharField(_("suggested action in Arabic"), max_length=300)
    action_ckb = models.CharField(_("suggested action in Central Kurdish"), max_length=300)
    action_en = models.CharField(_("suggested action in English"), max_length=300)
    is_active = models.BooleanField(_("active"), default=True)
    # The last scan that ran the rule (`jisr.cases.warnings`): its day, its time and the
    # threshold it used. The next scan looks only at what changed since, unless the threshold
    # changed, time went back or a full scan is asked for.
    scanned_on = models.DateField(null=True, blank=True, editable=False)
    scanned_at = models.DateTimeField(null=True, blank=True, editable=False)
    scanned_threshold = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("early-warning rule")

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def action(self) -> str:

        language = (get_language() or "ar").split("-")[0]
        return str(getattr(self, f"action_{language}", "") or self.action_ar)


class WarningTouch(models.Model):
    """A case whose early-warning inputs changed since the last scan: written by database
    triggers on the tables the rules read (cases, needs, referrals, plans, milestones,
    follow-ups and case-form answers; migration 0004), whatever wrote them, and taken by the
    next scan. No foreign key: the case may be gone by then."""

    case_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.case_id}"


class Flag(models.Model):
    """A setback found by a rule, open until its cause is gone."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    rule = models.ForeignKey(WarningRule, on_delete=models.CASCADE, related_name="flags")
    subject = models.CharField(max_length=40)  # what it is about: "referral:12", "need:5", ...
    detail = models.JSONField(default=dict)
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_flag_per_subject",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "-raised_at"])]

    def __str__(self) -> str:
        return f"{self.rule.kind} {self.subject}"


class Notification(models.Model):
    """A message to one user in the app (also sent by e-mail), in their language."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text

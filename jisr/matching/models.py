"""Skills profiles of persons, opportunities posted by organisations, and applications.

A profile belongs to a registered person; who may see it in a list of candidates is the person's
choice (`Profile.visibility`) and needs their consent to matching (`Purpose.EMPLOYER_MATCHING`).
Skills and occupations are ESCO concepts (`jisr.skills`), so matching can use ESCO's relations
and the ISCO-08 hierarchy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from jisr.matching.references import candidate_reference


class Visibility(models.TextChoices):
    GOVERNMENT = "government", _("Government institutions only")
    EMPLOYERS = "employers", _("Government institutions and verified organisations")
    HIDDEN = "hidden", _("Not visible to anyone posting opportunities")


class SkillLevel(models.IntegerChoices):
    BASIC = 1, _("Basic")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")
    EXPERT = 4, _("Expert")


class LanguageLevel(models.IntegerChoices):
    BASIC = 1, _("Basic")
    GOOD = 2, _("Good")
    FLUENT = 3, _("Fluent")
    NATIVE = 4, _("Mother tongue")


class Language(models.TextChoices):
    """The languages Iraqis at home and abroad most often work in (ISO 639 codes)."""

    ARABIC = "ar", _("Arabic")
    CENTRAL_KURDISH = "ckb", _("Kurdish (Sorani)")
    NORTHERN_KURDISH = "kmr", _("Kurdish (Kurmanji, Badini)")
    TURKMEN = "tk", _("Turkmen")
    SYRIAC = "syc", _("Syriac")
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    SWEDISH = "sv", _("Swedish")
    DUTCH = "nl", _("Dutch")
    DANISH = "da", _("Danish")
    NORWEGIAN = "no", _("Norwegian")
    FINNISH = "fi", _("Finnish")
    TURKISH = "tr", _("Turkish")
    PERSIAN = "fa", _("Persian")
    RUSSIAN = "ru", _("Russian")


class DegreeLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    SECONDARY = "secondary", _("Secondary school (preparatory)")
    VOCATIONAL = "vocational", _("Vocational or technical certificate")
    DIPLOMA = "diploma", _("Institute diploma (two years)")
    BACHELOR = "bachelor", _("Bachelor's degree")
    HIGHER_DIPLOMA = "higher_diploma", _("Higher diploma")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")
    PROFESSIONAL = "professional", _("Professional certificate or licence")


class Recognition(models.TextChoices):
    RECOGNISED = "recognised", _("Recognised in Iraq")
    PENDING = "pending", _("Recognition requested")
    NOT_RECOGNISED = "not_recognised", _("Not recognised in Iraq")
    UNKNOWN = "unknown", _("Not known")


class Profile(models.Model):
    person = models.OneToOneField(
        "registry.Person",
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("person"),
    )
    visibility = models.CharField(
        _("who may find this profile"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.HIDDEN,
        help_text=_("Only with consent to matching; the person chooses and can change it."),
    )
    available_return = models.BooleanField(_("to work in Iraq (living there or returning)"))
    available_assignment = models.BooleanField(_("for a temporary assignment in Iraq"))
    assignment_months = models.PositiveSmallIntegerField(
        _("how many months for an assignment"), null=True, blank=True
    )
    available_remote = models.BooleanField(_("to work remotely or online"))
    available_mentoring = models.BooleanField(_("to mentor"))
    willing_to_relocate = models.BooleanField(_("willing to move to another governorate"))
    preferred_governorates = models.ManyToManyField(
        "places.Governorate",
        blank=True,
        related_name="+",
        verbose_name=_("governorates where the person would like to work"),
    )
    experience_years = models.PositiveSmallIntegerField(
        _("years of work experience"), null=True, blank=True
    )
    experience = models.TextField(_("work experience"), max_length=3000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("skills profile")
        verbose_name_plural = _("skills profiles")

    def __str__(self) -> str:
        # Staff's label (the audit log); organisations know a candidate by a reference of their
        # own instead (`jisr.matching.references`).
        return f"{self._meta.verbose_name} {self.pk}"


class ProfileOccupation(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="occupations")
    occupation = models.ForeignKey(
        "skills.Occupation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("occupation"),
    )
    title = models.CharField(_("job title as the person gives it"), max_length=200, blank=True)
    years = models.PositiveSmallIntegerField(_("years"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "occupation"], name="profile_occupation_once"
            )
        ]

    def __str__(self) -> str:
        return self.title or str(self.occupation)


class ProfileSkill(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(
        "skills.Skill", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=SkillLevel.choices, default=SkillLevel.INTERMEDIATE
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="profile_skill_once")
        ]
        indexes = [models.Index(fields=["skill", "profile"])]

    def __str__(self) -> str:
        return str(self.skill)


class ProfileLanguage(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=3, choices=Language.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=LanguageLevel.choices)

    class Meta:
        ordering = ["-level", "language"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="profile_language_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} ({self.get_level_display()})"


class Qualification(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="qualifications")
    level = models.CharField(_("degree"), max_length=20, choices=DegreeLevel.choices)
    field = models.CharField(_("field of study"), max_length=200, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    country = CountryField(_("country"), default="IQ")
    year = models.PositiveSmallIntegerField(_("year obtained"), null=True, blank=True)
    recognition = models.CharField(
        _("recognised in Iraq"),
        max_length=20,
        choices=Recognition.choices,
        default=Recognition.UNKNOWN,
    )

    class Meta:
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return " · ".join(filter(None, [self.get_level_display(), self.field]))


class OpportunityKind(models.TextChoices):
    JOB = "job", _("Job")
    INTERNSHIP = "internship", _("Internship")
    TRAINING = "training", _("Training course")
    TVET = "tvet", _("Vocational (TVET) course")
    EXPERT_ASSIGNMENT = "expert_assignment", _("Short expert assignment")
    MENTORING = "mentoring", _("Mentoring request")
    STAFF_TRAINING = "staff_training", _("Online training of an institution's staff")
    PROJECT_NEED = "project_need", _("Project need")


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", _("Closed")


class Opportunity(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("organisation"),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posted by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OpportunityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    occupation = models.ForeignKey(
        "skills.Occupation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("occupation"),
    )
    governorate = models.ForeignKey(
        "places.Governorate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("governorate"),
        help_text=_("Leave empty for anywhere in Iraq."),
    )
    remote = models.BooleanField(_("can be done remotely or online"), default=False)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    apply_by = models.DateField(_("apply by"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places"), default=1)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.DRAFT,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="opportunity_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def months(self) -> int | None:
        if self.starts_on and self.ends_on:
            return max(1, round((self.ends_on - self.starts_on).days / 30.4))
        return None


class OpportunitySkill(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(
        "skills.Skill", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    essential = models.BooleanField(_("essential"), default=True)

    class Meta:
        ordering = ["-essential", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "skill"], name="opportunity_skill_once")
        ]

    def __str__(self) -> str:
        return str(self.skill)


class OpportunityLanguage(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=3, choices=Language.choices)
    level = models.PositiveSmallIntegerField(_("at least"), choices=LanguageLevel.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "language"], name="opportunity_language_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} ({self.get_level_display()})"


class ApplicationStatus(models.TextChoices):
    INVITED = "invited", _("Invited by the organisation")
    INTERESTED = "interested", _("Interested")
    APPLIED = "applied", _("Applied")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    CONTACTED = "contacted", _("Contacted")
    HIRED = "hired", _("Hired")
    TRAINED = "trained", _("Trained")
    ASSIGNMENT_DONE = "assignment_done", _("Assignment done")
    NOT_SELECTED = "not_selected", _("Not selected")
    DECLINED = "declined", _("Declined by the person")
    WITHDRAWN = "withdrawn", _("Withdrawn by the person")


OUTCOMES = frozenset(
    {ApplicationStatus.HIRED, ApplicationStatus.TRAINED, ApplicationStatus.ASSIGNMENT_DONE}
)


class Application(models.Model):
    """A person's interest in or application to an opportunity, or the organisation's invitation,
    and what came of it."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.PROTECT, related_name="applications"
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="applications"
    )
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices)
    share_contact = models.BooleanField(
        _("the person lets the organisation see their phone and e-mail"), default=False
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "person"], name="application_once")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}/{self.person_id}: {self.status}"

    @property
    def candidate_reference(self) -> str:
        """How the opportunity's organisation knows the person until they apply."""
        return candidate_reference(self.person_id, self.opportunity.organisation_id)

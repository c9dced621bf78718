"""Organisations, the people who sign in to Jisr, and the roles they hold."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from jisr.accounts.roles import (
    PERMISSION_LABELS,
    ROLE_CLEARANCE,
    ROLE_PERMISSIONS,
    STAFF_ROLES,
    Perm,
    Role,
    Scope,
    Sensitivity,
)
from jisr.core.models import NamedInThreeLanguages
from jisr.lib.validation import validate_http_url
from jisr.places.models import Governorate


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    GOVERNMENT_OFFICE = "government_office", _("Government office or branch")
    NGO = "ngo", _("Non-governmental organisation")
    UN_AGENCY = "un_agency", _("UN or international agency")
    TRAINING_CENTRE = "training_centre", _("Training centre")
    EMPLOYER = "employer", _("Employer or private company")
    DIASPORA_ORGANISATION = "diaspora_organisation", _("Diaspora organisation")
    IRAQI_INSTITUTION = "iraqi_institution", _("Iraqi institution (hospital, university, ...)")
    PLATFORM = "platform", _("Platform operator")


GOVERNMENT_KINDS = frozenset(
    {
        OrganisationKind.MINISTRY,
        OrganisationKind.GOVERNMENT_OFFICE,
        OrganisationKind.IRAQI_INSTITUTION,
        OrganisationKind.PLATFORM,
    }
)


class Organisation(NamedInThreeLanguages):
    # The identifier other directories know it by (Open Referral HSDS exchange).
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("part of"),
        help_text=_("For a branch: the ministry or organisation it belongs to."),
    )
    governorate = models.ForeignKey(
        Governorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("governorate"),
        help_text=_("Leave empty for an organisation that works nationally or abroad."),
    )
    country = CountryField(_("country"), default="IQ")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True, validators=[validate_http_url])
    is_active = models.BooleanField(_("active"), default=True)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_(
            "Checked by the platform: a real organisation. Persons may let verified organisations "
            "find their skills profile."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name_ar"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    @property
    def is_government(self) -> bool:
        return self.kind in GOVERNMENT_KINDS

    def descendant_ids(self) -> set[int]:
        """This organisation and every branch below it (branches nest only a few levels)."""
        ids = {self.pk}
        frontier = {self.pk}
        while frontier:
            frontier = (
                set(
                    Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
                )
                - ids
            )
            ids |= frontier
        return ids


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self,
        *,
        full_name: str,
        password: str | None,
        email: str | None = None,
        phone: str | None = None,
        **extra: Any,
    ) -> User:
        user = self.model(
            full_name=full_name,
            email=self.normalize_email(email) if email else None,
            phone=phone or None,
            **extra,
        )
        user.set_password(password)
        user.full_clean()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, full_name: str = "") -> User:
        """`jisr createsuperuser`: a platform administrator with every record in scope."""
        platform, _ = Organisation.objects.get_or_create(
            kind=OrganisationKind.PLATFORM,
            parent=None,
            defaults={
                "name_ar": "منصة جسر",
                "name_ckb": "پلاتفۆرمی جیسر",
                "name_en": "Jisr platform",
            },
        )
        user = self.create_user(
            full_name=full_name or email, email=email, password=password, organisation=platform
        )
        RoleGrant.objects.create(user=user, role=Role.ADMINISTRATOR, scope=Scope.ALL)
        return user


class User(AbstractBaseUser):
    """Someone who signs in: staff of an organisation, or a person using their own account."""

    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("mobile phone"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("International format, for example +964 770 123 4567."),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    # Set on the request's user when an API key authenticated the call: the key's permissions,
    # scope and clearance then narrow what the user holds (decision 0021).
    api_key: ApiKey | None = None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
                violation_error_message=_("Give an e-mail address or a mobile phone number."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        # One spelling per address, so the same e-mail cannot belong to two accounts.
        self.email = self.email.strip().lower() if self.email else None
        self.phone = self.phone or None

    @cached_property
    def roles(self) -> dict[Role, Scope]:
        """Each role this user holds, with the scope it was granted."""
        return {Role(grant.role): Scope(grant.scope) for grant in self.role_grants.all()}

    def invalidate_roles(self) -> None:
        self.__dict__.pop("roles", None)

    @property
    def is_staff_member(self) -> bool:
        return any(role in STAFF_ROLES for role in self.roles)

    @property
    def is_in_service(self) -> bool:
        """Active, and in an active organisation (deactivating one stops all its staff)."""
        return self.is_active and (self.organisation is None or self.organisation.is_active)

    def can(self, perm: Perm) -> bool:
        if self.api_key is not None and perm not in self.api_key.permission_set:
            return False
        return self.is_in_service and any(perm in ROLE_PERMISSIONS[role] for role in self.roles)

    def scope_for(self, perm: Perm) -> Scope | None:
        """The widest scope among the roles that grant `perm`, or None without it."""
        if not self.can(perm):
            return None
        scope = max(scope for role, scope in self.roles.items() if perm in ROLE_PERMISSIONS[role])
        if self.api_key is not None:
            scope = min(scope, Scope(self.api_key.scope))
        return scope

    @property
    def clearance(self) -> Sensitivity:
        clearance = max((ROLE_CLEARANCE[role] for role in self.roles), default=Sensitivity.PUBLIC)
        if self.api_key is not None:
            clearance = min(clearance, Sensitivity(self.api_key.clearance))
        return clearance

    def can_see(self, sensitivity: Sensitivity) -> bool:
        return self.is_in_service and self.clearance >= sensitivity

    @property
    def governorate_id(self) -> int | None:
        return self.organisation.governorate_id if self.organisation else None


class RoleGrant(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope = models.PositiveSmallIntegerField(_("record scope"), choices=Scope.choices)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="rolegrant_one_per_role")
        ]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.get_scope_display()})"


class ApiKey(models.Model):
    """A key with which one of an organisation's systems calls the API (decision 0021).

    It acts for the administrator who made it, narrowed to the permissions, scope and clearance
    chosen then, and never beyond what that administrator still holds: a key of someone who
    leaves, or loses a role, loses it too. Only a hash of the secret is kept; the secret is
    shown once.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("organisation"),
    )
    name = models.CharField(
        _("system"), max_length=100, help_text=_("The system that will use this key.")
    )
    # The first characters of the key, kept in clear to find it and to tell keys apart.
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    permissions = models.JSONField(_("permissions"), default=list)
    scope = models.PositiveSmallIntegerField(_("record scope"), choices=Scope.choices)
    clearance = models.PositiveSmallIntegerField(
        _("fields it may see"), choices=Sensitivity.choices
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("made by")
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @cached_property
    def permission_set(self) -> frozenset[Perm]:
        known = {perm.value for perm in Perm}
        return frozenset(Perm(value) for value in self.permissions if value in known)

    def is_in_force(self, at: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (at or timezone.now())

    @property
    def permission_labels(self) -> list[str]:
        return [str(PERMISSION_LABELS[perm]) for perm in sorted(self.permission_set)]

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return str(_("Revoked"))
        if not self.is_in_force():
            return str(_("Expired"))
        return str(_("In force"))


class EnrolmentProof(models.TextChoices):
    LINK = "link", _("A link sent to the account's e-mail or phone")
    CODE = "code", _("An enrolment code from an administrator")
    PASSWORD_LINK = "password_link", _("The e-mailed link that set the password")


class TwoFactorEnrolment(models.Model):
    """Proof, besides the password, that whoever sets up two-factor authentication for an
    account is its owner (decision 0018): issued (a link or an administrator's code, its secret
    kept only as a keyed hash), redeemed once in one browser session, then completed by
    confirming an authenticator app within a short time."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="two_factor_enrolments", verbose_name=_("user")
    )
    proof = models.CharField(_("proof"), max_length=16, choices=EnrolmentProof.choices)
    secret_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor enrolment")
        verbose_name_plural = _("two-factor enrolments")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.proof}"

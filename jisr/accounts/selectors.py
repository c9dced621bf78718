"""Authorised reads of organisations and accounts: every function takes who is asking."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisr.accounts.access import not_found, require, scope_filter
from jisr.accounts.models import ApiKey, Organisation, RoleGrant, TwoFactorEnrolment, User
from jisr.accounts.roles import Perm, Role, Scope
from jisr.audit.models import Action
from jisr.audit.services import audit_record


def organisation_list(*, fetched_by: User, search: str = "") -> QuerySet[Organisation]:
    """The directory of organisations: every member of staff may see all of them."""
    require(fetched_by, Perm.ORGANISATION_VIEW)
    organisations = Organisation.objects.select_related("governorate", "parent")
    if search:
        organisations = organisations.filter(
            Q(name_ar__icontains=search)
            | Q(name_ckb__icontains=search)
            | Q(name_en__icontains=search)
            | Q(acronym__icontains=search)
        )
    return organisations.annotate(member_count=Count("members", distinct=True)).order_by(
        "name_ar", "pk"
    )


def organisation_get(*, fetched_by: User, organisation_id: int) -> Organisation:
    organisation = organisation_list(fetched_by=fetched_by).filter(pk=organisation_id).first()
    if organisation is None:
        raise not_found()
    return organisation


def organisation_list_managed(*, fetched_by: User) -> QuerySet[Organisation]:
    """Organisations whose accounts and details `fetched_by` may manage."""
    require(fetched_by, Perm.USER_MANAGE)
    return Organisation.objects.filter(
        scope_filter(fetched_by, Perm.USER_MANAGE, organisation="pk", governorate="governorate")
    )


def _users_in_scope(user: User, perm: Perm) -> QuerySet[User]:
    return User.objects.filter(
        scope_filter(
            user,
            perm,
            organisation="organisation",
            governorate="organisation__governorate",
            owner="pk",
        )
    )


def user_list(*, fetched_by: User, search: str = "") -> QuerySet[User]:
    require(fetched_by, Perm.USER_VIEW)
    users = _users_in_scope(fetched_by, Perm.USER_VIEW)
    if search:
        users = users.filter(
            Q(full_name__icontains=search) | Q(email__icontains=search) | Q(phone__icontains=search)
        )
    return users.select_related("organisation").prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role"))
    )


def user_get(*, fetched_by: User, user_id: int) -> User:
    """One account, its reading recorded in the audit log."""
    user = user_list(fetched_by=fetched_by).filter(pk=user_id).first()
    if user is None:
        raise not_found()
    audit_record(actor=fetched_by, action=Action.VIEW, target=user)
    return user


def user_can_manage(*, manager: User, user: User) -> bool:
    """In the manager's scope, and not outranking them: nobody may take over an account that
    reaches more records than they do, nor another administrator unless they reach all."""
    own_scope = manager.scope_for(Perm.USER_MANAGE)
    if own_scope is None:
        return False
    if not _users_in_scope(manager, Perm.USER_MANAGE).filter(pk=user.pk).exists():
        return False
    if user.pk == manager.pk:
        return True
    grants = dict(RoleGrant.objects.filter(user=user).values_list("role", "scope"))
    if any(scope > own_scope for scope in grants.values()):
        return False
    return own_scope == Scope.ALL or Role.ADMINISTRATOR not in grants


def api_key_list(*, fetched_by: User) -> QuerySet[ApiKey]:
    """The API keys of the organisations in the reader's scope (and the reader's own keys)."""
    require(fetched_by, Perm.API_KEY_MANAGE)
    return ApiKey.objects.filter(
        scope_filter(
            fetched_by,
            Perm.API_KEY_MANAGE,
            organisation="organisation",
            governorate="organisation__governorate",
            owner="created_by",
        )
    ).select_related("organisation", "created_by", "revoked_by", "replaces")


def api_key_get(*, fetched_by: User, key_id: int) -> ApiKey:
    key = api_key_list(fetched_by=fetched_by).filter(pk=key_id).first()
    if key is None:
        raise not_found()
    return key


def two_factor_set_up(*, user: User) -> bool:
    """Whether `user` has a confirmed authenticator app."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


# How long a redeemed enrolment proof lets its browser session set up an authenticator app.
PROOF_LIFETIME = timedelta(minutes=30)


def enrolment_proof_get(*, fetched_by: User, enrolment_id: object) -> TwoFactorEnrolment | None:
    """The redeemed, unused and recent enrolment proof of the signed-in user that their session
    names, or None: without one, no authenticator app is set up."""
    if not isinstance(enrolment_id, int):
        return None
    return TwoFactorEnrolment.objects.filter(
        pk=enrolment_id,
        user=fetched_by,
        completed_at__isnull=True,
        redeemed_at__gte=timezone.now() - PROOF_LIFETIME,
    ).first()

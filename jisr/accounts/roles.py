"""Roles, record scopes, sensitivity levels and the permissions each role holds.

This table is the whole of Jisr's authorisation policy, kept in code so that a change to who
may do what is reviewed like any other change (see docs/decisions/0003-authorisation.md).
Later apps add their permissions to `Perm` and grant them here.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    CASEWORKER = "caseworker", _("Caseworker")
    PROTECTION_OFFICER = "protection_officer", _("Protection officer")
    PROVIDER_STAFF = "provider_staff", _("Service-provider staff")
    EMPLOYER = "employer", _("Employer")
    ANALYST = "analyst", _("Analyst")
    PERSON = "person", _("Person (self-service)")


# Roles held by people who work for an organisation; they must use two-factor authentication.
STAFF_ROLES = frozenset(role for role in Role if role != Role.PERSON)


class Scope(models.IntegerChoices):
    """Which records a grant reaches, from narrowest to widest."""

    OWN = 10, _("Own records")
    ORGANISATION = 20, _("Own organisation and its branches")
    GOVERNORATE = 30, _("Own governorate")
    ALL = 40, _("All records")


class Sensitivity(models.IntegerChoices):
    """How sensitive a group of fields is; a role sees a group up to its clearance."""

    PUBLIC = 0, _("Public")
    INTERNAL = 10, _("Internal")
    PERSONAL = 20, _("Personal")
    SENSITIVE = 30, _("Sensitive (identity documents, health)")
    PROTECTION = 40, _("Protection")


class Perm(StrEnum):
    DASHBOARD_VIEW = "dashboard.view"
    ORGANISATION_VIEW = "organisation.view"
    ORGANISATION_MANAGE = "organisation.manage"
    USER_VIEW = "user.view"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    PERSON_VIEW = "person.view"
    PERSON_REGISTER = "person.register"
    PERSON_EDIT = "person.edit"
    CONSENT_RECORD = "consent.record"
    CATEGORY_MANAGE = "category.manage"
    OPPORTUNITY_VIEW = "opportunity.view"
    OPPORTUNITY_MANAGE = "opportunity.manage"
    SKILLS_MAP_VIEW = "skills_map.view"
    SERVICE_EDIT = "service.edit"
    SERVICE_REVIEW = "service.review"
    CASE_VIEW = "case.view"
    CASE_MANAGE = "case.manage"
    REFERRAL_RESPOND = "referral.respond"
    REGISTER_MANAGE = "register.manage"
    LINKAGE_REVIEW = "linkage.review"
    CROSS_REFERENCE_VIEW = "cross_reference.view"
    AGREEMENT_MANAGE = "agreement.manage"
    API_KEY_MANAGE = "api_key.manage"


# What each permission lets its holder do, in words (the API-key form and list show them).
PERMISSION_LABELS: dict[Perm, Promise] = {
    Perm.DASHBOARD_VIEW: _("See the dashboard"),
    Perm.ORGANISATION_VIEW: _("See the directory of organisations"),
    Perm.ORGANISATION_MANAGE: _("Add and change organisations"),
    Perm.USER_VIEW: _("See accounts"),
    Perm.USER_MANAGE: _("Add and change accounts"),
    Perm.AUDIT_VIEW: _("Read the audit log"),
    Perm.PERSON_VIEW: _("Read persons' records"),
    Perm.PERSON_REGISTER: _("Register persons"),
    Perm.PERSON_EDIT: _("Change persons' records"),
    Perm.CONSENT_RECORD: _("Record consent"),
    Perm.CATEGORY_MANAGE: _("Change the categorisation rules"),
    Perm.OPPORTUNITY_VIEW: _("See opportunities"),
    Perm.OPPORTUNITY_MANAGE: _("Post opportunities and read their candidates"),
    Perm.SKILLS_MAP_VIEW: _("See the skills map"),
    Perm.SERVICE_EDIT: _("Propose services to the catalogue"),
    Perm.SERVICE_REVIEW: _("Review the catalogue's changes"),
    Perm.CASE_VIEW: _("Read cases"),
    Perm.CASE_MANAGE: _("Manage cases and referrals"),
    Perm.REFERRAL_RESPOND: _("Answer referrals"),
    Perm.REGISTER_MANAGE: _("Upload and link registers"),
    Perm.LINKAGE_REVIEW: _("Review linked pairs"),
    Perm.CROSS_REFERENCE_VIEW: _("Read cross-reference reports"),
    Perm.AGREEMENT_MANAGE: _("Manage data-sharing agreements"),
    Perm.API_KEY_MANAGE: _("Manage API keys"),
}

_STAFF_BASICS = {
    Perm.DASHBOARD_VIEW,
    Perm.ORGANISATION_VIEW,
    Perm.OPPORTUNITY_VIEW,
    Perm.SKILLS_MAP_VIEW,
}
# Posting opportunities and reading their candidates: the organisations that offer work,
# training and assignments, and the supervisors of the ministries that post expert assignments.
_POSTING = {Perm.OPPORTUNITY_MANAGE}
# Registers of other institutions: importing one's own, linking, reviewing uncertain pairs and
# reading the cross-references that data-sharing agreements allow.
_LINKAGE = {Perm.REGISTER_MANAGE, Perm.LINKAGE_REVIEW, Perm.CROSS_REFERENCE_VIEW}
_CASEWORK = {
    Perm.PERSON_VIEW,
    Perm.PERSON_REGISTER,
    Perm.PERSON_EDIT,
    Perm.CONSENT_RECORD,
    Perm.CASE_VIEW,
    Perm.CASE_MANAGE,
    Perm.REFERRAL_RESPOND,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.ADMINISTRATOR: frozenset(
        _STAFF_BASICS
        | {
            Perm.ORGANISATION_MANAGE,
            Perm.USER_VIEW,
            Perm.USER_MANAGE,
            Perm.AUDIT_VIEW,
            Perm.CATEGORY_MANAGE,
            Perm.SERVICE_REVIEW,
            Perm.AGREEMENT_MANAGE,
            Perm.API_KEY_MANAGE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        _STAFF_BASICS
        | _POSTING
        | _LINKAGE
        | {
            Perm.AGREEMENT_MANAGE,
            Perm.API_KEY_MANAGE,
            Perm.USER_VIEW,
            Perm.AUDIT_VIEW,
            Perm.PERSON_VIEW,
            Perm.SERVICE_EDIT,
            Perm.CASE_VIEW,
            Perm.REFERRAL_RESPOND,
        }
    ),
    Role.CASEWORKER: frozenset(_STAFF_BASICS | _CASEWORK),
    Role.PROTECTION_OFFICER: frozenset(_STAFF_BASICS | _CASEWORK),
    Role.PROVIDER_STAFF: frozenset(
        _STAFF_BASICS | _POSTING | {Perm.SERVICE_EDIT, Perm.REFERRAL_RESPOND}
    ),
    Role.EMPLOYER: frozenset(_STAFF_BASICS | _POSTING),
    Role.ANALYST: frozenset(_STAFF_BASICS | _LINKAGE),
    Role.PERSON: frozenset({Perm.OPPORTUNITY_VIEW}),
}

ROLE_CLEARANCE: dict[Role, Sensitivity] = {
    Role.ADMINISTRATOR: Sensitivity.PERSONAL,
    Role.SUPERVISOR: Sensitivity.SENSITIVE,
    Role.CASEWORKER: Sensitivity.SENSITIVE,
    Role.PROTECTION_OFFICER: Sensitivity.PROTECTION,
    Role.PROVIDER_STAFF: Sensitivity.PERSONAL,
    Role.EMPLOYER: Sensitivity.INTERNAL,
    Role.ANALYST: Sensitivity.INTERNAL,
    Role.PERSON: Sensitivity.PUBLIC,
}

# The widest scope each role may be granted; an administrator chooses within it.
ROLE_MAX_SCOPE: dict[Role, Scope] = {
    Role.ADMINISTRATOR: Scope.ALL,
    Role.SUPERVISOR: Scope.ALL,
    Role.CASEWORKER: Scope.GOVERNORATE,
    Role.PROTECTION_OFFICER: Scope.GOVERNORATE,
    Role.PROVIDER_STAFF: Scope.ORGANISATION,
    Role.EMPLOYER: Scope.ORGANISATION,
    Role.ANALYST: Scope.ALL,
    Role.PERSON: Scope.OWN,
}

# What an organisation's system may be given with an API key (decision 0021): the work it does
# on records, never the management of accounts, organisations, agreements or other keys, so a
# leaked key cannot make itself an account or a wider key.
API_KEY_PERMISSIONS = frozenset(Perm) - {
    Perm.USER_MANAGE,
    Perm.ORGANISATION_MANAGE,
    Perm.AGREEMENT_MANAGE,
    Perm.API_KEY_MANAGE,
    Perm.DASHBOARD_VIEW,
}

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field, field_validator

from jisr.accounts import selectors, services
from jisr.accounts.access import not_found
from jisr.accounts.apiauth import allowed
from jisr.accounts.decorators import SELF, AuthedRequest
from jisr.accounts.models import ApiKey, Organisation, OrganisationKind, User
from jisr.accounts.roles import Perm, Role, Scope, Sensitivity
from jisr.lib.pagination import BoundedLimitOffsetPagination
from jisr.lib.phones import normalise_phone
from jisr.lib.validation import invalid
from jisr.places.models import Governorate

router = Router(tags=["accounts"])


class RoleGrantSchema(Schema):
    role: Role
    scope: Scope


class MeOut(Schema):
    id: int
    full_name: str
    email: str | None
    phone: str | None
    organisation_id: int | None
    language: str
    roles: list[RoleGrantSchema]
    permissions: list[str]

    @staticmethod
    def resolve_roles(user: User) -> list[dict[str, Any]]:
        return [{"role": role, "scope": scope} for role, scope in user.roles.items()]

    @staticmethod
    def resolve_permissions(user: User) -> list[str]:
        return sorted(str(perm) for perm in Perm if user.can(perm))


class OrganisationOut(Schema):
    id: int
    name: str
    name_ar: str
    name_ckb: str
    name_en: str
    acronym: str
    kind: OrganisationKind
    parent_id: int | None
    governorate: str | None
    country: str
    email: str
    phone: str
    website: str
    is_active: bool
    verified: bool

    @staticmethod
    def resolve_governorate(organisation: Organisation) -> str | None:
        return organisation.governorate.code if organisation.governorate else None

    @staticmethod
    def resolve_country(organisation: Organisation) -> str:
        return str(organisation.country.code)


class OrganisationIn(Schema):
    name_ar: str = Field(min_length=1, max_length=200)
    name_ckb: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)
    acronym: str = Field("", max_length=20)
    kind: OrganisationKind
    parent_id: int | None = None
    governorate: str | None = Field(None, description="ISO 3166-2 code, e.g. IQ-BG")
    country: str = Field("IQ", min_length=2, max_length=2)
    email: str | None = None
    phone: str = ""
    website: str = ""
    is_active: bool = True
    verified: bool = False


class UserOut(Schema):
    id: int
    full_name: str
    email: str | None
    phone: str | None
    organisation_id: int | None
    language: str
    is_active: bool
    date_joined: datetime
    roles: list[RoleGrantSchema]

    @staticmethod
    def resolve_roles(user: User) -> list[dict[str, Any]]:
        return [{"role": grant.role, "scope": grant.scope} for grant in user.role_grants.all()]


def _valid_phone(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_phone(value)
    except ValueError:
        raise ValueError(_("Enter a valid phone number, for example +964 770 123 4567.")) from None


class UserIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    email: str | None = None
    phone: str | None = None
    organisation_id: int
    language: str = "ar"
    roles: list[RoleGrantSchema] = []
    password: str | None = Field(None, description="Leave out to e-mail a link instead.")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _valid_phone(value)


class UserPatch(Schema):
    full_name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = None
    phone: str | None = None
    organisation_id: int | None = None
    language: str | None = None
    is_active: bool | None = None
    roles: list[RoleGrantSchema] | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _valid_phone(value)


def _organisation_fields(payload: OrganisationIn) -> dict[str, Any]:
    data = payload.dict()
    code = data.pop("governorate")
    data["governorate"] = Governorate.objects.filter(code=code).first() if code else None
    if code and data["governorate"] is None:
        raise invalid({"governorate": [str(_("Unknown governorate code."))]})
    data["parent"] = (
        Organisation.objects.filter(pk=data.pop("parent_id")).first() if payload.parent_id else None
    )
    data["email"] = data["email"] or ""
    return data


def _managed_organisation(user: User, organisation_id: int) -> Organisation:
    organisation = (
        selectors.organisation_list_managed(fetched_by=user).filter(pk=organisation_id).first()
    )
    if organisation is None:
        raise not_found()
    return organisation


@router.get("/me", response=MeOut, auth=allowed(SELF))
def me(request: AuthedRequest) -> User:
    """The signed-in user, with roles and the permissions they give."""
    return request.user


@router.get("/organisations", response=list[OrganisationOut], auth=allowed(Perm.ORGANISATION_VIEW))
@paginate(BoundedLimitOffsetPagination)
def organisation_list(request: AuthedRequest) -> QuerySet[Organisation]:
    return selectors.organisation_list(fetched_by=request.user)


@router.get(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    auth=allowed(Perm.ORGANISATION_VIEW),
)
def organisation_get(request: AuthedRequest, organisation_id: int) -> Organisation:
    return selectors.organisation_get(fetched_by=request.user, organisation_id=organisation_id)


@router.post(
    "/organisations", response={201: OrganisationOut}, auth=allowed(Perm.ORGANISATION_MANAGE)
)
def organisation_create(request: AuthedRequest, payload: OrganisationIn) -> Status[Organisation]:
    return Status(
        201, services.organisation_create(by=request.user, **_organisation_fields(payload))
    )


@router.put(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    auth=allowed(Perm.ORGANISATION_MANAGE),
)
def organisation_update(
    request: AuthedRequest, organisation_id: int, payload: OrganisationIn
) -> Organisation:
    organisation = _managed_organisation(request.user, organisation_id)
    return services.organisation_update(
        by=request.user, organisation=organisation, **_organisation_fields(payload)
    )


@router.get("/users", response=list[UserOut], auth=allowed(Perm.USER_VIEW))
@paginate(BoundedLimitOffsetPagination)
def user_list(request: AuthedRequest) -> QuerySet[User]:
    return selectors.user_list(fetched_by=request.user)


@router.get("/users/{user_id}", response=UserOut, auth=allowed(Perm.USER_VIEW))
def user_get(request: AuthedRequest, user_id: int) -> User:
    return selectors.user_get(fetched_by=request.user, user_id=user_id)


@router.post("/users", response={201: UserOut}, auth=allowed(Perm.USER_MANAGE))
def user_create(request: AuthedRequest, payload: UserIn) -> Status[User]:
    user = services.user_create(
        by=request.user,
        full_name=payload.full_name,
        email=payload.email,
        phone=payload.phone,
        organisation=_managed_organisation(request.user, payload.organisation_id),
        language=payload.language,
        password=payload.password,
        roles={grant.role: grant.scope for grant in payload.roles},
    )
    return Status(201, user)


@router.patch("/users/{user_id}", response=UserOut, auth=allowed(Perm.USER_MANAGE))
def user_update(request: AuthedRequest, user_id: int, payload: UserPatch) -> User:
    user = selectors.user_get(fetched_by=request.user, user_id=user_id)
    data = payload.dict(exclude_unset=True)
    roles = data.pop("roles", None)
    if "organisation_id" in data:
        data["organisation"] = _managed_organisation(request.user, data.pop("organisation_id"))
    return services.user_update(
        by=request.user,
        user=user,
        roles={Role(g["role"]): Scope(g["scope"]) for g in roles} if roles is not None else None,
        **data,
    )


class ApiKeyOut(Schema):
    id: int
    name: str
    organisation_id: int
    prefix: str = Field(description="The key's visible start: jisr_<prefix>_…")
    permissions: list[str]
    scope: Scope
    clearance: Sensitivity
    created_by_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    replaces_id: int | None
    in_force: bool

    @staticmethod
    def resolve_in_force(key: ApiKey) -> bool:
        return key.is_in_force()


class ApiKeyMade(ApiKeyOut):
    token: str = Field(description="The key itself: shown in this answer only, never again.")


class ApiKeyIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    permissions: list[Perm] = Field(min_length=1)
    scope: Scope
    clearance: Sensitivity
    expires_on: date


class ApiKeyRotateIn(Schema):
    overlap_hours: int = Field(0, ge=0, le=24 * 7)


def _made(key: ApiKey, token: str) -> Status[ApiKey]:
    key.token = token  # type: ignore[attr-defined]  # answered once, never stored
    return Status(201, key)


@router.get("/api-keys", response=list[ApiKeyOut], auth=allowed(Perm.API_KEY_MANAGE))
@paginate(BoundedLimitOffsetPagination)
def api_key_list(request: AuthedRequest) -> QuerySet[ApiKey]:
    """The API keys of the organisations in the caller's scope."""
    return selectors.api_key_list(fetched_by=request.user)


@router.get("/api-keys/{key_id}", response=ApiKeyOut, auth=allowed(Perm.API_KEY_MANAGE))
def api_key_get(request: AuthedRequest, key_id: int) -> ApiKey:
    return selectors.api_key_get(fetched_by=request.user, key_id=key_id)


@router.post("/api-keys", response={201: ApiKeyMade}, auth=allowed(Perm.API_KEY_MANAGE))
def api_key_create(request: AuthedRequest, payload: ApiKeyIn) -> Status[ApiKey]:
    """A key for one of the caller's organisation's systems, within the caller's own rights."""
    key, token = services.api_key_create(
        by=request.user,
        name=payload.name,
        permissions=frozenset(payload.permissions),
        scope=payload.scope,
        clearance=payload.clearance,
        expires_on=payload.expires_on,
    )
    return _made(key, token)


@router.post(
    "/api-keys/{key_id}/rotate", response={201: ApiKeyMade}, auth=allowed(Perm.API_KEY_MANAGE)
)
def api_key_rotate(request: AuthedRequest, key_id: int, payload: ApiKeyRotateIn) -> Status[ApiKey]:
    """A new key with the same rights; the old one works `overlap_hours` more (0: stops now)."""
    key = selectors.api_key_get(fetched_by=request.user, key_id=key_id)
    new, token = services.api_key_rotate(
        by=request.user, key=key, overlap_hours=payload.overlap_hours
    )
    return _made(new, token)


@router.post("/api-keys/{key_id}/revoke", response=ApiKeyOut, auth=allowed(Perm.API_KEY_MANAGE))
def api_key_revoke(request: AuthedRequest, key_id: int) -> ApiKey:
    """The key stops working at once."""
    key = selectors.api_key_get(fetched_by=request.user, key_id=key_id)
    return services.api_key_revoke(by=request.user, key=key)

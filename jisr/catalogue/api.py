"""API of the catalogue: the public directory, providers' proposals, and the review.

Operations return their schema's dicts or models (in ninja's `Status` where they answer 201).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from jisr.accounts.apiauth import allowed
from jisr.accounts.decorators import AuthedRequest
from jisr.accounts.roles import Perm
from jisr.catalogue import selectors, services
from jisr.catalogue.hsds.running import hsds_import_retry, hsds_import_upload
from jisr.catalogue.models import (
    ChangeStatus,
    EligibleSex,
    HsdsImport,
    Service,
    ServiceChange,
    ServiceStatus,
)
from jisr.lib.pagination import Offset
from jisr.places.models import Governorate

router = Router(tags=["service catalogue"])


class ServiceIn(Schema):
    name_ar: str = Field("", max_length=200)
    name_ckb: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)
    description_ar: str = Field("", max_length=4000)
    description_ckb: str = Field("", max_length=4000)
    description_en: str = Field("", max_length=4000)
    how_to_access_ar: str = Field("", max_length=2000)
    how_to_access_ckb: str = Field("", max_length=2000)
    how_to_access_en: str = Field("", max_length=2000)
    categories: list[str] = Field(min_length=1, description="Category codes, e.g. legal-aid")
    status: ServiceStatus = ServiceStatus.ACTIVE
    url: str = ""
    email: str = ""
    phone: str = Field("", max_length=20)
    free: bool = True
    fees: str = Field("", max_length=300)
    minimum_age: int | None = Field(None, ge=0, le=120)
    maximum_age: int | None = Field(None, ge=0, le=120)
    sex: EligibleSex = EligibleSex.ANY
    person_types: list[str] = []
    eligible_categories: list[str] = []
    eligibility_note: str = Field("", max_length=500)
    required_documents: list[str] = []
    languages: list[str] = []
    areas: list[str] = Field([], description="ISO 3166-2 codes; empty for the whole of Iraq")
    remote: bool = False
    capacity_per_month: int | None = Field(None, ge=0)
    wait_days: int | None = Field(None, ge=0, le=3650)
    opening_hours: str = Field("", max_length=200)
    locations: list[uuid_module.UUID] = Field(
        [], description="UUIDs of the organisation's locations"
    )


class ServiceOut(ServiceIn):
    id: int
    uuid: uuid_module.UUID
    organisation_id: int
    organisation: str
    published: bool
    updated_at: dt.datetime


def _out(service: Service, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The service as `ServiceOut`; `data` is its proposal form, when read for a whole list."""
    return {
        **(data if data is not None else selectors.service_data(service=service)),
        "id": service.pk,
        "uuid": service.uuid,
        "organisation_id": service.organisation_id,
        "organisation": service.organisation.name,
        "published": service.published,
        "updated_at": service.updated_at,
    }


def _list_out(found: list[Service]) -> list[dict[str, Any]]:
    return [
        _out(s, data) for s, data in zip(found, selectors.service_data_list(found), strict=True)
    ]


class ChangeOut(Schema):
    id: int
    service_id: int
    status: ChangeStatus
    data: dict[str, Any]
    proposed_at: dt.datetime
    reason: str


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


@router.get("/services", response=list[ServiceOut], auth=None)
def directory(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    governorate: str = "",
    age: int | None = None,
    sex: str = "",
    person_type: str = "",
    language: str = "",
    limit: int = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Published services, as in the public directory; no sign-in needed. `limit` at most 200."""
    place = Governorate.objects.filter(code=governorate).first() if governorate else None
    found = selectors.service_list_public(
        search=q,
        category=category,
        governorate=place.pk if place else None,
        age=age,
        sex=sex,
        person_type=person_type,
        language=language,
    )
    start = max(offset, 0)
    return _list_out(list(found[start : start + max(1, min(limit, 200))]))


@router.get("/services/{uuid}", response=ServiceOut, auth=None)
def service_get(request: HttpRequest, uuid: uuid_module.UUID) -> dict[str, Any]:
    return _out(selectors.service_get_public(uuid=str(uuid)))


@router.get("/catalogue/services", response=list[ServiceOut], auth=allowed(Perm.SERVICE_EDIT))
def my_services(request: AuthedRequest) -> list[dict[str, Any]]:
    """The services of the caller's organisation, published or not."""
    return _list_out(list(selectors.service_list_editable(fetched_by=request.user)))


@router.post("/catalogue/services", response={201: ChangeOut}, auth=allowed(Perm.SERVICE_EDIT))
def service_propose(request: AuthedRequest, payload: ServiceIn) -> Status[ServiceChange]:
    """A new service, sent for review."""
    change = services.service_propose(by=request.user, data=payload.dict())
    return Status(201, change)


@router.put(
    "/catalogue/services/{service_id}", response={201: ChangeOut}, auth=allowed(Perm.SERVICE_EDIT)
)
def service_change(
    request: AuthedRequest, service_id: int, payload: ServiceIn
) -> Status[ServiceChange]:
    """A new version of one of the organisation's services, sent for review."""
    service = selectors.service_get_editable(fetched_by=request.user, service_id=service_id)
    change = services.service_propose(by=request.user, service=service, data=payload.dict())
    return Status(201, change)


@router.get("/catalogue/changes", response=list[ChangeOut], auth=allowed(Perm.SERVICE_REVIEW))
def review_queue(request: AuthedRequest) -> list[ServiceChange]:
    return list(selectors.change_list_pending(fetched_by=request.user))


@router.post(
    "/catalogue/changes/{change_id}/approve",
    response=ServiceOut,
    auth=allowed(Perm.SERVICE_REVIEW),
)
def change_approve(request: AuthedRequest, change_id: int) -> dict[str, Any]:
    change = selectors.change_get(fetched_by=request.user, change_id=change_id)
    return _out(services.change_approve(by=request.user, change=change))


@router.post(
    "/catalogue/changes/{change_id}/reject",
    response=ChangeOut,
    auth=allowed(Perm.SERVICE_REVIEW),
)
def change_reject(request: AuthedRequest, change_id: int, payload: RejectIn) -> ServiceChange:
    change = selectors.change_get(fetched_by=request.user, change_id=change_id)
    return services.change_reject(by=request.user, change=change, reason=payload.reason)


class HsdsImportOut(Schema):
    id: int
    filename: str
    status: HsdsImport.Status
    documents: int = Field(description="JSON files in the ZIP")
    publish: bool
    organisations: int = Field(description="organisations the import created")
    locations: int = Field(description="locations the import created")
    services: int = Field(description="services the import created")
    left_out: list[str] = Field(description="what Jisr's rules left out (decision 0015)")
    problems: dict[str, list[str]] = Field(
        description="when refused: every problem by file, each 'JSON Pointer: problem'"
    )
    attempts: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


@router.post(
    "/catalogue/hsds-imports",
    response={202: HsdsImportOut},
    auth=allowed(Perm.SERVICE_REVIEW),
)
def hsds_import_create(
    request: AuthedRequest, file: File[UploadedFile], publish: Form[bool] = False
) -> Status[HsdsImport]:
    """A ZIP of HSDS 3.0 documents, checked as a file and imported by the worker, all or nothing
    (decision 0035); follow it at `GET /catalogue/hsds-imports/{id}`."""
    # The file is within JISR_UPLOAD_MAX_BYTES (jisr/core/uploads.py).
    hsds_import = hsds_import_upload(
        by=request.user, content=file.read(), filename=file.name or "", publish=publish
    )
    return Status(202, selectors.hsds_import_get(fetched_by=request.user, import_id=hsds_import.pk))


@router.get(
    "/catalogue/hsds-imports/{hsds_import_id}",
    response=HsdsImportOut,
    auth=allowed(Perm.SERVICE_REVIEW),
)
def hsds_import_get(request: AuthedRequest, hsds_import_id: int) -> HsdsImport:
    return selectors.hsds_import_get(fetched_by=request.user, import_id=hsds_import_id)


@router.post(
    "/catalogue/hsds-imports/{hsds_import_id}/retry",
    response={202: HsdsImportOut},
    auth=allowed(Perm.SERVICE_REVIEW),
)
def hsds_import_again(request: AuthedRequest, hsds_import_id: int) -> Status[HsdsImport]:
    """Run a stopped import again; any other import is answered as it is."""
    hsds_import = selectors.hsds_import_get(fetched_by=request.user, import_id=hsds_import_id)
    hsds_import_retry(by=request.user, hsds_import=hsds_import)
    return Status(202, selectors.hsds_import_get(fetched_by=request.user, import_id=hsds_import_id))

"""Walks every page and every API operation as every role, and checks each answer against the
access the view declares. A new URL without a declaration, or without a sample for its
parameters here, fails this test until someone decides who may open it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jisr.accounts.apiauth import Allowed, BearerApiKey
from jisr.accounts.apikeys import user_for_key
from jisr.accounts.decorators import PUBLIC, SELF, SIGNED_IN
from jisr.accounts.roles import API_KEY_PERMISSIONS, Perm, Scope, Sensitivity
from jisr.accounts.services import api_key_create
from jisr.api import api
from jisr.conftest import client_for
from jisr.tests.samples import (
    PERSONAS,
    case_samples,
    catalogue_samples,
    key_samples,
    linkage_samples,
    opportunity_samples,
    page_patterns,
    sample_url,
    url_samples,
)

# Record-scoped URLs point at records of the ministry's Basra branch (bob's); these personas
# have them in scope when they hold the permission at all.
IN_SCOPE = {
    "organisation_id": {"admin", "carol", "alice", "protection", "charlie", "employer", "analyst"},
    "user_id": {"admin", "carol"},
    "person_id": {"carol"},  # a person registered in Basra: not Baghdad's caseworkers'
    "import_id": set(),  # a spreadsheet uploaded by Bob: his alone
    # An open opportunity of the employer's company: everyone who browses opportunities sees it.
    "opportunity_id": {
        "admin",
        "carol",
        "alice",
        "protection",
        "charlie",
        "employer",
        "analyst",
        "person",
    },
    "reference": {"employer"},  # a candidate's, for the employer's company
    "application_id": {"employer"},
    # A service and a location of charlie's NGO; a proposal reviewed by the administrator.
    "service_id": {"charlie"},
    "location_id": {"charlie"},
    "change_id": {"admin"},
    "hsds_import_id": set(),  # an HSDS import of another account: its uploader's alone
    # A case of the Basra person (bob's); a referral from it to charlie's NGO.
    "case_id": {"carol"},
    "need_id": {"carol"},
    "referral_id": {"carol", "charlie"},
    # A register of the Basra branch, with its records, a run and a pair: the ministry's own
    # (carol); no scope reaches another institution's register. An upload is its uploader's.
    "register_id": {"carol"},
    "upload_id": set(),
    "run_id": {"carol"},
    "pair_id": {"carol"},
    "record_id": {"carol"},
    # An API key of the Basra branch: its ministry's supervisor and the platform's administrator.
    "key_id": {"admin", "carol"},
}
EDIT_IN_SCOPE = {
    "organisation_id": {"admin"},
    "user_id": {"admin", "carol"},
    "person_id": set(),
    "import_id": set(),
    "opportunity_id": {"employer"},  # changing it, its candidates and applications: the poster
    "reference": {"employer"},
    "application_id": {"employer"},
    "service_id": {"charlie"},
    "location_id": {"charlie"},
    "change_id": {"admin"},
    "hsds_import_id": set(),  # an HSDS import of another account: its uploader's alone
    "case_id": set(),
    "need_id": set(),
    "referral_id": {"charlie"},  # the receiving organisation moves the referral
    "register_id": {"carol"},
    "upload_id": set(),
    "run_id": {"carol"},
    "pair_id": {"carol"},
    "record_id": {"carol"},
    "agreement_id": {"carol"},
    "key_id": {"admin", "carol"},
}
# Pages and operations that act for the poster of an opportunity: scoped like changes.
POSTER_WORDS = ("edit", "candidates", "applications", "decision")
# Pages that only take POST: a GET by someone allowed is answered 405.
POST_ONLY: tuple[str, ...] = (
    "invite/",
    "open/<int:person_id>/",
    "<int:case_id>/plan/",
    # One URL for each change of a case; the case's page shows them.
    "<int:case_id>/needs/",
    "<int:case_id>/needs/status/",
    "<int:case_id>/referrals/",
    "<int:case_id>/referrals/waiting/",
    "<int:case_id>/status/",
    "<int:case_id>/transfer/",
    "<int:case_id>/follow-ups/",
    "warnings/scan/",
    "<int:import_id>/resume/",
    "<int:hsds_import_id>/again/",
    # Linkage: one URL per action of its pages.
    "linkage/registry/",
    "<int:register_id>/run/",
    "<int:register_id>/agreements/",
    "<int:agreement_id>/end/",
    "<int:upload_id>/import/",
    "<int:upload_id>/resume/",
    "<int:pair_id>/decision/",
    # Catalogue and matching: one URL per action of their pages.
    "approve/",
    "reject/",
    "facts/",
    "occupations/",
    "skills/",
    "languages/",
    "qualifications/",
    "remove/",
    "status/",
    "apply/",
    "decide/",
)


def test_every_page_declares_its_access():
    undeclared = [route for route, p in page_patterns() if not hasattr(p.callback, "jisr_access")]
    assert undeclared == []


def _expected_page_status(access: str, persona: str | None, people: Any, route: str) -> set[int]:
    if route == "health/":
        return {200}  # for the load balancer: anyone, signed in or not, the same answer
    if access == PUBLIC:
        return {200, 302, 404} if "<" in route else {200, 302}
    if persona is None:
        return {302}  # to the sign-in page
    if access == SIGNED_IN:
        return {200, 302}
    if access == SELF:
        # One's own pages: 404 for an account with no record of its own; 405 for POST-only.
        return {200, 302, 405} if persona == "person" else {200, 302, 404, 405}
    user = people[persona]
    if not user.can(Perm(access)):
        return {403}
    writes = any(
        word in route for word in ("edit", "reset", "consent", "case-form", "share", *POSTER_WORDS)
    )
    for parameter, personas in (EDIT_IN_SCOPE if writes else IN_SCOPE).items():
        if f"<int:{parameter}>" in route and persona not in personas:
            return {403, 404, 405} if route.endswith(POST_ONLY) else {403, 404}
    return {405} if route.endswith(POST_ONLY) else {200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_as(persona, people, orgs, basra_person):
    basra_person.account = people["person"]
    basra_person.save()
    client = client_for(people[persona] if persona else None)
    samples = url_samples(people, orgs, basra_person)
    failures = []
    for route, pattern in page_patterns():
        access = getattr(pattern.callback, "jisr_access")  # noqa: B009
        url = sample_url(route, samples)
        response = client.get(url)
        expected = _expected_page_status(access, persona, people, route)
        if response.status_code not in expected:
            failures.append(
                f"{url} ({access}): {response.status_code}, expected {sorted(expected)}"
            )
        if persona is None and response.status_code == 302 and access not in (PUBLIC,):
            assert "/accounts/sign-in/" in response["Location"], url
    assert failures == []


def _api_operations() -> list[tuple[str, str, Any]]:
    operations = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/api/v1" + ("/" + prefix.strip("/") if prefix.strip("/") else "") + path
                for method in operation.methods:
                    operations.append((method, full, operation))
    return operations


PUBLIC_API = {
    "/api/v1/places/governorates",
    "/api/v1/places/districts",
    "/api/v1/services",
    "/api/v1/services/{uuid}",
}


def _access(operation: Any) -> str:
    """What an operation allows; an API key and a browser session are held to the same."""
    callbacks = operation.auth_callbacks
    if not callbacks:
        return PUBLIC
    assert [type(c) for c in callbacks] == [BearerApiKey, Allowed]
    assert callbacks[0].access == callbacks[1].access
    return str(callbacks[1].access)


def test_every_api_operation_declares_its_access():
    public = {path for _, path, operation in _api_operations() if _access(operation) == PUBLIC}
    assert public == PUBLIC_API
    assert len(_api_operations()) >= 10


def _key_client(people: Any) -> tuple[Client, Any]:
    """Carol's ministry system, with a key holding everything a key may have of hers."""
    carol = people["carol"]
    _key, token = api_key_create(
        by=carol,
        name="walk",
        permissions=frozenset(p for p in API_KEY_PERMISSIONS if carol.can(p)),
        scope=Scope.ORGANISATION,
        clearance=Sensitivity.SENSITIVE,
        expires_on=timezone.localdate() + dt.timedelta(days=1),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), user_for_key(token)


@pytest.mark.parametrize("persona", [*PERSONAS, "carol_key"])
def test_every_api_operation_as(persona, people, orgs, basra_person):
    basra_person.account = people["person"]
    basra_person.save()
    matching = opportunity_samples(people, basra_person)
    catalogue = catalogue_samples(people)
    cases = case_samples(people, basra_person)
    linkage = linkage_samples(people, orgs)
    keys = key_samples(people, orgs)
    if persona == "carol_key":
        # A key is held to what it was given, within its maker's scope: carol's, narrowed.
        client, key_user = _key_client(people)
        people = {**people, "carol_key": key_user}
        scope_persona = "carol"
    else:
        client = client_for(people[persona] if persona else None)
        scope_persona = persona
    failures = []
    for method, path, operation in _api_operations():
        url = (
            path.replace("{organisation_id}", str(orgs["momd_basra"].pk))
            .replace("{user_id}", str(people["bob"].pk))
            .replace("{person_id}", str(basra_person.pk))
            .replace("{opportunity_id}", matching["opportunity_id"])
            .replace("{reference}", matching["reference"])
            .replace("{application_id}", matching["application_id"])
            .replace("{service_id}", catalogue["service_id"])
            .replace("{change_id}", catalogue["change_id"])
            .replace("{hsds_import_id}", catalogue["hsds_import_id"])
            .replace("{uuid}", catalogue["uuid"])
            .replace("{case_id}", cases["case_id"])
            .replace("{need_id}", cases["need_id"])
            .replace("{referral_id}", cases["referral_id"])
        )
        for key, value in {**linkage, **keys}.items():
            url = url.replace("{" + key + "}", value)
        cross_reference = path.endswith("/linkage/cross-reference")
        if cross_reference:  # its registers are query parameters
            url += f"?base={linkage['register_id']}&other={linkage['register_id']}"
        response = client.generic(method, url, data="{}", content_type="application/json")
        access = _access(operation)
        if access == PUBLIC:
            expected = {200}
        elif persona is None:
            expected = {401}
        elif access == SELF and persona == "carol_key":
            expected = {403}  # one's own account is for people, not keys
        elif access == SELF:
            # About the caller's own record: 404 for an account that has none.
            expected = {200, 422} if persona == "person" else {200, 404, 422}
        elif not people[persona].can(Perm(access)):
            expected = {403}
        elif method == "GET" and not any(word in path for word in POSTER_WORDS):
            scoped = [p for p in IN_SCOPE if "{" + p + "}" in path] + [
                "register_id"
            ] * cross_reference
            expected = {200} if all(scope_persona in IN_SCOPE[p] for p in scoped) else {404}
        elif method == "GET":
            scoped = [p for p in EDIT_IN_SCOPE if "{" + p + "}" in path]
            expected = {200} if all(scope_persona in EDIT_IN_SCOPE[p] for p in scoped) else {404}
        else:
            scoped = [p for p in EDIT_IN_SCOPE if "{" + p + "}" in path]
            if all(scope_persona in EDIT_IN_SCOPE[p] for p in scoped):
                expected = {200, 201, 422}  # an empty body is refused, or changes nothing
            else:
                # Never a success out of scope. An empty body may be refused (422) before the
                # record is looked up: the same answer as for an id that does not exist.
                expected = {403, 404, 422}
        if response.status_code not in expected:
            failures.append(
                f"{method} {url} ({access}): {response.status_code}, expected {sorted(expected)}"
            )
        if response.status_code >= 400:
            body = response.json()
            assert set(body["error"]) == {"code", "message", "fields"}, url
    assert failures == []

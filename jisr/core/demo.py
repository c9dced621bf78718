"""The demo: organisations, one account per role with a known password, and realistic staff.

Everything is created idempotently (running it twice changes nothing) from a seeded random
generator, so two installs with the same seed show the same people. Later apps extend
`build_demo` with their own data. Demo passwords are printed and must never reach production:
`jisr demo` refuses to run when JISR_ENV=production.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from jisr.accounts.models import Organisation, OrganisationKind, RoleGrant, User
from jisr.accounts.roles import Role, Scope
from jisr.cases.demo import build_cases
from jisr.catalogue.demo import build_catalogue
from jisr.core.demo_data import MINISTRIES, OTHER_ORGANISATIONS, NameGenerator
from jisr.linkage.demo import build_linkage
from jisr.matching.demo import build_matching
from jisr.places.models import Governorate
from jisr.registry.demo import build_persons
from jisr.registry.models import Person
from jisr.skills.loading import load_taxonomy
from jisr.skills.models import Occupation

DEMO_PASSWORD = "Jisr-demo-2026"  # noqa: S105  (printed on purpose; refused in production)
DEMO_DOMAIN = "demo.jisr.iq"


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    full_name: str


@dataclass
class DemoResult:
    accounts: list[DemoAccount]
    organisations: int
    users: int
    persons: int


def _organisation(kind: str, name_en: str, **fields: object) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        kind=kind, name_en=name_en, defaults=fields
    )
    return organisation


def _account(
    *,
    email: str,
    full_name: str,
    organisation: Organisation | None,
    roles: dict[Role, Scope],
    phone: str | None = None,
    language: str = "ar",
) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            phone=phone,
            full_name=full_name,
            password=DEMO_PASSWORD,
            organisation=organisation,
            language=language,
        )
    for role, scope in roles.items():
        RoleGrant.objects.get_or_create(user=user, role=role, defaults={"scope": scope})
    return user


@transaction.atomic
def build_demo(
    *,
    seed: int = 2026,
    staff_per_branch: int = 2,
    households_per_branch: int = 3,
    with_catalogues: bool = True,
) -> DemoResult:
    """`with_catalogues`: also load the ESCO taxonomy, skills profiles, opportunities and the
    service catalogue (tests that only need accounts leave them out: about 15 s saved)."""
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    names = NameGenerator(rng)
    governorates = {g.code: g for g in Governorate.objects.all()}

    platform = _organisation(
        OrganisationKind.PLATFORM, "Jisr platform", name_ar="منصة جسر", name_ckb="پلاتفۆرمی جیسر"
    )
    ministries: dict[str, Organisation] = {}
    for acronym, ar, ckb, en in MINISTRIES:
        ministries[acronym] = _organisation(
            OrganisationKind.MINISTRY,
            en,
            name_ar=ar,
            name_ckb=ckb,
            acronym=acronym,
            governorate=governorates.get("IQ-BG"),
        )
    branches: dict[tuple[str, str], Organisation] = {}
    for acronym in ("MoMD", "MoLSA"):
        ministry = ministries[acronym]
        for code, governorate in sorted(governorates.items()):
            branches[(acronym, code)] = _organisation(
                OrganisationKind.GOVERNMENT_OFFICE,
                f"{ministry.name_en}, {governorate.name_en} branch",
                name_ar=f"{ministry.name_ar} - فرع {governorate.name_ar}",
                name_ckb=f"{ministry.name_ckb} - لقی {governorate.name_ckb}",
                acronym=acronym,
                parent=ministry,
                governorate=governorate,
            )
    others: dict[str, Organisation] = {}
    for kind, governorate_code, ar, ckb, en in OTHER_ORGANISATIONS:
        others[str(kind)] = others.get(str(kind)) or _organisation(
            kind,
            en,
            name_ar=ar,
            name_ckb=ckb,
            governorate=governorates.get(governorate_code) if governorate_code else None,
            country="IQ" if kind != OrganisationKind.DIASPORA_ORGANISATION else "DE",
        )
    baghdad_momd = branches[("MoMD", "IQ-BG")]

    def demo_email(local: str) -> str:
        return f"{local}@{DEMO_DOMAIN}"

    role_accounts = [
        (Role.ADMINISTRATOR, "admin", platform, Scope.ALL, "en"),
        (Role.SUPERVISOR, "supervisor", ministries["MoMD"], Scope.ORGANISATION, "ar"),
        (Role.CASEWORKER, "caseworker", baghdad_momd, Scope.GOVERNORATE, "ar"),
        (Role.PROTECTION_OFFICER, "protection", baghdad_momd, Scope.GOVERNORATE, "ar"),
        (Role.PROVIDER_STAFF, "provider", others[OrganisationKind.NGO], Scope.ORGANISATION, "ar"),
        (Role.EMPLOYER, "employer", others[OrganisationKind.EMPLOYER], Scope.ORGANISATION, "ckb"),
        (Role.ANALYST, "analyst", ministries["MoP"], Scope.ALL, "ar"),
        (Role.ANALYST, "labour", ministries["MoLSA"], Scope.ORGANISATION, "ar"),
    ]
    accounts: list[DemoAccount] = []
    for role, local, organisation, scope, language in role_accounts:
        user = _account(
            email=demo_email(local),
            full_name=names.full_name(),
            organisation=organisation,
            roles={role: scope},
            language=language,
        )
        accounts.append(DemoAccount(role, user.email or "", user.full_name))
    person_account = _account(
        email=demo_email("person"),
        phone="+9647701234567",
        full_name=names.full_name(),
        organisation=None,
        roles={Role.PERSON: Scope.OWN},
    )
    accounts.append(DemoAccount(Role.PERSON, person_account.email or "", person_account.full_name))

    for (acronym, code), branch in sorted(branches.items()):
        for number in range(1, staff_per_branch + 1):
            _account(
                email=demo_email(f"{acronym.lower()}.{code[3:].lower()}.{number}"),
                full_name=names.full_name(),
                organisation=branch,
                roles={Role.CASEWORKER: Scope.ORGANISATION},
            )
    build_persons(rng=rng, households_per_branch=households_per_branch)
    if with_catalogues and not Occupation.objects.exists():
        load_taxonomy()
    if not Person.objects.filter(account=person_account).exists():
        # The demo person's own account opens the record of a returnee registered in Baghdad.
        record = (
            Person.objects.filter(
                account=None, organisation__governorate__code="IQ-BG", relationship="head"
            )
            .order_by("pk")
            .first()
        )
        if record is not None:
            Person.objects.filter(pk=record.pk).update(account=person_account)
    if with_catalogues:
        build_matching(rng=rng, demo_email=DEMO_DOMAIN)
        build_catalogue(rng=rng, demo_email=DEMO_DOMAIN)
        build_cases(rng=rng)
        build_linkage(
            rng=rng,
            labour_analyst=User.objects.get(email=demo_email("labour")),
            migration=ministries["MoMD"],
            labour=ministries["MoLSA"],
        )
    return DemoResult(
        accounts=accounts,
        organisations=Organisation.objects.count(),
        users=User.objects.count(),
        persons=Person.objects.count(),
    )

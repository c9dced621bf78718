"""The standard case form: one versioned definition of the questions every ministry asks.

The self-registration and caseworker pages, the API, the XLSForm export and the imports all
read this definition, so a question is added or changed in one place. Questions about a person's
identity (names, birth, contact, documents) are fields of `Person`; this form holds the rest.
Religion, sect and ethnicity are not asked, by design.

Each question says how sensitive its answer is; a reader sees an answer only up to their
clearance, and protection questions are asked only with the person's explicit consent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisr.accounts.roles import Sensitivity
from jisr.lib.digits import ascii_digits

VERSION = "2026.1"

TEXT, INTEGER, DATE, CHOICE, MULTI, YES_NO = "text", "integer", "date", "choice", "multi", "yes_no"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str | Promise


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    label: str | Promise
    choices: tuple[Choice, ...] = ()
    sensitivity: Sensitivity = Sensitivity.PERSONAL
    minimum: int | None = None
    maximum: int | None = None

    def choice_label(self, value: str) -> str:
        return next((str(c.label) for c in self.choices if c.value == value), value)


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    questions: tuple[Question, ...]
    sensitivity: Sensitivity = Sensitivity.PERSONAL
    needs_consent: str = ""  # a consent purpose the person must have given first


@dataclass(frozen=True)
class CaseForm:
    version: str
    sections: tuple[Section, ...]
    by_key: dict[str, Question] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for section in self.sections:
            for question in section.questions:
                assert question.key not in self.by_key, question.key
                self.by_key[question.key] = question

    def section_of(self, key: str) -> Section:
        return next(s for s in self.sections if any(q.key == key for q in s.questions))


def _choices(*pairs: tuple[str, str | Promise]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in pairs)


YES_NO_UNSURE = _choices(("yes", _("Yes")), ("no", _("No")), ("unsure", _("Not sure")))
HAS_DOCUMENT = _choices(
    ("yes", _("Has it")), ("no", _("Does not have it")), ("lost", _("Lost or damaged"))
)

CASE_FORM = CaseForm(
    version=VERSION,
    sections=(
        Section("social", _("Social status"), (
            Question("marital_status", CHOICE, _("Marital status"), _choices(
                ("single", _("Single")), ("married", _("Married")), ("widowed", _("Widowed")),
                ("divorced", _("Divorced")), ("separated", _("Separated")))),
            Question("dependants", INTEGER, _("Number of people who depend on them"), minimum=0, maximum=40),
        )),
        Section("education", _("Education and qualifications"), (
            Question("education_level", CHOICE, _("Highest level of education completed"), _choices(
                ("none", _("No schooling")), ("primary", _("Primary school")),
                ("intermediate", _("Intermediate school")), ("preparatory", _("Preparatory (secondary) school")),
                ("vocational", _("Vocational diploma")), ("bachelor", _("Bachelor's degree")),
                ("master", _("Master's degree")), ("doctorate", _("Doctorate")))),
            Question("field_of_study", TEXT, _("Field of study or trade")),
            Question("qualification_recognised", CHOICE, _("Is the qualification recognised in Iraq?"), YES_NO_UNSURE),
        )),
        Section("employment", _("Employment"), (
            Question("employment_status", CHOICE, _("Work situation now"), _choices(
                ("employed", _("Employed")), ("self_employed", _("Self-employed or own business")),
                ("seeking", _("Unemployed, looking for work")), ("not_seeking", _("Unemployed, not looking")),
                ("student", _("Student")), ("retired", _("Retired")), ("unable", _("Unable to work")))),
            Question("occupation", TEXT, _("Occupation (in their own words)")),
            Question("years_of_experience", INTEGER, _("Years of work experience"), minimum=0, maximum=70),
            Question("employment_needs", MULTI, _("What would help them find work"), _choices(
                ("job_placement", _("Job placement")), ("vocational_training", _("Vocational training")),
                ("business_start_up", _("Support to start a business")),
                ("recognition", _("Recognition of qualifications")), ("language_course", _("Language course")))),
        )),
        Section("languages", _("Languages"), (
            Question("languages", MULTI, _("Languages they speak well"), _choices(
                ("ar", _("Arabic")), ("ckb", _("Kurdish (Sorani)")), ("kmr", _("Kurdish (Badini/Kurmanji)")),
                ("syr", _("Syriac")), ("tr", _("Turkish")), ("fa", _("Persian")), ("en", _("English")),
                ("de", _("German")), ("sv", _("Swedish")), ("fr", _("French")))),
        )),
        Section("documents", _("Documents"), (
            Question("national_id_card", CHOICE, _("Unified national ID card"), HAS_DOCUMENT),
            Question("civil_status_id", CHOICE, _("Civil status ID"), HAS_DOCUMENT),
            Question("nationality_certificate", CHOICE, _("Nationality certificate"), HAS_DOCUMENT),
            Question("education_certificates", CHOICE, _("Education certificates"), HAS_DOCUMENT),
        )),
        Section("housing", _("Housing, land and property"), (
            Question("housing", CHOICE, _("Where they live now"), _choices(
                ("own", _("Own home")), ("rented", _("Rented")), ("relatives", _("With relatives or friends")),
                ("informal", _("Informal settlement or unfinished building")), ("camp", _("Camp")),
                ("none", _("No shelter")))),
            Question("property_issue", CHOICE, _("Their home or land back home"), _choices(
                ("none", _("No problem")), ("damaged", _("Damaged")), ("destroyed", _("Destroyed")),
                ("occupied", _("Occupied by others")), ("documents_lost", _("Property documents lost")))),
        )),
        Section("health", _("Health and gender-specific concerns"), (
            Question("disability", YES_NO, _("Has a disability")),
            Question("chronic_illness", YES_NO, _("Has a chronic or serious illness")),
            Question("pregnant_or_nursing", YES_NO, _("Pregnant or nursing")),
            Question("psychosocial_support", YES_NO, _("Would like psychosocial support")),
        ), sensitivity=Sensitivity.SENSITIVE),
        Section("protection", _("Protection needs"), (
            Question("protection_needs", MULTI, _("Protection needs"), _choices(
                ("safety_threat", _("Threat to their safety")), ("violence_survivor", _("Survivor of violence")),
                ("child_protection", _("Child protection concern")), ("trafficking", _("Trafficking")),
                ("unaccompanied_minor", _("Unaccompanied or separated child")))),
        ), sensitivity=Sensitivity.PROTECTION, needs_consent="protection"),
        Section("needs", _("Needs and interests"), (
            Question("needs", MULTI, _("What they need most"), _choices(
                ("cash", _("Cash assistance")), ("shelter", _("Shelter")), ("employment", _("Employment")),
                ("training", _("Training")), ("legal", _("Legal aid")), ("documentation", _("Documentation")),
                ("health", _("Health care")), ("psychosocial", _("Psychosocial support")),
                ("education_children", _("Schooling for children")), ("family_tracing", _("Family tracing")))),
        )),
        Section("aspirations", _("Aspirations on return"), (
            Question("plans_to_stay", CHOICE, _("Plans to stay in Iraq"), YES_NO_UNSURE),
            Question("considering_migrating_again", CHOICE, _("Considering migrating again"), YES_NO_UNSURE),
            Question("aspirations", TEXT, _("What they hope to do")),
        )),
        Section("migration", _("Reasons for migrating"), (
            Question("reasons_for_migrating", MULTI, _("Why they left"), _choices(
                ("security", _("Insecurity or conflict")), ("economic", _("Work and income")),
                ("family", _("Family reasons")), ("education", _("Studies")), ("persecution", _("Threats or persecution")),
                ("other", _("Other")))),
            Question("years_away", INTEGER, _("Years away"), minimum=0, maximum=80),
            Question("asylum", CHOICE, _("Asylum in the country they came from"), _choices(
                ("never", _("Never applied")), ("pending", _("Pending")), ("granted", _("Granted")),
                ("rejected", _("Rejected")))),
        )),
        Section("return", _("Return"), (
            Question("return_date", DATE, _("Date of return")),
            Question("returned_from", TEXT, _("Country they returned from (ISO code, e.g. DE)")),
            Question("return_assisted", YES_NO, _("Return was assisted by a programme")),
            Question("return_programme", TEXT, _("Name of the return programme")),
        )),
    ),
)  # fmt: skip


def clean_answer(question: Question, value: Any) -> Any:
    """The typed value of an answer, or ValueError with a reason a person can read."""
    if value in (None, "", []):
        return None
    if question.kind == INTEGER:
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(str(_("Enter a whole number."))) from None
        if (question.minimum is not None and number < question.minimum) or (
            question.maximum is not None and number > question.maximum
        ):
            raise ValueError(str(_("Out of range.")))
        return number
    if question.kind == YES_NO:
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("yes", "true", "1"):
            return True
        if str(value).lower() in ("no", "false", "0"):
            return False
        raise ValueError(str(_("Answer yes or no.")))
    if question.kind == DATE:
        try:
            if isinstance(value, dt.date):
                return value.isoformat()
            text = ascii_digits(str(value)).strip()
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:  # a spreadsheet's date comes with its time
                return dt.datetime.fromisoformat(text).date().isoformat()
        except ValueError:
            raise ValueError(str(_("Enter a date as YYYY-MM-DD."))) from None
    allowed = {c.value for c in question.choices}
    if question.kind == CHOICE:
        if not isinstance(value, (str, int)) or str(value) not in allowed:
            raise ValueError(str(_("Not one of the choices.")))
        return str(value)
    if question.kind == MULTI:
        values = value if isinstance(value, (list, tuple)) else str(value).split()
        if not all(isinstance(v, str) for v in values) or not set(values) <= allowed:
            raise ValueError(str(_("Not one of the choices.")))
        return sorted(set(values))
    if not isinstance(value, (str, int, float)):
        raise ValueError(str(_("Enter text.")))
    return str(value).strip()[:500]

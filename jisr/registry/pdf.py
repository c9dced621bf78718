"""A person's record as a PDF in their language, for printing or keeping.

reportlab lays out the page; arabic-reshaper joins Arabic and Kurdish letters into their
connected forms and python-bidi puts each line in display order, which reportlab does not do
itself. Text is wrapped into lines before reordering, so lines read top to bottom in order.
Fonts: Noto Naskh Arabic for Arabic script, Noto Sans for the rest (OFL, in `fonts/`).
"""

from __future__ import annotations

import io
import re
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from django.utils import translation
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from jisr.lib.i18n import format_datetime
from jisr.registry.models import Person

FONTS = Path(__file__).resolve().parent / "fonts"
_ARABIC_LETTERS = r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+"
# A run of Arabic-script words and the spaces between them.
_ARABIC_RUN = re.compile(rf"({_ARABIC_LETTERS}(?:[ ]+{_ARABIC_LETTERS})*)")


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont("Naskh", str(FONTS / "NotoNaskhArabic-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("Sans", str(FONTS / "NotoSans-Regular.ttf")))


def _markup(line: str) -> str:
    """One line in display order, each run in the font that has its letters."""
    # The marks steer the reordering; no font draws them, so they go once it is done.
    visual = get_display(arabic_reshaper.reshape(line)).replace("\u200e", "").replace("\u200f", "")
    parts = _ARABIC_RUN.split(visual)
    return "".join(
        f'<font name="Naskh">{escape(part)}</font>' if index % 2 else escape(part)
        for index, part in enumerate(parts)
        if part
    )


def _ltr(value: str) -> str:
    """Keep a phone number or address in its own left-to-right order inside Arabic text."""
    return f"\u200e{value}\u200e" if value else ""


def _paragraphs(text: str, style: ParagraphStyle, width: int = 80) -> list[Paragraph]:
    lines = textwrap.wrap(text, width) or [""]
    return [Paragraph(_markup(line), style) for line in lines]


def record_pdf(person: Person, export: dict[str, Any], language: str) -> bytes:
    _register_fonts()
    with translation.override(language):
        rtl = get_language_bidi()
        body = ParagraphStyle(
            "body", fontName="Sans", fontSize=10, leading=16, alignment=TA_RIGHT if rtl else TA_LEFT
        )
        heading = ParagraphStyle("heading", parent=body, fontSize=14, leading=22, spaceBefore=8)
        story: list[Any] = []
        story += _paragraphs(_("My record in Jisr"), heading)
        story += _paragraphs(person.full_name, heading)
        rows = [
            (_("Mother's name"), person.mother_name),
            (_("Year of birth"), str(person.birth_year or "")),
            (_("Mobile phone"), _ltr(person.phone)),
            (_("E-mail"), _ltr(person.email)),
            (_("National ID or passport number"), _ltr(person.national_id or "")),
            (_("Situation"), person.get_person_type_display()),
            (
                _("Lives in"),
                person.governorate.name if person.governorate else str(person.country.name),
            ),
            (_("Registered by"), person.organisation.name),
        ]
        for label, value in rows:
            if value:
                story += _paragraphs(f"{label}: {value}", body)
        if export["case_form"]:
            story += _paragraphs(_("Case form"), heading)
            for item in export["case_form"].values():
                story += _paragraphs(f"{item['question']}: {item['answer']}", body)
        story += _paragraphs(_("Consent"), heading)
        for event in export["consents"]:
            story += _paragraphs(
                f"{event['purpose_label']}: {event['decision_label']} ({event['when']})", body
            )
        if export["categories"]:
            story += _paragraphs(_("How your situation is described"), heading)
            for category in export["categories"]:
                story += _paragraphs(f"{category['category']}: {category['reason']}", body)
        story += _paragraphs(_("Who has looked at or changed your record"), heading)
        for entry in export["access_log"][:200]:
            story += _paragraphs(
                f"{entry['when']} · {entry['organisation'] or '—'} · {entry['action_label']}", body
            )
        story.append(Spacer(1, 6 * mm))
        story += _paragraphs(format_datetime(person.updated_at), body)
        out = io.BytesIO()
        SimpleDocTemplate(
            out, pagesize=A4, title="Jisr", leftMargin=18 * mm, rightMargin=18 * mm
        ).build(story)
    return out.getvalue()


def document_pdf(blocks: list[tuple[str, list[str]]], language: str, title: str = "Jisr") -> bytes:
    """A plain document in `language`: for each block, a heading and its lines (a referral
    letter, for instance). Callers render the texts in that language."""
    _register_fonts()
    with translation.override(language):
        rtl = get_language_bidi()
        body = ParagraphStyle(
            "body", fontName="Sans", fontSize=11, leading=18, alignment=TA_RIGHT if rtl else TA_LEFT
        )
        heading = ParagraphStyle("heading", parent=body, fontSize=14, leading=22, spaceBefore=10)
        story: list[Any] = []
        for title_line, lines in blocks:
            if title_line:
                story += _paragraphs(title_line, heading)
            for line in lines:
                story += _paragraphs(line, body)
        out = io.BytesIO()
        SimpleDocTemplate(
            out, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm
        ).build(story)
    return out.getvalue()

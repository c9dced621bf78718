"""The demo's invented data: ministries and other organisations, Iraqi given and family names,
and four-part names made of them. Tables, one row a line.

Apart from `demo.py`, which builds the demo from every app, so that each app's own demo data
(registry, benchmarks) can name people without importing the whole demo.
"""

from __future__ import annotations

import random

from jisr.accounts.models import OrganisationKind

MINISTRIES = [
    # (acronym, Arabic, Central Kurdish, English)
    ("MoMD", "وزارة الهجرة والمهجرين", "وەزارەتی کۆچ و کۆچبەران", "Ministry of Migration and Displaced"),
    ("MoLSA", "وزارة العمل والشؤون الاجتماعية", "وەزارەتی کار و کاروباری کۆمەڵایەتی", "Ministry of Labour and Social Affairs"),
    ("MoP", "وزارة التخطيط", "وەزارەتی پلاندانان", "Ministry of Planning"),
    ("MoFA", "وزارة الخارجية", "وەزارەتی دەرەوە", "Ministry of Foreign Affairs"),
    ("MoI", "وزارة الداخلية", "وەزارەتی ناوخۆ", "Ministry of Interior"),
]  # fmt: skip

# Invented organisations: the demo must not speak for real NGOs or companies.
OTHER_ORGANISATIONS = [
    (OrganisationKind.NGO, "IQ-BG", "منظمة جسور الأمل (تجريبية)", "ڕێکخراوی پردەکانی هیوا (تاقیکاری)", "Bridges of Hope (demo NGO)"),
    (OrganisationKind.NGO, "IQ-NI", "جمعية نينوى للإغاثة (تجريبية)", "کۆمەڵەی فریاگوزاری نەینەوا (تاقیکاری)", "Nineveh Relief Society (demo NGO)"),
    (OrganisationKind.UN_AGENCY, None, "وكالة دولية للهجرة (تجريبية)", "ئاژانسی نێودەوڵەتی کۆچ (تاقیکاری)", "International Migration Agency (demo)"),
    (OrganisationKind.TRAINING_CENTRE, "IQ-BA", "مركز الرافدين للتدريب المهني (تجريبي)", "سەنتەری ڕافیدەین بۆ ڕاهێنانی پیشەیی (تاقیکاری)", "Rafidain Vocational Training Centre (demo)"),
    (OrganisationKind.EMPLOYER, "IQ-AR", "شركة دجلة للمقاولات (تجريبية)", "کۆمپانیای دیجلە بۆ بەڵێندەرایەتی (تاقیکاری)", "Tigris Contracting Company (demo)"),
    (OrganisationKind.IRAQI_INSTITUTION, "IQ-NA", "مستشفى الفرات التعليمي (تجريبي)", "نەخۆشخانەی فوراتی فێرکاری (تاقیکاری)", "Euphrates Teaching Hospital (demo)"),
    (OrganisationKind.DIASPORA_ORGANISATION, None, "رابطة الأطباء العراقيين في أوروبا (تجريبية)", "کۆمەڵەی پزیشکانی عێراقی لە ئەوروپا (تاقیکاری)", "Iraqi Doctors in Europe Network (demo)"),
]  # fmt: skip

MALE_NAMES = [
    "محمد", "علي", "حسين", "حسن", "أحمد", "عمر", "مصطفى", "حيدر", "عباس", "كرار", "زيد",
    "يوسف", "سجاد", "مرتضى", "عبد الله", "إبراهيم", "خالد", "سيف", "ليث", "آرام", "دلشاد",
    "هيمن", "شيركو", "ريبوار", "سامان", "نوزاد",
]  # fmt: skip
FEMALE_NAMES = [
    "فاطمة", "زينب", "مريم", "نور", "سارة", "رقية", "زهراء", "هدى", "رنا", "شيماء", "آية",
    "دعاء", "بان", "سرى", "نسرين", "شيرين", "كژال", "هاوار", "ڤيان", "روناك",
]  # fmt: skip
FAMILY_NAMES = [
    "الجبوري", "الدليمي", "التميمي", "الربيعي", "الساعدي", "الزبيدي", "الخفاجي", "العبيدي",
    "الكعبي", "الموسوي", "الحسيني", "الشمري", "العزاوي", "البياتي", "الطائي", "السامرائي",
    "الحلي", "البرزنجي", "الجاف", "الهركي", "الطالباني", "الكردي",
]  # fmt: skip


class NameGenerator:
    """Iraqi four-part names in Arabic script: given, father's, grandfather's, family."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def full_name(self, *, female: bool | None = None) -> str:
        if female is None:
            female = self.rng.random() < 0.45
        given = self.rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        father, grandfather = self.rng.sample([n for n in MALE_NAMES if n != given], 2)
        return f"{given} {father} {grandfather} {self.rng.choice(FAMILY_NAMES)}"

"""Iraqi names for the demo's people: given names, family names, and four-part names made of them.

Apart from `demo.py`, which builds the demo from every app, so that each app's own demo data
(registry, benchmarks) can name people without importing the whole demo.
"""

from __future__ import annotations

import random

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

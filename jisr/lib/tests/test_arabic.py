from __future__ import annotations

import pytest

from jisr.lib.arabic import name_tokens, normalise_name


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آمنة", "امنه"),
        ("فاطمة", "فاطمه"),
        ("مصطفى", "مصطفي"),
        ("عبد الله", "عبدالله"),
        ("عبد  الرحمن", "عبدالرحمن"),
        ("مُحَمَّد", "محمد"),
        ("محـــمد", "محمد"),
        ("كريم", "کریم"),  # Arabic kaf and yeh vs Kurdish/Persian keheh and yeh
        ("ئاراس", "ياراس"),
        ("گوران", "كوران"),
        ("زينب علي", "زينب، علي"),
        ("Ali  Hassan", "ali hassan"),
        ("٠٧٧٠", "0770"),
    ],
)
def test_spelling_variants_meet(one, other):
    assert normalise_name(one) == normalise_name(other)


def test_different_names_stay_different():
    assert normalise_name("حسن") != normalise_name("حسين")


def test_tokens():
    assert name_tokens("  حيدر   عبد الله  الساعدي ") == ["حيدر", "عبدالله", "الساعدي"]
    assert normalise_name("") == ""

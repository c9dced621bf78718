from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from jisr.conftest import client_for
from jisr.lib.countries import country_name
from jisr.lib.i18n import format_datetime, format_number

LOCALE = Path(settings.LOCALE_PATHS[0])
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%s|\{\{[^}]*\}\}")


@pytest.mark.parametrize("language", ["ar", "ckb"])
def test_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            # A plural form may spell its number out ("صفان"), dropping the count.
            allowed = set(PLACEHOLDER.findall(entry.msgid_plural))
            for form in entry.msgstr_plural.values():
                assert set(PLACEHOLDER.findall(form)) <= allowed, entry.msgid
        else:
            found = set(PLACEHOLDER.findall(entry.msgstr))
            assert set(PLACEHOLDER.findall(entry.msgid)) == found, entry.msgid
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {e.msgid: (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()}) for e in mo}
    stale = [
        e.msgid
        for e in po.translated_entries()
        if compiled.get(e.msgid) != (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
    ]
    assert stale == [], "run `jisr compilemessages` in jisr/"


@pytest.mark.parametrize(
    ("language", "direction", "sign_in"),
    [("ar", "rtl", "تسجيل الدخول"), ("ckb", "rtl", "چوونەژوورەوە"), ("en", "ltr", "Sign in")],
)
def test_pages_follow_the_language_and_its_direction(db, language, direction, sign_in):
    response = Client(headers={"accept-language": language}).get("/")
    html = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert sign_in in html
    css = "bootstrap.rtl.min.css" if direction == "rtl" else "bootstrap.min.css"
    assert css in html


def test_arabic_is_the_default_language(db):
    response = Client().get("/")
    assert b'<html lang="ar" dir="rtl">' in response.content


def test_switching_language_is_remembered_on_the_account(people):
    client = client_for(people["alice"])
    response = client.post("/language/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302
    people["alice"].refresh_from_db()
    assert people["alice"].language == "en"
    assert b'lang="en"' in client.get("/dashboard/").content


def test_switching_to_an_unknown_language_changes_nothing(people):
    client = client_for(people["alice"])
    client.post("/language/", {"language": "xx", "next": "/"})
    people["alice"].refresh_from_db()
    assert people["alice"].language == "ar"


def test_numbers_use_arabic_indic_digits_in_arabic_and_kurdish():
    assert format_number(1234567, "ar") == "١٬٢٣٤٬٥٦٧"
    assert format_number(1234567, "ckb") == "١٬٢٣٤٬٥٦٧"
    assert format_number(1234567, "en") == "1,234,567"


def test_times_are_shown_in_baghdad():
    moment = dt.datetime(2026, 3, 5, 21, 30, tzinfo=dt.UTC)
    with timezone.override("Asia/Baghdad"), translation.override("en"):
        assert "00:30" in format_datetime(moment)  # UTC+3, the next day
        assert "6 Mar 2026" in format_datetime(moment)
    with timezone.override("Asia/Baghdad"), translation.override("ar"):
        assert "٠٦" in format_datetime(moment)
        assert "١٢:٣٠" in format_datetime(moment)


def test_country_names_in_all_three_languages():
    assert country_name("SE", "ar") == "السويد"
    assert country_name("SE", "ckb") == "سوید"
    assert country_name("SE", "en") == "Sweden"
    with translation.override("ckb"):
        from django_countries import countries

        assert countries.name("DE") == "ئەڵمانیا"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext")
def test_makemessages_finds_nothing_untranslated():
    """Runs makemessages on the real tree and restores the catalogues afterwards."""
    catalogues = {path: path.read_bytes() for path in LOCALE.glob("*/LC_MESSAGES/django.po")}
    try:
        call_command(
            "makemessages",
            locale=["ar", "ckb"],
            ignore_patterns=[".venv/*", "var/*"],
            no_obsolete=True,
            verbosity=0,
        )
        for language in ("ar", "ckb"):
            po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
            missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
            assert missing == [], f"translate these in {language}"
    finally:
        for path, content in catalogues.items():
            path.write_bytes(content)

"""Phone numbers: parsed with libphonenumber, stored in E.164 (+9647701234567)."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "IQ"


def normalise_phone(text: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of a phone number written any usual way; ValueError if it is not one.

    Arabic-Indic digits are accepted, as people type them on Arabic keyboards.
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    return "@" not in text and any(ch.isdigit() for ch in text)

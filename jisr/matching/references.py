"""The reference under which an organisation knows a candidate until the person applies.

One reference per person and organisation (decision 0010): the organisation recognises the
candidate across its own opportunities, and no two organisations can link their lists, nor can
a name an organisation learns from an application re-identify the person elsewhere. The
reference is the person's id through a keyed permutation (four Feistel rounds of HMAC-SHA256
under a key derived from SECRET_KEY and the organisation), so it is short, never shared by two
candidates, and Jisr can turn it back into the person when the organisation invites them,
without a table of references. Changing SECRET_KEY changes every reference.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.utils.crypto import salted_hmac

_HALF = 20  # bits: ids up to 2**40, eight characters of base 32
_MASK = (1 << _HALF) - 1
_ROUNDS = 4
# Crockford's base 32: no I, L, O or U, so a reference read aloud or typed is not misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def _key(organisation_id: int) -> bytes:
    return salted_hmac(
        "jisr.matching.candidate_reference", str(organisation_id), algorithm="sha256"
    ).digest()


def _round(key: bytes, number: int, half: int) -> int:
    digest = hmac.new(key, f"{number}:{half}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & _MASK


def candidate_reference(person_id: int, organisation_id: int) -> str:
    """The candidate's reference for this organisation, such as C-7KQ2-M9XA."""
    return _reference(person_id, _key(organisation_id))


def candidate_references(person_ids: Iterable[int], organisation_id: int) -> dict[int, str]:
    """The references of many candidates for one organisation (its key derived once)."""
    key = _key(organisation_id)
    return {person_id: _reference(person_id, key) for person_id in person_ids}


def _reference(person_id: int, key: bytes) -> str:
    if not 0 <= person_id <= (1 << 2 * _HALF) - 1:
        raise ValueError("A person id beyond 2**40 needs a longer reference.")
    left, right = person_id >> _HALF, person_id & _MASK
    for number in range(_ROUNDS):
        left, right = right, left ^ _round(key, number, right)
    value = (left << _HALF) | right
    code = "".join(_ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"C-{code[:4]}-{code[4:]}"


def candidate_person_id(reference: str, organisation_id: int) -> int | None:
    """The person a reference of this organisation names, or None if it is not one. Any
    well-formed reference names some id: callers still check that it is a candidate they see."""
    code = reference.strip().upper().replace("-", "")
    if len(code) == 9 and code.startswith("C"):
        code = code[1:]
    code = "".join(_READ_AS.get(character, character) for character in code)
    if len(code) != 8 or any(character not in _ALPHABET for character in code):
        return None
    value = 0
    for character in code:
        value = value << 5 | _ALPHABET.index(character)
    key = _key(organisation_id)
    left, right = value >> _HALF, value & _MASK
    for number in reversed(range(_ROUNDS)):
        left, right = right ^ _round(key, number, left), left
    return (left << _HALF) | right

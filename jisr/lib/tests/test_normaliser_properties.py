"""Properties of the one name normaliser and of the digits reader, on any text (hypothesis):
they never fail, and applying them twice changes nothing more than once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jisr.lib.arabic import name_tokens, normalise_name
from jisr.lib.digits import numeric_ascii

# Arabic, Persian and Kurdish letters, marks and digits, Latin, spaces and controls, and the rest.
_ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
_TEXT = st.text(
    st.one_of(_ARABIC, st.sampled_from(" \u200c\u200d\u200f\u0640-_.'"), st.characters())
)


@given(_TEXT)
def test_normalising_a_name_twice_is_normalising_it_once(text):
    once = normalise_name(text)
    assert normalise_name(once) == once
    assert name_tokens(once) == once.split()


@given(_TEXT)
def test_reading_digits_twice_is_reading_them_once(text):
    once = numeric_ascii(text)
    assert numeric_ascii(once) == once

"""The memoised normaliser (``BlockMemo``) against ``normalise`` itself, on
numbers drawn from the real numbering plans of FR, PL, GB, US and DE."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from crmtui.store.phones import BlockMemo, normalise, normalise_cached

REGIONS = ("FR", "PL", "GB", "US", "DE")
TYPES = (
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.UAN,
    PhoneNumberType.PERSONAL_NUMBER,
)
STYLES = (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164)
# One memo per region for the whole run, as an import has: later examples
# hit blocks that earlier ones taught it.
MEMOS = {region: BlockMemo(region) for region in REGIONS}


def _examples() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    found = []
    for region in REGIONS:
        for kind in TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                found.append((region, number))
    return found


EXAMPLES = _examples()


@st.composite
def typed_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A number of a real plan, with other trailing digits, typed some way."""
    region, example = draw(st.sampled_from(EXAMPLES))
    national = str(example.national_number)
    keep = draw(st.integers(min_value=max(1, len(national) - 6), max_value=len(national)))
    tail = draw(st.text("0123456789", min_size=len(national) - keep, max_size=len(national) - keep))
    number = phonenumbers.PhoneNumber(
        country_code=example.country_code, national_number=int(national[:keep] + tail)
    )
    text = phonenumbers.format_number(number, draw(st.sampled_from(STYLES)))
    separator = draw(st.sampled_from([" ", ".", "-", ""]))
    text = text.replace(" ", separator)
    if text.startswith("+") and draw(st.booleans()):
        text = "00" + text[1:]
    dialled_from = draw(st.sampled_from([region, *REGIONS]))
    return text, dialled_from


@settings(max_examples=1500, deadline=None)
@given(typed_numbers())
def test_memo_gives_what_parsing_gives(case: tuple[str, str]) -> None:
    text, region = case
    assert MEMOS[region](text) == normalise(text, region)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 +-().#*xX", max_size=25), st.sampled_from(REGIONS))
def test_memo_on_any_typing(text: str, region: str) -> None:
    assert MEMOS[region](text) == normalise(text, region)


def test_a_block_learnt_is_derived_and_odd_numbers_are_parsed() -> None:
    memo = BlockMemo("FR")
    for last in range(0, 10_000, 97):
        text = f"06 12 34 {last // 100:02d} {last % 100:02d}"
        assert memo(text) == normalise(text, "FR")
    assert len(memo._blocks) == 1  # one block: everything after the first derived
    for text in ("+33 6 12 34 56 78 ext. 1234", "ask reception", "٠٦١٢٣٤٥٦٧٨", "112"):
        assert memo(text) == normalise(text, "FR")


def test_the_shared_memo_is_per_region() -> None:
    assert normalise_cached("0612345678", "FR") == normalise("0612345678", "FR")
    assert normalise_cached("0612345678", "PL") == normalise("0612345678", "PL")

"""Russian tax identifiers: pure functions, checked with examples and properties."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from servicedesk.customers.validators import is_valid_inn, is_valid_kpp

# The weights of the Federal Tax Service's algorithm, written out independently of the module.
W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
W12_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
W12_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def remainder(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


def check(digits: str, weights: tuple[int, ...]) -> str:
    return str(remainder(digits, weights) % 10)


def inn10(body: str) -> str:
    return body + check(body, W10)


def inn12(body: str) -> str:
    first = body + check(body, W12_1)
    return first + check(first, W12_2)


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
body9 = st.text(alphabet="0123456789", min_size=9, max_size=9)
body10 = st.text(alphabet="0123456789", min_size=10, max_size=10)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("7707083893", True),  # Sberbank
        ("7813000017", True),
        ("500100732259", True),  # an entrepreneur
        ("7707083894", False),  # last check digit wrong
        ("500100732258", False),  # second check digit wrong
        ("500100732269", False),  # first check digit wrong
        ("770708389", False),  # 9 digits
        ("77070838931", False),  # 11 digits
        ("", False),
        ("77070838 3", False),
        ("７７０７０８３８９３", False),  # full-width digits pass str.isdigit()
        ("٧٧٠٧٠٨٣٨٩٣", False),  # Arabic-Indic digits too
        (" 7707083893", False),
    ],
)
def test_is_valid_inn_examples(value, valid):
    assert is_valid_inn(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("773601001", True),
        ("7736AB001", True),  # the reason code may be capital Latin letters
        ("7736ab001", False),
        ("77360100", False),
        ("7736010011", False),
        ("A73601001", False),
        ("773601A01", False),
        ("", False),
    ],
)
def test_is_valid_kpp_examples(value, valid):
    assert is_valid_kpp(value) is valid


@given(body9)
def test_inn10_with_correct_check_digit_is_valid(body):
    assert is_valid_inn(inn10(body)) is True


@given(body10)
def test_inn12_with_correct_check_digits_is_valid(body):
    assert is_valid_inn(inn12(body)) is True


@given(body9, st.integers(min_value=1, max_value=9))
@example("770708389", 1)
def test_inn10_with_the_check_digit_changed_is_invalid(body, delta):
    valid = inn10(body)
    changed = valid[:9] + str((int(valid[9]) + delta) % 10)
    assert is_valid_inn(changed) is False


@given(body9, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_inn10_with_one_body_digit_changed_is_invalid_unless_remainders_collide(
    body, position, delta
):
    # Given a valid INN with one of its first nine digits changed
    valid = inn10(body)
    changed_body = body[:position] + str((int(body[position]) + delta) % 10) + body[position + 1 :]
    changed = changed_body + valid[9]

    # Then it is invalid, except where the mod-11 remainder moved between 0 and 10: the
    # algorithm's "% 11 % 10" maps both to check digit 0, a known weakness of the INN scheme.
    collide = {remainder(body, W10), remainder(changed_body, W10)} == {0, 10}
    assert is_valid_inn(changed) is collide


@given(body10, st.integers(min_value=10, max_value=11), st.integers(min_value=1, max_value=9))
def test_inn12_with_a_check_digit_changed_is_invalid(body, position, delta):
    valid = inn12(body)
    changed = valid[:position] + str((int(valid[position]) + delta) % 10) + valid[position + 1 :]
    assert is_valid_inn(changed) is False


@given(st.text(alphabet="0123456789", max_size=20).filter(lambda s: len(s) not in (10, 12)))
def test_inn_of_the_wrong_length_is_invalid(value):
    assert is_valid_inn(value) is False


@given(st.text())
def test_validators_never_raise(value):
    assert isinstance(is_valid_inn(value), bool)
    assert isinstance(is_valid_kpp(value), bool)

"""Act numbers from a mask, and the running numbers behind {seq}."""

from datetime import date

import pytest

from servicedesk.acts.models import ActSequence
from servicedesk.acts.numbering import MaskError, act_number, sequence_key, validate_mask
from servicedesk.acts.services import act_sequence_next

DAY = date(2026, 3, 5)


@pytest.mark.parametrize(
    ("mask", "seq", "number"),
    [
        ("{ticket}", None, "00004321"),
        ("А-{ticket}", None, "А-00004321"),
        ("{ticket}/{yy}", None, "00004321/26"),
        ("{year}-{seq:5}", 42, "2026-00042"),
        ("{year}.{month}-{seq}", 7, "2026.03-7"),
        ("{ticket}/{seq}", 2, "00004321/2"),
        ("АКТ {seq:3}", 1234, "АКТ 1234"),  # a width is a minimum
    ],
)
def test_numbers_from_masks(mask, seq, number):
    validate_mask(mask)
    assert act_number(mask, ticket="00004321", day=DAY, seq=seq) == number


def test_a_mask_with_seq_needs_the_running_number():
    with pytest.raises(ValueError, match="seq"):
        act_number("{year}-{seq}", ticket="1", day=DAY)


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("{year}", "needs {ticket} or {seq}"),
        ("АКТ-{yy}{month}", "needs {ticket} or {seq}"),
        ("{ticket}-{number}", "Unknown token"),
        ("{ticket", "Unknown token"),
        ("{ticket}}", "Unknown token"),
        ("{year:4}-{seq}", "Only {seq} takes a width"),
        ("{seq:0}", "Unknown token"),
        ("{seq:10}", "Unknown token"),
        ("{ticket}-{ticket}", "only once"),
        ("{ticket}\n", "printable"),
        ("{ticket}" + "x" * 40, "too long"),
    ],
)
def test_unusable_masks_are_refused(mask, message, english):
    with pytest.raises(MaskError) as error:
        validate_mask(mask)
    assert message in str(error.value.args[0])


def test_the_running_number_counts_within_the_rest_of_the_mask():
    assert sequence_key("{year}-{seq:5}", ticket="1", day=DAY) == "2026-{seq:5}"
    assert sequence_key("{ticket}/{seq}", ticket="00004321", day=DAY) == "00004321/{seq}"


@pytest.mark.django_db
def test_running_numbers_restart_per_key():
    # Given a mask that restarts every year
    mask = "{year}-{seq:5}"

    def next_number(day: date) -> str:
        seq = act_sequence_next(mask=mask, ticket="1", day=day)
        return act_number(mask, ticket="1", day=day, seq=seq)

    # Then each year counts from 1, and a year goes on where it stopped
    assert [next_number(DAY), next_number(DAY)] == ["2026-00001", "2026-00002"]
    assert next_number(date(2027, 1, 1)) == "2027-00001"
    assert next_number(DAY) == "2026-00003"
    assert dict(ActSequence.objects.values_list("key", "last_value")) == {
        "2026-{seq:5}": 3,
        "2027-{seq:5}": 1,
    }

"""Bank identifiers on the provider's requisites: pure functions, no ORM. ИНН and КПП are
checked by customers.validators (the customers' requisites use them too).

- БИК: 9 digits. The last three are the credit institution's number within the Bank of
  Russia's division (050…999); 000…049 are the Bank of Russia's own divisions.
- An account number: 20 digits. Its 9th digit is a key (Bank of Russia Regulation № 579-П,
  appendix «Порядок расчета контрольного ключа в номере лицевого счета»): the 23 digits
  «conditional number of the bank» + account, multiplied by the weights 7, 1, 3, 7, 1, 3, …,
  sum to a multiple of 10. The conditional number is the БИК's last three digits for an account
  in a credit institution, and «0» + the БИК's 5th and 6th digits for an account in a division
  of the Bank of Russia (and for a correspondent account, which is the bank's account there).
- A correspondent account starts with 301 and ends with the БИК's last three digits.

Accounts at a treasury (БИК of an УФК: not starting with «04») follow the treasury's own
numbering; only their format is checked.
"""

from __future__ import annotations

_WEIGHTS = (7, 1, 3) * 8


def _is_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def is_valid_bik(value: str) -> bool:
    return _is_digits(value, 9) and value.startswith("0")


def _key_ok(bank: str, account: str) -> bool:
    digits = bank + account
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False)) % 10 == 0


def _is_credit_institution(bik: str) -> bool:
    return bik.startswith("04") and int(bik[6:]) >= 50


def is_valid_account(value: str) -> bool:
    return _is_digits(value, 20)


def settlement_account_matches(account: str, bik: str) -> bool:
    """The settlement account's key checks out against the bank's БИК."""
    if not (is_valid_account(account) and is_valid_bik(bik)):
        return False
    if not bik.startswith("04"):  # a treasury: its own numbering
        return True
    bank = bik[6:] if _is_credit_institution(bik) else "0" + bik[4:6]
    return _key_ok(bank, account)


def correspondent_account_matches(account: str, bik: str) -> bool:
    """A bank's correspondent account: 301…, ending with its БИК's last three digits, the key
    computed against the Bank of Russia's division."""
    if not (is_valid_account(account) and is_valid_bik(bik)):
        return False
    return (
        account.startswith("301") and account.endswith(bik[6:]) and _key_ok("0" + bik[4:6], account)
    )


def account_with_key(account: str, bank: str) -> str:
    """`account` with its 9th digit set to the right key for the conditional bank number `bank`
    (3 digits): for demo data and tests."""
    body = account[:8] + "0" + account[9:]
    rest = sum(int(d) * w for d, w in zip(bank + body, _WEIGHTS, strict=False)) % 10
    # The key's weight (position 12 of 23) is 3, and 3 × 7 ≡ 1 (mod 10).
    key = (-rest * 7) % 10
    return account[:8] + str(key) + account[9:]

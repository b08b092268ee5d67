"""The inbound mail tests' desk (tests/mail/inbound_helpers.py)."""

from tests.mail.inbound_helpers import desk  # noqa: F401

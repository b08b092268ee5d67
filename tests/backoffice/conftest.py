"""The inbound mail tests' desk, for the incoming mail pages (tests/mail/inbound_helpers.py)."""

from tests.mail.inbound_helpers import desk  # noqa: F401

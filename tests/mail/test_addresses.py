"""The ids and reply addresses that tie an email to its ticket: stable per ticket, unique per
email, and read back only when genuine (the email channel will route replies with them)."""

import pytest

from servicedesk.mail.addresses import (
    mail_domain,
    new_message_id,
    reply_address,
    reply_address_parse,
    reply_token,
    reply_token_parse,
    thread_root_id,
    thread_ticket_ids,
)


def test_the_domain_comes_from_the_sender_unless_set(settings):
    settings.DEFAULT_FROM_EMAIL = "Desk <noreply@desk.example.com>"
    settings.MAIL_MESSAGE_ID_DOMAIN = ""
    assert mail_domain() == "desk.example.com"
    assert new_message_id().endswith("@desk.example.com>")
    settings.MAIL_MESSAGE_ID_DOMAIN = "mail.example.org"
    assert mail_domain() == "mail.example.org"


def test_message_ids_are_unique():
    assert len({new_message_id() for _ in range(200)}) == 200


def test_the_thread_id_is_the_same_for_a_ticket_and_read_back(settings):
    root = thread_root_id(42)
    assert root == thread_root_id(42) != thread_root_id(43)
    assert root.startswith("<ticket-42.") and root.endswith("@localhost>")
    references = f"<abc@mail.example> {thread_root_id(43)} {root} {root}"
    assert thread_ticket_ids(references) == [43, 42]
    forged = root.replace("<ticket-42.", "<ticket-41.")
    assert thread_ticket_ids(forged) == []


def test_a_rotated_secret_key_still_reads_old_ids(settings):
    old_root, old_token = thread_root_id(7), reply_token(7)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-for-the-test-0123456789abcdef"
    assert thread_ticket_ids(old_root) == [7]
    assert reply_token_parse(old_token) is not None
    settings.SECRET_KEY_FALLBACKS = []
    assert thread_ticket_ids(old_root) == []


@pytest.mark.parametrize("internal", [False, True])
def test_reply_tokens(internal):
    token = reply_token(123456789, internal=internal)
    assert token == token.lower() and "+" not in token and "@" not in token
    parsed = reply_token_parse(token.upper())  # mail servers may change the case
    assert parsed is not None and (parsed.ticket_id, parsed.internal) == (123456789, internal)


@pytest.mark.parametrize("bad", ["", "t1", "t1-0000000000", "x1-abcdefabcd", "t1-abc"])
def test_bad_tokens_are_refused(bad):
    assert reply_token_parse(bad) is None


def test_a_tampered_token_is_refused():
    token = reply_token(5)
    other = reply_token(6)
    assert reply_token_parse(token.split("-")[0] + "-" + other.split("-")[1]) is None
    # The internal flag cannot be switched on by hand either.
    assert reply_token_parse("n" + token[1:]) is None


def test_the_reply_address(settings):
    settings.MAIL_REPLY_ADDRESS = ""
    assert reply_address(5) == ""
    assert reply_address_parse("support+t5-0123456789@desk.example.com") is None
    settings.MAIL_REPLY_ADDRESS = "Service desk <Support@Desk.Example.com>"
    address = reply_address(5)
    assert address.startswith("Service desk <Support+t5-") and address.endswith(
        "@Desk.Example.com>"
    )
    parsed = reply_address_parse(address.lower())
    assert parsed is not None and parsed.ticket_id == 5
    local = address.split("<")[1].split("@")[0]
    assert reply_address_parse(f"{local}@elsewhere.example.com") is None
    assert reply_address_parse(local.replace("Support", "sales") + "@desk.example.com") is None
    assert reply_address_parse("support@desk.example.com") is None

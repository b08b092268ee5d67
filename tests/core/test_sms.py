"""SMS backends: the file and console backends for development, and the HTTP gateway backend
against a real local HTTP server."""

import socket

import pytest

from servicedesk.core.sms import (
    ConsoleBackend,
    FileBackend,
    HttpGatewayBackend,
    SmsError,
    get_backend,
    send_sms,
)
from tests.mail_server import free_port


@pytest.fixture
def gateway(settings, sms_gateway):
    settings.SMS_BACKEND = "servicedesk.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = sms_gateway.url
    settings.SMS_GATEWAY_TOKEN = "secret-token-1"
    settings.SMS_SENDER = "Servicedesk"
    settings.SMS_GATEWAY_TIMEOUT = 5
    return sms_gateway


def test_the_backend_is_chosen_by_settings(settings):
    settings.SMS_BACKEND = "servicedesk.core.sms.ConsoleBackend"
    assert isinstance(get_backend(), ConsoleBackend)
    settings.SMS_BACKEND = "servicedesk.core.sms.HttpGatewayBackend"
    assert isinstance(get_backend(), HttpGatewayBackend)


def test_the_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "servicedesk.core.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"

    send_sms("+79123456789", "Привет: https://example.test/invite/x/")
    send_sms("+79990000000", "Second")

    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    contents = sorted(f.read_text(encoding="utf-8") for f in files)
    assert contents == [
        "To: +79123456789\n\nПривет: https://example.test/invite/x/\n",
        "To: +79990000000\n\nSecond\n",
    ]
    assert isinstance(get_backend(), FileBackend)


def test_the_console_backend_prints(settings, capsys):
    settings.SMS_BACKEND = "servicedesk.core.sms.ConsoleBackend"
    send_sms("+79123456789", "Hello")
    assert capsys.readouterr().out == "SMS to +79123456789: Hello\n"


def test_the_gateway_gets_json_with_the_bearer_token(gateway):
    send_sms("+79123456789", "Ваш код: 1234")

    [request] = gateway.requests
    assert request.method == "POST"
    assert request.path == "/v1/messages"
    assert request.headers["authorization"] == "Bearer secret-token-1"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json() == {
        "to": "+79123456789",
        "text": "Ваш код: 1234",
        "sender": "Servicedesk",
    }


@pytest.mark.parametrize("status", [201, 202, 204])
def test_any_2xx_answer_is_success(gateway, status):
    gateway.status = status
    send_sms("+79123456789", "Hello")
    assert len(gateway.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 503])
def test_an_error_answer_raises(gateway, status):
    gateway.status = status
    with pytest.raises(SmsError, match=f"SMS gateway answered {status}."):
        send_sms("+79123456789", "Hello")
    assert len(gateway.requests) == 1


def test_an_unreachable_gateway_raises(settings):
    settings.SMS_BACKEND = "servicedesk.core.sms.HttpGatewayBackend"
    # A port nothing listens on
    port = free_port()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/send"
    with pytest.raises(SmsError, match="SMS gateway unreachable"):
        send_sms("+79123456789", "Hello")


def test_a_silent_gateway_times_out(settings):
    settings.SMS_BACKEND = "servicedesk.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_TIMEOUT = 0.3
    with socket.socket() as listener:  # accepts the connection, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{listener.getsockname()[1]}/send"
        with pytest.raises(SmsError, match="SMS gateway unreachable"):
            send_sms("+79123456789", "Hello")


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://gateway.test/"])
def test_only_http_urls_are_used(settings, url):
    settings.SMS_BACKEND = "servicedesk.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = url
    with pytest.raises(SmsError, match="SMS_GATEWAY_URL is not an http"):
        send_sms("+79123456789", "Hello")

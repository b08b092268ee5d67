"""check_upload: what gets past the door, and under which name (tickets/uploads.py)."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.tickets.uploads import (
    CheckedUpload,
    UploadRejectedError,
    check_upload,
    clean_name,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", PNG),  # a PNG pretending to be a PDF
        ("photo.jpg", EXE),  # an executable pretending to be a photo
        ("photo.png", PDF),
        ("empty.txt", b""),
        ("binary.txt", b"hello\x00world"),  # text with NUL bytes
        ("image.txt", PNG),  # text that is really an image
        ("virus.exe", EXE),  # not an allowed extension
        ("script.js", b"alert(1)"),
        ("noextension", b"hello"),
        ("...", b"hello"),
        ("..txt", b"hello"),  # nothing left but the extension
    ],
)
def test_refused(name: str, content: bytes) -> None:
    with pytest.raises(UploadRejectedError):
        check_upload(upload(name, content))


def test_oversized_is_refused(settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100
    check_upload(upload("ok.txt", b"x" * 100))
    with pytest.raises(UploadRejectedError):
        check_upload(upload("big.txt", b"x" * 101))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\boot.txt", "boot.txt"),
        ("/abs/path/notes.txt", "notes.txt"),
        ("na\x00me\x1f\x7f.txt", "name.txt"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        (".hidden.txt", "hidden.txt"),
        ("Отчёт за май.txt", "Отчёт за май.txt"),
    ],
)
def test_names_lose_directories_and_control_characters(raw: str, clean: str) -> None:
    # Both the raw name (as another caller may pass it) and through an upload
    assert clean_name(raw) == clean
    assert check_upload(upload(raw, b"plain text")).name == clean


@pytest.mark.parametrize("raw", ["../../", "..", "\\", "\x00\x01", "", "   "])
def test_names_of_nothing_are_empty(raw: str) -> None:
    assert clean_name(raw) == ""


def test_long_names_keep_their_extension() -> None:
    checked = check_upload(upload("a" * 300 + ".txt", b"plain text"))
    assert len(checked.name) == 150
    assert checked.name.endswith("a.txt")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("Photo.PNG", PNG, CheckedUpload("Photo.PNG", "png", len(PNG), "image/png", True)),
        ("act.pdf", PDF, CheckedUpload("act.pdf", "pdf", len(PDF), "application/pdf", False)),
        ("log.txt", b"plain\ntext", CheckedUpload("log.txt", "txt", 10, "text/plain", False)),
        ("rows.csv", b"a;b\n1;2\n", CheckedUpload("rows.csv", "csv", 8, "text/csv", False)),
    ],
)
def test_accepted(name: str, content: bytes, expected: CheckedUpload) -> None:
    assert check_upload(upload(name, content)) == expected


def test_the_file_is_rewound_after_sniffing() -> None:
    f = upload("log.txt", b"plain text")
    check_upload(f)
    assert f.read() == b"plain text"

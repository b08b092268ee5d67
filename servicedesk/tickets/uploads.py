"""Checking uploaded files before anything is stored: size, extension, content, name.

Pure functions on a Django UploadedFile; used by ticket attachments now and message attachments
later. Content is sniffed from the first bytes (the `filetype` package's signatures): a file whose
bytes say PNG but whose name says .pdf is refused, and so is an executable called .jpg.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Extensions whose content has a recognisable signature, and the kinds it may have.
_SIGNATURES = {
    "jpg": {"jpg"}, "jpeg": {"jpg"}, "png": {"png"}, "gif": {"gif"}, "webp": {"webp"},
    "bmp": {"bmp"}, "tif": {"tif"}, "tiff": {"tif"}, "heic": {"heic"},
    "pdf": {"pdf"}, "zip": {"zip"}, "7z": {"7z"}, "rar": {"rar"},
    "docx": {"zip", "docx"}, "xlsx": {"zip", "xlsx"}, "pptx": {"zip", "pptx"},
    "odt": {"zip", "odt"}, "ods": {"zip", "ods"},
    "doc": {"doc", "xls", "ppt", "msi"}, "xls": {"doc", "xls", "ppt", "msi"},
    "mp4": {"mp4"}, "mov": {"mov"},
}  # fmt: skip
# Plain-text kinds: no signature; they must not look like anything binary.
_TEXT = {"txt", "log", "csv", "json", "xml"}
_IMAGES = {"jpg", "jpeg", "png", "gif", "webp", "bmp"}


class UploadRejectedError(ValueError):
    pass


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    extension: str
    size: int
    content_type: str
    is_image: bool


def clean_name(raw: str) -> str:
    """A safe display name: no directories, no control characters, no leading dots."""
    name = unicodedata.normalize("NFC", raw or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot else name[:150]
    return name


def check_upload(upload: UploadedFile[bytes]) -> CheckedUpload:
    name = clean_name(upload.name or "")
    if not name or "." not in name:
        raise UploadRejectedError(_("“%(name)s”: the file needs a name with an extension.") % {
            "name": upload.name or ""
        })  # fmt: skip
    extension = name.rsplit(".", 1)[1].lower()
    allowed = {e.lower() for e in settings.ATTACHMENT_EXTENSIONS}
    if extension not in allowed:
        raise UploadRejectedError(
            _("“%(name)s”: files of type .%(ext)s are not accepted.")
            % {"name": name, "ext": extension}
        )
    size = upload.size or 0
    if size == 0:
        raise UploadRejectedError(_("“%(name)s” is empty.") % {"name": name})
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise UploadRejectedError(
            _("“%(name)s” is larger than %(max)s.")
            % {"name": name, "max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if extension in _SIGNATURES:
        if kind is None or kind.extension not in _SIGNATURES[extension]:
            raise UploadRejectedError(
                _("“%(name)s”: the content is not a .%(ext)s file.")
                % {"name": name, "ext": extension}
            )
        content_type = kind.mime
    elif extension in _TEXT:
        if kind is not None or b"\x00" in head:
            raise UploadRejectedError(
                _("“%(name)s”: the content is not a .%(ext)s file.")
                % {"name": name, "ext": extension}
            )
        content_type = "text/plain" if extension in {"txt", "log"} else f"text/{extension}"
    else:
        # Allowed by settings but of no known shape: stored as opaque bytes, always downloaded.
        content_type = "application/octet-stream"
    return CheckedUpload(
        name=name,
        extension=extension,
        size=size,
        content_type=content_type,
        is_image=extension in _IMAGES,
    )

"""Uploaded files: checked by content, stored outside the web root, served after a permission check.

Used by marketing-fund proof (expenses), lesson PDFs (training) and comment attachments
(partners messaging). The module holds no model of its own: a caller keeps what
`store_upload` returns on its own model, most simply by inheriting `StoredFileFields`.

What a stored file is:
- its type is what its bytes say (filetype's magic numbers), never its name: only JPEG, PNG
  and PDF are taken; an image must also decode with Pillow and a PDF must have a header, a
  trailer and a cross-reference pointer that lands inside the file;
- it is at most settings.UPLOAD_MAX_BYTES long; when the size is known up front (Django's
  UploadedFile always knows it) nothing is read from a file that is too large;
- it lives under settings.PRIVATE_MEDIA_ROOT (not MEDIA_ROOT, not STATIC_ROOT) under a
  random name with the extension of its real type; the uploader's file name is kept only as
  display text for Content-Disposition;
- images get a JPEG thumbnail (settings.UPLOAD_THUMBNAIL_SIZE) next to them.
"""

import hashlib
import io
import os
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.db import models
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from mall.errors import DomainError

# Detected MIME type -> (extension on disk, Pillow format name or None for PDF).
ALLOWED_TYPES = {
    "image/jpeg": ("jpg", "JPEG"),
    "image/png": ("png", "PNG"),
    "application/pdf": ("pdf", None),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000  # a 8000 x 5000 photo; larger is refused as a decompression bomb
DEFAULT_THUMBNAIL_SIZE = (320, 320)
_CHUNK = 64 * 1024
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF", re.S)
_PDF_VERSION = re.compile(rb"%PDF-[12]\.\d")


@dataclass(frozen=True)
class StoredUpload:
    """What the caller keeps about a stored file. Paths are relative to PRIVATE_MEDIA_ROOT."""

    path: str
    thumbnail_path: str
    original_name: str
    content_type: str
    size: int
    sha256: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class StoredFileFields(models.Model):
    """Abstract fields for a model that owns one uploaded file (a proof, a lesson PDF, ...)."""

    file_path = models.CharField(max_length=255, editable=False)
    thumbnail_path = models.CharField(max_length=255, blank=True, editable=False)
    original_name = models.CharField(max_length=200, blank=True, help_text=gettext_lazy("The uploader's file name, shown only as a label."))
    content_type = models.CharField(max_length=50, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def fields_from(cls, stored: StoredUpload) -> dict:
        """Keyword arguments for `objects.create(...)` from what store_upload returned."""
        return {
            "file_path": stored.path,
            "thumbnail_path": stored.thumbnail_path,
            "original_name": stored.original_name,
            "content_type": stored.content_type,
            "size": stored.size,
            "sha256": stored.sha256,
        }

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def private_root() -> Path:
    root = getattr(settings, "PRIVATE_MEDIA_ROOT", None) or Path(settings.VAR_DIR) / "private"
    return Path(root).resolve()


def _error(code: str, message: str, field: str) -> DomainError:
    return DomainError.single(field, code, message)


def _read_limited(upload, limit: int, field: str) -> bytes:
    """All bytes of the upload, refusing (without reading on) once it passes the limit."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _error("UPLOAD_TOO_LARGE", f"The file is {size:,} bytes; the limit is {limit:,} bytes.", field)
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks, total = [], 0
    reader = upload.chunks(_CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(_CHUNK), b"")
    for chunk in reader:
        total += len(chunk)
        if total > limit:
            raise _error("UPLOAD_TOO_LARGE", f"The file is larger than the limit of {limit:,} bytes.", field)
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise _error("UPLOAD_EMPTY", "The file is empty.", field)
    return data


def _check_image(data: bytes, pillow_format: str, field: str) -> Image.Image:
    """The decoded image; refuses files Pillow cannot fully decode or that are bombs."""
    max_pixels = int(getattr(settings, "UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != pillow_format:
                raise _error("UPLOAD_CORRUPT", "The image's content does not match its type.", field)
            if image.width * image.height > max_pixels:
                raise _error("UPLOAD_TOO_LARGE", f"The image has more than {max_pixels:,} pixels.", field)
            image.load()  # decodes every pixel: a truncated or damaged file fails here
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _error("UPLOAD_CORRUPT", "The image cannot be read; it may be damaged.", field) from None
    return image


def _check_pdf(data: bytes, field: str) -> None:
    """A minimal structural parse: version header, end-of-file trailer, and a startxref offset
    that points at a cross-reference table or stream inside the file."""
    if not _PDF_VERSION.match(data[:8]):
        raise _error("UPLOAD_CORRUPT", "The PDF has no valid version header.", field)
    # The last startxref is the one a reader uses (incremental updates append more).
    pointers = _STARTXREF.findall(data[-4096:])
    if not pointers:
        raise _error("UPLOAD_CORRUPT", "The PDF has no end-of-file trailer; it may be truncated.", field)
    offset = int(pointers[-1])
    target = data[offset:offset + 32] if 0 < offset < len(data) else b""
    if not (target.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", target)):
        raise _error("UPLOAD_CORRUPT", "The PDF's cross-reference pointer is broken.", field)


def safe_display_name(name: str | None, extension: str) -> str:
    """The uploader's name reduced to a harmless label: no directories, no control characters,
    at most 200 characters, with the extension of the real type."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base.strip(" .")
    return f"{(stem or 'file')[:190]}.{extension}"


def validate_upload(upload, *, field: str = "file") -> tuple[bytes, str]:
    """(bytes, content type) of an acceptable upload, else a DomainError with code
    UPLOAD_TOO_LARGE, UPLOAD_EMPTY, UPLOAD_TYPE_NOT_ALLOWED or UPLOAD_CORRUPT."""
    data = _read_limited(upload, max_upload_bytes(), field)
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ALLOWED_TYPES:
        found = f" (its content is {kind.mime})" if kind else ""
        raise _error("UPLOAD_TYPE_NOT_ALLOWED", f"Only JPEG, PNG and PDF files are accepted{found}.", field)
    pillow_format = ALLOWED_TYPES[kind.mime][1]
    if pillow_format:
        _check_image(data, pillow_format, field)
    else:
        _check_pdf(data, field)
    return data, kind.mime


def _write_new(path: Path, data: bytes) -> None:
    """Writes a new file (never overwrites), owner read/write only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _thumbnail(data: bytes) -> bytes:
    size = tuple(getattr(settings, "UPLOAD_THUMBNAIL_SIZE", DEFAULT_THUMBNAIL_SIZE))
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)  # photos from phones carry their rotation in EXIF
        image.thumbnail(size)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            background.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[-1])
            image = background
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)  # no EXIF copied: a thumbnail never leaks GPS data
        return out.getvalue()


def store_upload(upload, *, category: str, field: str = "file") -> StoredUpload:
    """Validates and stores an upload under PRIVATE_MEDIA_ROOT/<category>/<yyyy>/<mm>/.

    The file is written before the caller's transaction commits; if that transaction rolls
    back the file stays as an unreferenced orphan, which is harmless (a random name nobody can
    reach without a row pointing at it)."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", category):
        raise ValueError(f"bad upload category {category!r}")
    data, content_type = validate_upload(upload, field=field)
    extension = ALLOWED_TYPES[content_type][0]
    now = timezone.now()
    token = secrets.token_urlsafe(24)
    relative = f"{category}/{now:%Y}/{now:%m}/{token}.{extension}"
    _write_new(private_root() / relative, data)
    thumbnail = ""
    if content_type.startswith("image/"):
        thumbnail = f"{category}/{now:%Y}/{now:%m}/{token}.thumb.jpg"
        _write_new(private_root() / thumbnail, _thumbnail(data))
    return StoredUpload(
        path=relative,
        thumbnail_path=thumbnail,
        original_name=safe_display_name(getattr(upload, "name", ""), extension),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def resolve_stored(relative: str) -> Path:
    """The absolute path of a stored file; refuses anything that escapes PRIVATE_MEDIA_ROOT."""
    root = private_root()
    path = (root / relative).resolve()
    if not relative or not path.is_relative_to(root) or not path.is_file():
        raise Http404("No such file")
    return path


def serve_stored_file(request, stored: StoredFileFields, *, allowed: bool, thumbnail: bool = False) -> FileResponse:
    """The file of `stored` as a response, only when the caller's permission check said yes.

    A refused or missing file is a 404 either way, so a stranger cannot learn that it exists.
    Images are shown inline, PDFs downloaded; both with nosniff and a sandboxing CSP so a
    browser never runs anything inside them."""
    if not allowed or stored is None:
        raise Http404("No such file")
    if thumbnail and stored.thumbnail_path:
        path, content_type = resolve_stored(stored.thumbnail_path), "image/jpeg"
    else:
        path, content_type = resolve_stored(stored.file_path), stored.content_type
    response = FileResponse(
        path.open("rb"),
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=stored.original_name or path.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

"""mall/uploads.py: files are judged by their bytes, kept private, and served only when allowed."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from PIL import Image
from reportlab.pdfgen import canvas

from mall import uploads
from mall.errors import DomainError


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.UPLOAD_MAX_BYTES = 200_000
    return settings.PRIVATE_MEDIA_ROOT


def jpeg_bytes(width=800, height=600, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=80)
    return out.getvalue()


def png_bytes(width=40, height=30) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(text="Trade show invoice") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def error_code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.details[0].code


@pytest.mark.parametrize("payload", [ELF_HEADER, WINDOWS_EXE], ids=["elf", "exe"])
def test_a_renamed_executable_is_refused_and_nothing_is_written(payload, private_root):
    with pytest.raises(DomainError) as exc:
        uploads.store_upload(SimpleUploadedFile("photo.jpg", payload, "image/jpeg"), category="proof")
    assert error_code(exc) == "UPLOAD_TYPE_NOT_ALLOWED"
    assert "JPEG, PNG and PDF" in exc.value.details[0].message
    assert not private_root.exists() or not any(private_root.rglob("*"))


def test_a_text_file_named_pdf_is_refused():
    with pytest.raises(DomainError) as exc:
        uploads.store_upload(SimpleUploadedFile("report.pdf", b"hello, not a pdf" * 10), category="proof")
    assert error_code(exc) == "UPLOAD_TYPE_NOT_ALLOWED"


class CountingFile(SimpleUploadedFile):
    """An upload that records whether anything was read from it."""

    reads = 0

    def chunks(self, chunk_size=None):
        CountingFile.reads += 1
        return super().chunks(chunk_size)

    def read(self, *args):
        CountingFile.reads += 1
        return super().read(*args)


def test_an_oversized_file_is_refused_before_it_is_read():
    big = CountingFile("big.jpg", jpeg_bytes() + b"\x00" * 200_001, "image/jpeg")
    CountingFile.reads = 0
    with pytest.raises(DomainError) as exc:
        uploads.store_upload(big, category="proof")
    assert error_code(exc) == "UPLOAD_TOO_LARGE"
    assert "200,000 bytes" in exc.value.details[0].message
    assert CountingFile.reads == 0


def test_a_stream_of_unknown_size_is_cut_off_at_the_limit():
    class Stream:
        name = "stream.jpg"

        def __init__(self):
            self.served = 0

        def read(self, n):
            self.served += n
            return b"\xff" * n

    stream = Stream()
    with pytest.raises(DomainError) as exc:
        uploads.store_upload(stream, category="proof")
    assert error_code(exc) == "UPLOAD_TOO_LARGE"
    assert stream.served <= 200_000 + 64 * 1024  # stopped within one chunk of the limit


def test_an_empty_file_is_refused():
    with pytest.raises(DomainError) as exc:
        uploads.store_upload(SimpleUploadedFile("x.png", b""), category="proof")
    assert error_code(exc) == "UPLOAD_EMPTY"


def test_a_valid_photo_is_stored_privately_under_a_random_name_with_a_thumbnail(private_root):
    data = jpeg_bytes(800, 600)
    stored = uploads.store_upload(SimpleUploadedFile("Booth at the fair.JPG", data, "image/jpeg"), category="proof")

    assert stored.content_type == "image/jpeg"
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.original_name == "Booth at the fair.jpg"
    assert "Booth" not in stored.path and stored.path.startswith("proof/") and stored.path.endswith(".jpg")
    on_disk = private_root / stored.path
    assert on_disk.read_bytes() == data
    with Image.open(private_root / stored.thumbnail_path) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (320, 240)  # 800x600 fitted into 320x320 keeps 4:3


def test_two_uploads_of_the_same_name_never_collide():
    first = uploads.store_upload(SimpleUploadedFile("a.png", png_bytes()), category="proof")
    second = uploads.store_upload(SimpleUploadedFile("a.png", png_bytes()), category="proof")
    assert first.path != second.path


def test_a_pdf_is_accepted_without_a_thumbnail(private_root):
    data = pdf_bytes()
    stored = uploads.store_upload(SimpleUploadedFile("invoice.pdf", data, "application/pdf"), category="proof")
    assert stored.content_type == "application/pdf"
    assert stored.thumbnail_path == ""
    assert (private_root / stored.path).read_bytes() == data


def test_a_truncated_pdf_is_refused():
    data = pdf_bytes()
    with pytest.raises(DomainError) as exc:
        uploads.store_upload(SimpleUploadedFile("invoice.pdf", data[: len(data) // 2]), category="proof")
    assert error_code(exc) == "UPLOAD_CORRUPT"


def test_a_png_named_pdf_is_stored_as_png():
    stored = uploads.store_upload(SimpleUploadedFile("scan.pdf", png_bytes(), "application/pdf"), category="proof")
    assert stored.content_type == "image/png"
    assert stored.path.endswith(".png")
    assert stored.original_name == "scan.png"
    assert stored.thumbnail_path.endswith(".thumb.jpg")


def test_a_truncated_jpeg_is_refused():
    data = jpeg_bytes()
    with pytest.raises(DomainError) as exc:
        uploads.store_upload(SimpleUploadedFile("cut.jpg", data[:400]), category="proof")
    assert error_code(exc) == "UPLOAD_CORRUPT"


def test_a_decompression_bomb_is_refused(settings):
    settings.UPLOAD_MAX_PIXELS = 10_000
    with pytest.raises(DomainError) as exc:
        uploads.store_upload(SimpleUploadedFile("huge.png", png_bytes(200, 100)), category="proof")
    assert error_code(exc) == "UPLOAD_TOO_LARGE"


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "..\\..\\boot.ini.png", "/abs/path/x.png", "a\x00b\r\n.png"])
def test_path_traversal_in_names_is_harmless(name, private_root):
    stored = uploads.store_upload(_named(name), category="proof")
    assert ".." not in stored.path and "\\" not in stored.original_name and "/" not in stored.original_name
    assert (private_root / stored.path).resolve().is_relative_to(private_root.resolve())
    assert all(ch.isprintable() for ch in stored.original_name)


def _named(name):
    upload = SimpleUploadedFile("x.png", png_bytes())
    upload.name = name  # bypass Django's own basename cleaning: a hand-built upload may carry anything
    return upload


class ProofRow:
    """Stands in for a caller's model row that inherits StoredFileFields."""

    def __init__(self, stored):
        for key, value in uploads.StoredFileFields.fields_from(stored).items():
            setattr(self, key, value)


def test_serving_refuses_when_not_allowed_and_serves_with_safe_headers_when_allowed():
    request = RequestFactory().get("/file")
    image = ProofRow(uploads.store_upload(SimpleUploadedFile("booth.png", png_bytes()), category="proof"))
    pdf = ProofRow(uploads.store_upload(SimpleUploadedFile("bill.pdf", pdf_bytes()), category="proof"))

    with pytest.raises(Http404):
        uploads.serve_stored_file(request, image, allowed=False)

    response = uploads.serve_stored_file(request, image, allowed=True)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == png_bytes()

    thumb = uploads.serve_stored_file(request, image, allowed=True, thumbnail=True)
    assert thumb["Content-Type"] == "image/jpeg"

    download = uploads.serve_stored_file(request, pdf, allowed=True)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="bill.pdf"'


def test_a_row_pointing_outside_the_private_root_is_not_served(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    row = ProofRow(uploads.store_upload(SimpleUploadedFile("a.png", png_bytes()), category="proof"))
    row.file_path = "../secret.txt"
    with pytest.raises(Http404):
        uploads.serve_stored_file(RequestFactory().get("/"), row, allowed=True)
    assert Path(secret).exists()

"""Storing uploaded files safely: size limits, content checks by magic bytes (never by the
name or the browser's claim), random stored names, images re-encoded and resized."""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from .errors import DomainError, ValidationError

log = logging.getLogger("asnbelajar.uploads")

# kind -> (allowed extensions, magic-byte prefixes)
DOCUMENT_KINDS = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    # PPTX/DOCX/XLSX are ZIP containers.
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
             (b"PK\x03\x04",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (b"PK\x03\x04",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


@dataclass(frozen=True)
class StoredFile:
    stored_name: str     # relative to the upload folder, e.g. "materials/ab12….pdf"
    original_name: str
    content_type: str
    size_bytes: int


def upload_root() -> Path:
    folder = current_app.config.get("UPLOAD_FOLDER") or str(
        Path(current_app.instance_path) / "uploads")
    return Path(folder)


def path_of(stored_name: str) -> Path:
    root = upload_root().resolve()
    path = (root / stored_name).resolve()
    if root not in path.parents:
        raise ValidationError(_l("Berkas tidak ditemukan."))
    return path


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def read_limited(stream, max_bytes: int) -> bytes:
    """Read at most max_bytes; a larger upload is refused before it is kept anywhere."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            _l("Berkas terlalu besar (maksimal %(mb).0f MB).", mb=max_bytes / 1024 / 1024),
            code="too_large", field="file")
    if not data:
        raise ValidationError(_l("Berkas kosong."), code="empty_file", field="file")
    return data


def check_document(data: bytes, filename: str, allowed: tuple[str, ...]) -> str:
    """Return the content type when the bytes really are one of the allowed kinds."""
    ext = _extension(filename)
    if ext not in allowed or ext not in DOCUMENT_KINDS:
        raise ValidationError(
            _l("Jenis berkas tidak diizinkan. Gunakan: %(kinds)s.",
               kinds=", ".join(k.upper() for k in allowed)), code="bad_type", field="file")
    content_type, magics = DOCUMENT_KINDS[ext]
    if not any(data.startswith(m) for m in magics):
        raise ValidationError(
            _l("Isi berkas tidak sesuai dengan jenisnya (.%(ext)s).", ext=ext),
            code="bad_content", field="file")
    return content_type


class StorageUnavailable(DomainError):
    """The upload folder cannot take the file (read-only, full, no permission): nothing
    was kept; the same upload can be tried again once an operator fixes the disk."""

    status = 503
    code = "storage_unavailable"


def store_bytes(data: bytes, *, folder: str, original_name: str, content_type: str,
                ext: str) -> StoredFile:
    """Write ``data`` under a random name in ``folder``.

    The bytes go to a temporary name first and are renamed into place only when fully
    written and flushed, so a full or failing disk never leaves a partial or empty file
    under a name the database could point to.
    """
    name = f"{folder}/{secrets.token_hex(16)}.{ext}"
    final = upload_root() / name
    partial = final.with_name(f".{final.name}.partial")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
    except OSError as err:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        log.error("upload storage failed for %s: %s", folder, err)
        raise StorageUnavailable(_storage_message(err), field="file") from None
    return StoredFile(stored_name=name, original_name=Path(original_name).name[:255],
                      content_type=content_type, size_bytes=len(data))


def _storage_message(err: OSError):
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return _l("Penyimpanan berkas di server penuh, jadi berkas belum tersimpan. "
                  "Beri tahu pengelola sistem, lalu coba unggah lagi.")
    return _l("Penyimpanan berkas di server sedang tidak dapat ditulisi, jadi berkas belum "
              "tersimpan. Beri tahu pengelola sistem, lalu coba unggah lagi.")


def store_document(stream, filename: str, *, folder: str, allowed: tuple[str, ...],
                   max_bytes: int) -> StoredFile:
    data = read_limited(stream, max_bytes)
    content_type = check_document(data, filename, allowed)
    return store_bytes(data, folder=folder, original_name=filename,
                       content_type=content_type, ext=_extension(filename))


# An image is decoded into width x height x 4 bytes whatever its file size: a 300 KB PNG
# can claim 20000 x 20000 pixels (1.6 GB). 25 megapixels (e.g. 6000 x 4000, a camera
# photo) is the most any upload may claim; checked from the header before decoding.
IMAGE_MAX_PIXELS = 25_000_000


def _pixel_limit() -> int:
    return int(current_app.config.get("IMAGE_MAX_PIXELS") or IMAGE_MAX_PIXELS)


def check_image_pixels(data: bytes, field: str = "file") -> None:
    """Refuse (422) an image whose header claims more than ``IMAGE_MAX_PIXELS`` pixels,
    reading the header only (Pillow's ``open`` is lazy); Pillow's own bomb guard is set to
    the same limit for whatever decodes images later."""
    from PIL import Image, UnidentifiedImageError

    limit = _pixel_limit()
    Image.MAX_IMAGE_PIXELS = limit  # DecompressionBombError beyond twice this
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
    except Image.DecompressionBombError:
        width, height = limit, 2  # over the limit, whatever the exact size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_l("Berkas bukan gambar yang valid (gunakan JPG atau PNG)."),
                              code="bad_image", field=field) from None
    if width * height > limit:
        raise ValidationError(
            _l("Gambar terlalu besar (%(w)d x %(h)d piksel; maksimal %(mp)d megapiksel).",
               w=width, h=height, mp=limit // 1_000_000),
            code="image_too_large", field=field)


def store_image(stream, filename: str, *, folder: str, max_bytes: int,
                max_size: tuple[int, int] = (1600, 1600)) -> StoredFile:
    """Decode with Pillow (a fake image fails here), shrink, and re-encode as JPEG or PNG,
    which also drops any metadata or payload the original carried. The pixel count is
    checked from the header first (:func:`check_image_pixels`)."""
    from PIL import Image, UnidentifiedImageError

    data = read_limited(stream, max_bytes)
    check_image_pixels(data)
    try:
        image = Image.open(io.BytesIO(data))
        image.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationError(_l("Berkas bukan gambar yang valid (gunakan JPG atau PNG)."),
                              code="bad_image", field="file") from None
    if image.format not in ("JPEG", "PNG", "WEBP"):
        raise ValidationError(_l("Format gambar harus JPG atau PNG."), code="bad_image",
                              field="file")
    image.thumbnail(max_size)
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P"):
        image.save(out, format="PNG", optimize=True)
        ext, content_type = "png", "image/png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
        ext, content_type = "jpg", "image/jpeg"
    return store_bytes(out.getvalue(), folder=folder, original_name=filename,
                       content_type=content_type, ext=ext)


def delete_stored(stored_name: str | None) -> None:
    if stored_name:
        path = path_of(stored_name)
        path.unlink(missing_ok=True)

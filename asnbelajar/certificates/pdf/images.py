"""Uploaded images: normalised once when saved, compressed once per design into image
XObjects, then registered and drawn in every document."""

from __future__ import annotations

import copy
import io
import zlib
from dataclasses import dataclass

from PIL import Image
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

# The boxes images are drawn in, in pixels at about 300 dpi: an upload is scaled to fit
# its box once, when saved (logo box 120 x 46 pt, signature box 180 x 64 pt, background
# the A4 page at 150 dpi).
IMAGE_BOXES = {"logo": (500, 192), "signature": (750, 267), "background": (1754, 1240)}


def prepare_image(data: bytes, *, box: tuple[int, int], photo: bool = False) -> bytes:
    """Normalise an uploaded image once (when saved): scaled down to fit ``box`` (pixels),
    PNG (logo, signature: transparency kept) or JPEG (``photo``: a background)."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        img.thumbnail(box)
        out = io.BytesIO()
        if photo:
            img.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
        else:
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA")
            img.save(out, format="PNG", optimize=True)
        return out.getvalue()


@dataclass
class _PreparedImage:
    name: str
    xobject: pdfdoc.PDFImageXObject
    smask: pdfdoc.PDFImageXObject | None
    width: int
    height: int


class _PredictedImage(pdfdoc.PDFImageXObject):
    """An image stream holding PNG-filtered rows (Flate with PNG predictors, as PNG files
    store them): several times smaller than raw Flate for logos and signatures."""

    colors = 3
    predictor = 15

    def format(self, document):
        stream = pdfdoc.PDFStream(content=self.streamContent)
        d = stream.dictionary
        d["Type"] = pdfdoc.PDFName("XObject")
        d["Subtype"] = pdfdoc.PDFName("Image")
        d["Width"], d["Height"] = self.width, self.height
        d["BitsPerComponent"] = 8
        d["ColorSpace"] = pdfdoc.PDFName(self.colorSpace)
        d["Filter"] = pdfdoc.PDFName("FlateDecode")
        if self.predictor != 1:
            d["DecodeParms"] = pdfdoc.PDFDictionary({
                "Predictor": self.predictor, "Colors": self.colors, "BitsPerComponent": 8,
                "Columns": self.width})
        d["Length"] = len(self.streamContent)
        if getattr(self, "smask", None):
            d["SMask"] = self.smask
        stream.filters = []  # the content is compressed already
        return stream.format(document)


def _png_rows(image: Image.Image) -> bytes:
    """The zlib stream of PNG-filtered rows Pillow writes for ``image`` (its IDAT data)."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    data, pos, out = buf.getvalue(), 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        if data[pos + 4:pos + 8] == b"IDAT":
            out.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return b"".join(out)


def _predicted(name: str, image: Image.Image) -> _PredictedImage:
    obj = _PredictedImage(name)
    obj.width, obj.height = image.size
    obj.bitsPerComponent = 8
    obj.colorSpace = "DeviceRGB" if image.mode == "RGB" else "DeviceGray"
    obj.colors = 3 if image.mode == "RGB" else 1
    # PNG row filters win on photos and gradients, plain Flate on flat artwork: keep the
    # smaller (a predictor of 1 means none).
    filtered, plain = _png_rows(image), zlib.compress(image.tobytes(), 9)
    if len(plain) < len(filtered):
        obj.streamContent, obj.predictor = plain, 1
    else:
        obj.streamContent, obj.predictor = filtered, 15
    obj.mask = None
    return obj


def _image_xobject(name: str, data: bytes) -> _PreparedImage:
    """Decode and compress an image once; the XObject is then added to every document."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        if img.format == "JPEG" and img.mode in ("RGB", "L"):
            obj = pdfdoc.PDFImageXObject(name)
            obj.width, obj.height = img.size
            obj.bitsPerComponent = 8
            obj.colorSpace = "DeviceRGB" if img.mode == "RGB" else "DeviceGray"
            obj._filters = ("DCTDecode",)
            obj.streamContent = data
            obj.mask = None
            return _PreparedImage(name, obj, None, obj.width, obj.height)
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        rgba = img.convert("RGBA")
        obj = _predicted(name, rgba.convert("RGB"))
        smask = _predicted(name + "-mask", rgba.getchannel("A")) if has_alpha else None
        return _PreparedImage(name, obj, smask, obj.width, obj.height)


def _add_image(c: Canvas, image: _PreparedImage) -> None:
    """Register a prepared image XObject in ``c``'s document (what drawImage does, minus
    decoding the image again for every document)."""
    doc = c._doc
    reg = doc.getXObjectName(image.name)
    if reg in doc.idToObject:
        return
    obj = copy.copy(image.xobject)
    if image.smask is not None:
        mask_reg = doc.getXObjectName(image.smask.name)
        doc.Reference(copy.copy(image.smask), mask_reg)
        obj.smask = pdfdoc.PDFObjectReference(mask_reg)
    doc.Reference(obj, reg)


def _draw_image(c: Canvas, image: _PreparedImage, x: float, y: float, box_w: float,
                box_h: float) -> None:
    """Draw a registered image inside the box, aspect ratio kept, centred."""
    scale = min(box_w / image.width, box_h / image.height)
    w, h = image.width * scale, image.height * scale
    c.saveState()
    c.translate(x + (box_w - w) / 2, y + (box_h - h) / 2)
    c.scale(w, h)
    c.addLiteral(f"/{c._doc.getXObjectName(image.name)} Do")
    c.restoreState()
    c._formsinuse.append(image.name)

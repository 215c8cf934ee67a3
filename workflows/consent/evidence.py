"""The household's signature under a consent form, checked before it is kept: a scan or photo of
the signed paper form (PDF, JPEG, PNG), or the signature drawn on the tablet (PNG).

What is kept is what was checked: the bytes are recognised by their content (never by a file name
or a declared type), images are decoded in full (a truncated or forged file is refused), and a
tablet signature with no stroke on it is refused as unsigned.
"""

import base64
import binascii
import hashlib
import io
import threading
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFile, UnidentifiedImageError

from core.limits import UPLOAD_BYTES
from models.enums import EvidenceKind
from workflows.engine.errors import InvalidInput

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
_MAGIC = {PDF: b"%PDF-", JPEG: b"\xff\xd8\xff", PNG: b"\x89PNG\r\n\x1a\n"}
MAX_PIXELS = 60_000_000  # a 300-dpi A4 page is 8.7 MP; anything far larger is not a scan
SIGNATURE_BYTES = 1024 * 1024
SIGNATURE_SIDE = 4000  # pixels, either side
_FIELD = "evidence"
_STRICT = threading.Lock()


@dataclass(frozen=True)
class Evidence:
    kind: EvidenceKind
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _refuse(message: str) -> InvalidInput:
    return InvalidInput({_FIELD: message})


def content_type(data: bytes) -> str | None:
    """PDF, JPEG or PNG, told by the bytes themselves; None for anything else."""
    return next((kind for kind, magic in _MAGIC.items() if data.startswith(magic)), None)


def _decoded(data: bytes, what: str) -> Image.Image:
    """The image, decoded in full; refused when it is not one, is cut off, or is a pixel bomb.

    WeasyPrint switches Pillow to accept cut-off images once it is imported (for letters), so
    the decoding here runs with that switched off."""
    unreadable = _refuse(f"{what} lässt sich nicht lesen (beschädigt oder kein Bild).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError, Warning):
        raise unreadable from None
    if image.width * image.height > MAX_PIXELS:
        raise _refuse(f"{what} ist zu groß ({image.width} × {image.height} Bildpunkte).")
    with _STRICT:
        lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            image.load()
        except (OSError, SyntaxError, ValueError):
            raise unreadable from None
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return image


def scan(data: bytes) -> Evidence:
    """The signed paper form, scanned or photographed."""
    if not data:
        raise _refuse("Bitte das unterschriebene Formular hochladen.")
    if len(data) > UPLOAD_BYTES:
        raise _refuse(f"Die Datei ist zu groß (höchstens {UPLOAD_BYTES // 1024 // 1024} MB).")
    kind = content_type(data)
    if kind is None:
        raise _refuse("Bitte eine PDF-, JPEG- oder PNG-Datei hochladen.")
    if kind == PDF:
        if b"%%EOF" not in data[-2048:]:
            raise _refuse("Die PDF-Datei ist unvollständig oder beschädigt.")
    else:
        _decoded(data, "Das Bild")
    return Evidence(EvidenceKind.PAPER, kind, data)


def signature(data: bytes) -> Evidence:
    """The signature drawn on the tablet, as the page sends it: a PNG with at least one stroke."""
    if not data:
        raise _refuse("Bitte auf dem Tablet unterschreiben lassen.")
    if len(data) > SIGNATURE_BYTES or content_type(data) != PNG:
        raise _refuse("Die Unterschrift kam nicht als Bild an. Bitte noch einmal unterschreiben.")
    image = _decoded(data, "Die Unterschrift")
    if image.width > SIGNATURE_SIDE or image.height > SIGNATURE_SIDE:
        raise _refuse("Die Unterschrift ist zu groß.")
    if _blank(image):
        raise _refuse("Das Unterschriftsfeld ist leer. Bitte unterschreiben lassen.")
    return Evidence(EvidenceKind.TABLET, PNG, data)


def signature_from_data_url(url: str) -> Evidence:
    """``data:image/png;base64,…``, as a canvas gives it (``toDataURL``)."""
    prefix = "data:image/png;base64,"
    if not url.startswith(prefix):
        raise _refuse("Bitte auf dem Tablet unterschreiben lassen.")
    try:
        data = base64.b64decode(url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("Die Unterschrift kam nicht als Bild an. Bitte noch einmal.") from None
    return signature(data)


def _blank(image: Image.Image) -> bool:
    """True when nothing is drawn: every pixel transparent, or all of one colour."""
    rgba = image.convert("RGBA")
    if rgba.getchannel("A").getbbox() is None:
        return True  # fully transparent
    low, high = zip(*rgba.getextrema(), strict=True)
    return low == high  # one colour everywhere (a white canvas)

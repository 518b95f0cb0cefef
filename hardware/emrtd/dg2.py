"""DG2: the face image inside the CBEFF / ISO 19794-5 biometric template.

Parsing follows the ISO 19794-5:2005 record layout and falls back to scanning for a
JPEG / JPEG 2000 signature, so unusual headers still yield the portrait.  Decoding to
a displayable image uses Pillow (which reads both JPEG and JPEG 2000).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ParseError
from .tlv import Tlv, encode, encode_seq, parse

if TYPE_CHECKING:  # Pillow is only needed to decode, not to parse.
    from PIL.Image import Image

JPEG_SOI = b"\xff\xd8\xff"
JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
J2K_CODESTREAM = b"\xff\x4f\xff\x51"
_FAC_HEADER = 14
_FACE_INFO = 20
_IMAGE_INFO = 12


@dataclass(frozen=True)
class FaceImage:
    """The encoded portrait and what the template says about it."""

    mime: str
    data: bytes
    width: int | None = None
    height: int | None = None

    def decode(self) -> "Image":
        """Decode to a Pillow image (RGB); raise ParseError when it does not decode."""
        from PIL import Image as PilImage, UnidentifiedImageError

        try:
            image = PilImage.open(io.BytesIO(self.data))
            image.load()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ParseError("DG2 portrait does not decode") from exc
        return image.convert("RGB")


def _sniff(data: bytes) -> str | None:
    if data.startswith(JPEG_SOI):
        return "image/jpeg"
    if data.startswith(JP2_SIGNATURE) or data.startswith(J2K_CODESTREAM):
        return "image/jp2"
    return None


def _from_iso19794(bdb: bytes) -> FaceImage | None:
    if len(bdb) < _FAC_HEADER + _FACE_INFO + _IMAGE_INFO or bdb[:4] != b"FAC\x00":
        return None
    pos = _FAC_HEADER
    block_len = int.from_bytes(bdb[pos:pos + 4], "big")
    feature_points = int.from_bytes(bdb[pos + 4:pos + 6], "big")
    info = pos + _FACE_INFO + 8 * feature_points
    image_start = info + _IMAGE_INFO
    image_end = pos + block_len
    if image_start >= len(bdb) or not image_start < image_end <= len(bdb):
        return None
    width = int.from_bytes(bdb[info + 2:info + 4], "big")
    height = int.from_bytes(bdb[info + 4:info + 6], "big")
    image = bdb[image_start:image_end]
    mime = _sniff(image)
    if mime is None:
        return None
    return FaceImage(mime, image, width, height)


def _scan(bdb: bytes) -> FaceImage | None:
    hits = [(bdb.find(sig), mime) for sig, mime in
            ((JPEG_SOI, "image/jpeg"), (JP2_SIGNATURE, "image/jp2"), (J2K_CODESTREAM, "image/jp2"))]
    hits = [(pos, mime) for pos, mime in hits if pos >= 0]
    if not hits:
        return None
    pos, mime = min(hits)
    return FaceImage(mime, bdb[pos:])


def _biometric_data_blocks(root: Tlv) -> list[bytes]:
    return [item.value for item in root.walk() if item.tag in (0x5F2E, 0x7F2E)]


def parse_dg2(data: bytes) -> FaceImage:
    """Extract the first face image from DG2 (75 { 7F61 { 02, 7F60 { A1, 5F2E } } })."""
    root = parse(data, 0x75, allow_trailing=True)
    for bdb in _biometric_data_blocks(root):
        face = _from_iso19794(bdb) or _scan(bdb)
        if face is not None:
            return face
    raise ParseError("DG2 holds no JPEG or JPEG 2000 face image")


def encode_dg2(image: bytes, width: int, height: int) -> bytes:
    """Build DG2 around an encoded image (JPEG or JPEG 2000), ISO 19794-5:2005 layout."""
    mime = _sniff(image)
    if mime is None:
        raise ValueError("image must be JPEG or JPEG 2000")
    image_info = bytes([1, 0 if mime == "image/jpeg" else 1]) + width.to_bytes(2, "big") \
        + height.to_bytes(2, "big") + bytes([1, 2]) + bytes(4)
    block_len = _FACE_INFO + _IMAGE_INFO + len(image)
    face_info = block_len.to_bytes(4, "big") + bytes(2) + bytes([0, 0, 0]) + bytes(3) \
        + bytes(2) + bytes(3) + bytes(3)
    record = face_info + image_info + image
    total = _FAC_HEADER + len(record)
    bdb = b"FAC\x00" + b"010\x00" + total.to_bytes(4, "big") + (1).to_bytes(2, "big") + record
    header = encode_seq(0xA1, encode(0x80, b"\x01\x01"), encode(0x87, b"\x01\x01"),
                        encode(0x88, b"\x00\x08"))
    template = encode_seq(0x7F60, header, encode(0x5F2E, bdb))
    return encode(0x75, encode_seq(0x7F61, encode(0x02, b"\x01"), template))

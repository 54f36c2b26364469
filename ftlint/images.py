"""Images in fine-tuning data: data-URL decoding, header-only sizes, and the token formula.

No imaging library and no network: a data URL's payload is decoded and its
header read (PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X); remote URLs are never
fetched, so their size, and their tokens at high detail, stay unknown.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
import struct
from dataclasses import dataclass

ALLOWED_TYPES = ("jpeg", "png", "webp")
LOW_DETAIL_TOKENS = 85
TILE_TOKENS = 170
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w.+-]+=[\w.+-]+)*)(?P<b64>;base64)?,",
                       re.IGNORECASE)


@dataclass(frozen=True)
class ImageInfo:
    """What can be known about one image part without fetching anything."""

    kind: str  # "data" or "remote"
    declared: str = ""  # the data URL's subtype (jpeg, png, webp...)
    actual: str = ""  # what the bytes are, from their magic number
    size: int = 0  # decoded bytes (data URLs)
    width: int = 0
    height: int = 0
    problem: str = ""  # why the URL is unusable, if it is


@functools.lru_cache(maxsize=32)  # a rule and the token counter both look at each image
def inspect_url(url: str) -> ImageInfo:
    if url.startswith(("https://", "http://")):
        if url.startswith("http://"):
            return ImageInfo("remote", problem="image URL uses http; the provider fetches https URLs")
        return ImageInfo("remote")
    match = _DATA_URL.match(url)
    if match is None:
        return ImageInfo("data" if url.startswith("data:") else "remote",
                         problem="image URL is neither https nor a data: URL")
    mime = (match.group("mime") or "").lower()
    if not mime.startswith("image/"):
        return ImageInfo("data", problem=f"data URL has type {mime or 'none'!r}, not image/jpeg, png or webp")
    declared = mime.split("/", 1)[1].replace("jpg", "jpeg")
    if not match.group("b64"):
        return ImageInfo("data", declared=declared, problem="data URL is not base64-encoded (;base64, is missing)")
    try:
        payload = base64.b64decode(url[match.end():], validate=True)
    except (binascii.Error, ValueError):
        return ImageInfo("data", declared=declared, problem="data URL payload is not valid base64")
    actual, width, height = image_header(payload)
    info = ImageInfo("data", declared=declared, actual=actual, size=len(payload), width=width, height=height)
    if declared not in ALLOWED_TYPES:
        return _with(info, f"image type {declared!r} is not supported; use JPEG, PNG or WebP")
    if not actual:
        return _with(info, f"data URL says image/{declared} but the bytes are not an image ftlint recognises")
    if actual != declared:
        return _with(info, f"data URL says image/{declared} but the bytes are {actual.upper()}")
    if not (width and height):  # every whole JPEG, PNG and WebP states its size in its header
        return _with(info, f"the {actual.upper()} image in the data URL is cut short or corrupt: its size "
                           "cannot be read")
    return info


def _with(info: ImageInfo, problem: str) -> ImageInfo:
    return ImageInfo(info.kind, info.declared, info.actual, info.size, info.width, info.height, problem)


def image_header(data: bytes) -> tuple[str, int, int]:
    """(type, width, height) from the first bytes; ("", 0, 0) when unrecognised, and a size of 0 x 0
    when the header is cut short. Every read is bounds-checked: payloads are data (any bytes)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data.startswith(b"\xff\xd8"):
        return "jpeg", *_jpeg_size(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp", *_webp_size(data)
    if data.startswith((b"GIF87a", b"GIF89a")):
        # A truncated header still says GIF (an unsupported type either way); its size is unknown.
        return ("gif", *struct.unpack("<HH", data[6:10])) if len(data) >= 10 else ("gif", 0, 0)
    return "", 0, 0


def _jpeg_size(data: bytes) -> tuple[int, int]:
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return 0, 0
        marker = data[position + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2:position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return 0, 0


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return 0, 0


def image_tokens(width: int, height: int, detail: str | None) -> int:
    """OpenAI's vision price: 85 at low detail; else 85 + 170 per 512-px tile after scaling.

    Scaling: fit within 2048 x 2048, then make the shortest side 768 (never upscaling).
    ``auto`` is priced as high, an upper bound.
    """
    if detail == "low" or width <= 0 or height <= 0:
        return LOW_DETAIL_TOKENS
    scale = min(1.0, 2048 / max(width, height))
    scaled_width, scaled_height = width * scale, height * scale
    scale = min(1.0, 768 / min(scaled_width, scaled_height))
    tiles = math.ceil(scaled_width * scale / 512) * math.ceil(scaled_height * scale / 512)
    return LOW_DETAIL_TOKENS + TILE_TOKENS * tiles

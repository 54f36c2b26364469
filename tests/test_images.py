"""Images: data-URL checks, header-only sizes, token formula, and the vision rules."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assistant, conversation, findings, user
from ftlint import lint_records
from ftlint.images import image_header, image_tokens, inspect_url


def png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") \
        + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def data_url(kind: str, payload: bytes) -> str:
    return f"data:image/{kind};base64," + base64.b64encode(payload).decode()


def image_part(url: str, detail: str | None = None) -> dict[str, Any]:
    image: dict[str, Any] = {"url": url}
    if detail:
        image["detail"] = detail
    return {"type": "image_url", "image_url": image}


@pytest.mark.parametrize(("payload", "expected"), [
    (png(640, 480), ("png", 640, 480)),
    (jpeg(1920, 1080), ("jpeg", 1920, 1080)),
    (webp_vp8x(4000, 3000), ("webp", 4000, 3000)),
    (b"GIF89a\x10\x00\x20\x00", ("gif", 16, 32)),
    (b"not an image", ("", 0, 0)),
])
def test_headers(payload: bytes, expected: tuple[str, int, int]) -> None:
    assert image_header(payload) == expected


@pytest.mark.parametrize(("size", "detail", "tokens"), [
    ((1024, 1024), "high", 765),   # OpenAI's worked example: 768 x 768, 4 tiles
    ((2048, 4096), "high", 1105),  # 768 x 1536, 6 tiles
    ((4096, 8192), "auto", 1105),  # auto is priced as high (an upper bound)
    ((300, 200), "high", 255),     # small images are not upscaled: 1 tile
    ((4096, 4096), "low", 85),
])
def test_image_tokens(size: tuple[int, int], detail: str, tokens: int) -> None:
    assert image_tokens(*size, detail) == tokens


@pytest.mark.parametrize(("url", "problem"), [
    ("https://example.com/a.png", ""),
    (data_url("png", png(10, 10)), ""),
    ("http://example.com/a.png", "uses http"),
    ("ftp://example.com/a.png", "neither https nor a data: URL"),
    (data_url("png", jpeg(10, 10)), "says image/png but the bytes are JPEG"),
    (data_url("gif", b"GIF89a\x10\x00\x20\x00"), "'gif' is not supported"),
    ("data:image/png;base64,@@@", "not valid base64"),
    ("data:text/plain;base64,aGk=", "not image/jpeg"),
    ("data:image/png,rawbytes", "not base64-encoded"),
])
def test_inspect_url(url: str, problem: str) -> None:
    found = inspect_url(url).problem
    assert (problem in found) if problem else found == ""


def vision(*parts: dict[str, Any]) -> dict[str, Any]:
    return conversation(user([{"type": "text", "text": "What is this?"}, *parts]), assistant("A tent."))


VISION = {"model": "gpt-4o-2024-08-06"}


def test_invalid_image_url_rule() -> None:
    records = [vision(image_part(data_url("png", png(8, 8)))), vision(image_part(data_url("png", jpeg(8, 8))))]
    assert findings(records, select=["FT406"], **VISION) == [("FT406", 2)]


def test_too_many_images_follows_the_provider() -> None:
    record = vision(*[image_part("https://example.com/x.png", "low")] * 11)
    assert findings([record], select=["FT407"], **VISION) == [("FT407", 1)]
    assert findings([record], select=["FT407"], provider="azure", **VISION) == []  # Azure takes 64


def test_image_too_large() -> None:
    big = data_url("png", png(100, 100) + b"\0" * 10_500_000)
    assert findings([vision(image_part(big)), vision(image_part(data_url("png", png(1, 1))))],
                    select=["FT408"], **VISION) == [("FT408", 1)]


def test_image_tokens_in_totals() -> None:
    records = [vision(image_part(data_url("png", png(1024, 1024)), "high")),
               vision(image_part("https://example.com/remote.png")),
               vision(image_part("https://example.com/remote.png", "low"))]
    text_only = lint_records([vision()] * 3, **VISION).report.totals.tokens
    result = lint_records(records, **VISION)
    totals = result.report.totals
    assert totals.tokens == text_only + 765 + 85 + 85
    assert totals.images == 3 and totals.image_examples == 3
    assert totals.images_uncounted == 1  # the remote high/auto image is a lower bound


HEADERS = [png(640, 480), jpeg(1920, 1080), webp_vp8x(4000, 3000), b"GIF89a\x10\x00\x20\x00",
           b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(20), b"RIFF\x00\x00\x00\x00WEBPVP8L" + bytes(20)]


@pytest.mark.parametrize("header", HEADERS)
def test_every_truncated_header_is_a_finding_not_a_crash(header: bytes) -> None:
    kind = image_header(header)[0]
    for cut in range(len(header)):
        found, width, height = image_header(header[:cut])  # GIF87a/GIF89a with 4 bytes missing crashed
        assert found in ("", kind) and width >= 0 and height >= 0
        info = inspect_url(data_url(kind, header[:cut]))
        assert info.problem or info.width > 0, cut


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(HEADERS), st.integers(min_value=0, max_value=40), st.binary(max_size=60))
def test_any_bytes_after_any_magic_number(header: bytes, keep: int, tail: bytes) -> None:
    payload = header[:keep] + tail
    found, width, height = image_header(payload)
    assert width >= 0 and height >= 0
    inspect_url(data_url(found or "png", payload))

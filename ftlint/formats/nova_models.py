"""Amazon Nova's layout as pydantic models: they judge a record that the structural check
(ftlint/formats/structure.py) does not pass, and are imported only then (ftlint.formats.nova has
the rest of the layout)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ftlint.formats.common import Strict, exactly_one
from ftlint.formats.nova import BLOCK_KINDS


class S3Location(Strict):
    uri: str
    bucketOwner: str | None = None


class Source(Strict):
    s3Location: S3Location


class Image(Strict):
    format: Literal["jpeg", "png", "gif", "webp"]
    source: Source


class Video(Strict):
    format: Literal["mov", "mkv", "mp4", "webm"]
    source: Source


class ReasoningText(Strict):
    text: str


class Reasoning(Strict):
    reasoningText: ReasoningText


class Block(Strict):
    text: str | None = None
    image: Image | None = None
    video: Video | None = None
    reasoningContent: Reasoning | None = None

    @model_validator(mode="after")
    def _one(self) -> Block:
        exactly_one(self, BLOCK_KINDS, "block")
        return self


class NovaMessage(Strict):
    role: Literal["user", "assistant"]
    content: Annotated[list[Block], Field(min_length=1)]


class SystemBlock(Strict):
    text: str


class NovaRecord(Strict):
    schemaVersion: str | None = None  # any string is accepted; conventionally bedrock-conversation-2024
    system: list[SystemBlock] | None = None
    messages: Annotated[list[NovaMessage], Field(min_length=1)]

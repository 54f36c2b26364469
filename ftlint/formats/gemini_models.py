"""Vertex Gemini's layouts as pydantic models: they judge a record that the structural check
(ftlint/formats/structure.py) does not pass, and are imported only then (ftlint.formats.gemini has
the rest of the layout)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, Strict, model_validator

from ftlint.formats.common import Strict as StrictModel
from ftlint.formats.common import exactly_one, layout_error
from ftlint.formats.gemini import PART_KINDS


class FileData(StrictModel):
    mimeType: str
    fileUri: str


class FunctionCall(StrictModel):
    name: str
    args: dict[str, Any] | None = None


class FunctionResponse(StrictModel):
    name: str
    response: dict[str, Any]


class Part(StrictModel):
    text: str | None = None
    fileData: FileData | None = None
    functionCall: FunctionCall | None = None
    functionResponse: FunctionResponse | None = None

    @model_validator(mode="after")
    def _one(self) -> Part:
        exactly_one(self, PART_KINDS, "part")
        return self


class Content(StrictModel):
    role: Literal["user", "model"]
    parts: Annotated[list[Part], Field(min_length=1)]


class ModelContent(StrictModel):
    role: Literal["model"]
    parts: Annotated[list[Part], Field(min_length=1)]


class TextPart(StrictModel):
    text: str


class SystemInstruction(StrictModel):
    role: str | None = None  # ignored by Vertex
    parts: Annotated[list[TextPart], Field(min_length=1)]


class FunctionDeclaration(StrictModel):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    response: dict[str, Any] | None = None


class Tool(StrictModel):
    functionDeclarations: Annotated[list[FunctionDeclaration], Field(min_length=1)]


class _System(StrictModel):
    systemInstruction: SystemInstruction | None = None
    system_instruction: SystemInstruction | None = None

    @model_validator(mode="after")
    def _one_spelling(self) -> _System:
        if self.systemInstruction is not None and self.system_instruction is not None:
            raise layout_error("value", "has both `systemInstruction` and `system_instruction`; keep one")
        return self


class GeminiRecord(_System):
    """Supervised tuning."""

    contents: Annotated[list[Content], Field(min_length=1)]
    tools: list[Tool] | None = None


class Scored(StrictModel):
    score: Annotated[int, Strict(), Field(ge=0, le=1)]
    completion: ModelContent


class GeminiPreferenceRecord(_System):
    """Preference tuning: one preferred (score 1) and one dispreferred (score 0) completion."""

    contents: Annotated[list[Content], Field(min_length=1)]
    completions: Annotated[list[Scored], Field(min_length=2, max_length=2)]

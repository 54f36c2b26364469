"""TRL's layouts as pydantic models: they judge a record that the structural check
(ftlint/formats/structure.py) does not pass, and are imported only then (ftlint.formats.trl has the
rest of the layout)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from ftlint.formats.common import Strict, content_tag, layout_error


class TrlFunction(Strict):
    name: str
    arguments: dict[str, Any] | str  # TRL's docs use objects; FT605-style checks judge strings


class TrlToolCall(Strict):
    type: Literal["function"] = "function"
    id: str | None = None
    function: TrlFunction


class TrlMessage(Strict):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None
    tool_calls: Annotated[list[TrlToolCall], Field(min_length=1)] | None = None
    tool_call_id: str | None = None
    thinking: str | None = None  # gpt-oss (harmony) reasoning


# A side of an example: a string (standard) or a list of messages (conversational).
Side = Annotated[
    Annotated[str, Tag("content=str")] | Annotated[list[TrlMessage], Tag("content=list"), Field(min_length=1)],
    Discriminator(content_tag, custom_error_type="layout_type",
                  custom_error_message="must be a string (standard) or a list of messages (conversational)"),
]


def _one_kind(record: Strict, keys: tuple[str, ...]) -> None:
    """TRL reads a record as standard or conversational, never a mix of the two."""
    present = [(key, getattr(record, key)) for key in keys if getattr(record, key, None) is not None]
    kinds = {isinstance(value, str) for _, value in present}
    if len(kinds) > 1:
        shown = ", ".join(f"`{key}` is {'a string' if isinstance(v, str) else 'a list'}" for key, v in present)
        raise layout_error("type", f"mixes standard and conversational values ({shown}); use strings for all "
                                   "or lists of messages for all")


class TrlCompletionRecord(Strict):
    """Conversational prompt-completion: the prompt's messages, then the completion's."""

    prompt: Annotated[list[TrlMessage], Field(min_length=1)]
    completion: Annotated[list[TrlMessage], Field(min_length=1)]
    tools: list[dict[str, Any]] | None = None


class TrlPreferenceRecord(Strict):
    """Preference pairs: `chosen` and `rejected`, with an explicit `prompt` or an implicit one (their
    shared beginning)."""

    prompt: Side | None = None
    chosen: Side
    rejected: Side
    tools: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _kinds(self) -> TrlPreferenceRecord:
        _one_kind(self, ("prompt", "chosen", "rejected"))
        return self


class TrlUnpairedRecord(Strict):
    """Unpaired preference (KTO): one completion and whether it is desirable."""

    prompt: Side
    completion: Side
    label: bool
    tools: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _kinds(self) -> TrlUnpairedRecord:
        _one_kind(self, ("prompt", "completion"))
        return self


class TextRecord(Strict):
    """Language modeling, standard: one text to learn in full."""

    text: str

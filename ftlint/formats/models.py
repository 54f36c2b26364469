"""pydantic models of every fine-tuning format: strict, unknown keys forbidden.

Unions are tagged with ``name=value`` labels (``role=user``, ``part=text``,
``content=list``) so that ftlint.schema can turn pydantic's error locations
back into JSON pointers without guessing which segment is a union branch.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Strict, Tag, model_validator
from pydantic_core import PydanticCustomError

from ftlint.formats.common import content_tag

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
PART_TYPES = ("text", "image_url", "input_audio", "file", "refusal")
# The part types fine-tuning accepts in each role's content (openai-format.md S13/S14: audio and file
# inputs are not supported for fine-tuning; a refusal is the assistant's).
TRAINABLE_PARTS = {"user": ("text", "image_url"), "assistant": ("text", "refusal")}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


def _tag_of(key: str, known: tuple[str, ...], label: str) -> Any:
    def tag(value: Any) -> str | None:
        if isinstance(value, dict):
            found = value.get(key)
            return f"{label}={found}" if found in known else None
        if isinstance(value, BaseModel):
            return f"{label}={getattr(value, key)}"
        return None

    return tag


# --- content parts ----------------------------------------------------------


class TextPart(_Strict):
    type: Literal["text"]
    text: str


class ImageURL(_Strict):
    url: str
    detail: Literal["auto", "low", "high"] | None = None


class ImagePart(_Strict):
    type: Literal["image_url"]
    image_url: ImageURL


class AudioPart(_Strict):
    type: Literal["input_audio"]
    input_audio: dict[str, Any]


class FilePart(_Strict):
    type: Literal["file"]
    file: dict[str, Any]


class RefusalPart(_Strict):
    type: Literal["refusal"]
    refusal: str


# Every known part type is accepted structurally; which role and model may use
# which part is judged by content rules, which can say it precisely.
Part = Annotated[
    Union[
        Annotated[TextPart, Tag("part=text")],
        Annotated[ImagePart, Tag("part=image_url")],
        Annotated[AudioPart, Tag("part=input_audio")],
        Annotated[FilePart, Tag("part=file")],
        Annotated[RefusalPart, Tag("part=refusal")],
    ],
    Discriminator(
        _tag_of("type", PART_TYPES, "part"),
        custom_error_type="invalid_part",
        custom_error_message="unknown content part type",
    ),
]

Content = Annotated[
    Union[
        Annotated[str, Tag("content=str")],
        Annotated[list[Part], Tag("content=list"), Field(min_length=1)],
    ],
    Discriminator(
        content_tag,
        custom_error_type="content_type",
        custom_error_message="content must be a string or a list of content parts",
    ),
]

# --- messages ---------------------------------------------------------------

Weight = Annotated[int, Strict(), Field(ge=0, le=1)]


class FunctionCall(_Strict):
    name: str
    # A JSON string for OpenAI and the platforms that copy it; an object for Hugging Face chat templates.
    # Both are read; FT620 judges the type against the target (and FT611/FT612 against the template).
    arguments: str | dict[str, Any]


class ToolCall(_Strict):
    id: str
    type: Literal["function"]
    function: FunctionCall


class SystemMessage(_Strict):
    role: Literal["system"]
    content: Content
    name: str | None = None


class DeveloperMessage(_Strict):
    role: Literal["developer"]
    content: Content
    name: str | None = None


class UserMessage(_Strict):
    role: Literal["user"]
    content: Content
    name: str | None = None


class AssistantMessage(_Strict):
    role: Literal["assistant"]
    content: Content | None = None
    refusal: str | None = None
    name: str | None = None
    audio: dict[str, Any] | None = None
    tool_calls: Annotated[list[ToolCall], Field(min_length=1)] | None = None
    function_call: FunctionCall | None = None
    weight: Weight | None = None

    @model_validator(mode="after")
    def _has_output(self) -> AssistantMessage:
        if self.content is None and not self.tool_calls and self.function_call is None and self.refusal is None:
            raise PydanticCustomError(
                "missing_content", "assistant message needs content, tool_calls or function_call"
            )
        return self


class ToolMessage(_Strict):
    role: Literal["tool"]
    content: Content
    tool_call_id: str


class FunctionMessage(_Strict):
    role: Literal["function"]
    content: str | None
    name: str


MessageSchema = Annotated[
    Union[
        Annotated[SystemMessage, Tag("role=system")],
        Annotated[DeveloperMessage, Tag("role=developer")],
        Annotated[UserMessage, Tag("role=user")],
        Annotated[AssistantMessage, Tag("role=assistant")],
        Annotated[ToolMessage, Tag("role=tool")],
        Annotated[FunctionMessage, Tag("role=function")],
    ],
    Discriminator(
        _tag_of("role", ROLES, "role"),
        custom_error_type="invalid_role",
        custom_error_message="unknown role",
    ),
]

# --- tools ------------------------------------------------------------------


class FunctionDefinition(_Strict):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class ToolDefinition(_Strict):
    type: Literal["function"]
    function: FunctionDefinition


# --- one record per format --------------------------------------------------

Messages = Annotated[list[MessageSchema], Field(min_length=1)]


class ChatRecord(_Strict):
    """Supervised fine-tuning, chat format."""

    messages: Messages
    tools: list[ToolDefinition] | None = None
    parallel_tool_calls: bool | None = None
    functions: Annotated[list[FunctionDefinition], Field(min_length=1, max_length=128)] | None = None


class PreferenceInput(_Strict):
    messages: Messages
    tools: list[ToolDefinition] | None = None
    parallel_tool_calls: bool | None = None


class PreferenceRecord(_Strict):
    """Direct preference optimization (DPO)."""

    input: PreferenceInput
    preferred_output: Annotated[list[AssistantMessage], Field(min_length=1, max_length=1)]
    non_preferred_output: Annotated[list[AssistantMessage], Field(min_length=1, max_length=1)]


class ReinforcementRecord(BaseModel):
    """Reinforcement fine-tuning: any other key is grader data (``{{ item.key }}``)."""

    model_config = ConfigDict(extra="allow", strict=True, defer_build=True)

    messages: Messages
    tools: list[ToolDefinition] | None = None


class CompletionRecord(_Strict):
    """Legacy prompt/completion (babbage-002, davinci-002)."""

    prompt: str
    completion: str

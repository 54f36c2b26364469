"""The formats ftlint knows, how a record's format is detected, and a tolerant view of it.

Rules read records through :class:`Example` and :class:`Message`, which never
raise on odd data (a non-list ``messages``, a message that is a string): the
schema layer reports such things once, and every other rule still gets to look.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ftlint.choices import TRAINING_METHODS
from ftlint.formats import models
from ftlint.formats.common import Converted


@dataclass(frozen=True)
class Format:
    name: str  # what the JSON output calls it
    method: str  # OpenAI's `method.type` that trains on it
    family: str  # records of one family share signature keys
    schema: str  # its pydantic model, `module:Class`: imported when a record first needs it (schema.py)
    description: str
    # Billed per training hour (reinforcement fine-tuning samples its own outputs): trainable and billed
    # tokens do not apply to it.
    billed_per_hour: bool = False
    # The rest describes layouts other than OpenAI's (ftlint/formats/<layout>.py): whose layout it is and
    # its telltale keys (for the one-line diagnosis), its tolerant view, and the record as an OpenAI record
    # of the same content (token counts and `ftlint convert` read it).
    layout: str = "OpenAI"
    keys: str = "`messages`"
    build: Callable[[dict[str, Any]], Example] | None = None
    as_openai: Callable[[dict[str, Any]], Converted] | None = None
    converts: bool = True  # `ftlint convert` can rewrite it for another target

    @property
    def model(self) -> type[BaseModel]:
        return _model(self.schema)


@functools.cache
def _model(schema: str) -> type[BaseModel]:
    module, _, name = schema.partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model


_OPENAI = (
        Format("chat", "supervised", "messages", "ftlint.formats.models:ChatRecord", "supervised chat (messages)"),
        Format("preference", "dpo", "preference", "ftlint.formats.models:PreferenceRecord", "preference pairs (DPO)",
               keys="`input`/`preferred_output`/`non_preferred_output`"),
        Format("reinforcement", "reinforcement", "messages", "ftlint.formats.models:ReinforcementRecord",
               "reinforcement fine-tuning (messages + grader fields)", billed_per_hour=True, converts=False,
               keys="`messages` ending on the user, with grader fields"),
        Format("completion", "completion", "completion", "ftlint.formats.models:CompletionRecord",
               "legacy prompt/completion", keys="`prompt`/`completion`"),
)
FORMATS: dict[str, Format] = {f.name: f for f in _OPENAI}  # the other layouts register below
# OpenAI's methods name OpenAI's formats: other layouts trained by the same method do not take their place.
FORMAT_BY_METHOD: dict[str, str] = {f.method: f.name for f in _OPENAI}
assert set(FORMAT_BY_METHOD) == set(TRAINING_METHODS), "every training method has exactly one format"
CHAT_KEYS = frozenset(models.ChatRecord.model_fields)

# Telltale keys of the other layouts, most specific first: (family, test). Each layout module adds its own.
SIGNATURES: list[tuple[str, Callable[[dict[str, Any]], bool]]] = []
_LAYOUT_FAMILIES: dict[str, str] = {}  # family -> its one format: the other layouts are one format each


def register(fmt: Format, signature: Callable[[dict[str, Any]], bool]) -> None:
    """Add another layout: its format, and the test that tells its records from every other layout's."""
    FORMATS[fmt.name] = fmt
    SIGNATURES.append((fmt.family, signature))
    _LAYOUT_FAMILIES[fmt.family] = fmt.name


def family_of(value: dict[str, Any]) -> str | None:
    """Which family of formats a record's keys belong to, or None if it has no signature.

    Another layout's telltale keys win over OpenAI's: an Alpaca record has an `input` key, but with
    `instruction` or `output` it is Alpaca, not a preference pair.
    """
    for family, test in SIGNATURES:
        if test(value):
            return family
    if "input" in value or "preferred_output" in value or "non_preferred_output" in value:
        return "preference"
    if "messages" in value:
        return "messages"
    if "prompt" in value or "completion" in value:
        return "completion"
    return None


def guess_format(value: dict[str, Any]) -> str | None:
    """The format a lone record most likely is, from its shape alone."""
    return _guess(value)[0]


def guess_strength(value: dict[str, Any]) -> tuple[str | None, bool]:
    """Like :func:`guess_format`, plus whether the shape is unambiguous.

    A messages record that ends on the user with no assistant answer is a
    reinforcement prompt or a broken chat example; only extra (grader) keys
    make it certain. Callers let the model decide the ambiguous case.
    """
    return _guess(value)


def _guess(value: dict[str, Any]) -> tuple[str | None, bool]:
    family = family_of(value)
    if family in _LAYOUT_FAMILIES:
        return _LAYOUT_FAMILIES[family], True
    if family == "preference":
        return "preference", True
    if family == "completion":
        return "completion", True
    if family != "messages":
        return None, False
    messages = value.get("messages")
    roles = [m.get("role") for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    prompt_only = bool(roles) and roles[-1] == "user" and "assistant" not in roles
    if prompt_only:
        # RFT records end on the user; grader keys (anything beyond chat's) settle it.
        return "reinforcement", bool(set(value) - CHAT_KEYS)
    return "chat", bool(roles)


def settings_of(value: dict[str, Any], format_name: str) -> tuple[dict[str, Any], str]:
    """The object that holds a record's conversation settings (``tools``, legacy ``functions``,
    ``parallel_tool_calls``) and its JSON pointer: the record itself, or a preference record's ``input``."""
    if format_name == "preference":
        holder = value.get("input")
        return (holder, "/input") if isinstance(holder, dict) else ({}, "/input")
    return value, ""


# How the lists that hold messages are named to people ("preferred output 1 (assistant)").
LIST_NOUNS = {"messages": "message", "preferred_output": "preferred output",
              "non_preferred_output": "non-preferred output"}


# How the lists of turns of the other layouts are named ("turn 3 (human)", "chosen message 1").
TURN_NOUNS = {"conversations": "turn", "contents": "turn", "prompt": "prompt message", "chosen": "chosen message",
              "rejected": "rejected message", "completion": "completion message"}


def message_label(pointer: str, role: str | None) -> str:
    """The name of the message at ``pointer`` (e.g. /input/messages/2): "input message 3 (user)"."""
    parts = pointer.split("/")
    noun = (LIST_NOUNS.get(parts[-2]) or TURN_NOUNS.get(parts[-2], "message")) if len(parts) >= 3 else "message"
    prefix = "input " if len(parts) >= 4 and parts[-3] == "input" else ""
    label = f"{prefix}{noun} {int(parts[-1]) + 1}" if parts[-1].isdigit() else f"{prefix}{noun}"
    return f"{label} ({role})" if role else label


class Message:
    """A tolerant view of one message; ``raw`` is whatever the file holds.

    Fields are read once here: rules ask for them many times per record.
    """

    __slots__ = ("content", "data", "index", "pointer", "raw", "role", "tool_calls")

    def __init__(self, index: int, pointer: str, raw: Any) -> None:
        self.index = index  # position in its list, 0-based
        self.pointer = pointer  # JSON pointer of the message, e.g. /messages/2
        self.raw = raw
        self.data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        role = self.data.get("role")
        self.role: str | None = role if isinstance(role, str) else None
        self.content: Any = self.data.get("content")
        calls = self.data.get("tool_calls")
        self.tool_calls: list[dict[str, Any]] = (
            [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
        )

    @property
    def label(self) -> str:
        """How messages are named to people: 1-based, with the role and, in a preference record, the part."""
        return message_label(self.pointer, self.role)

    @property
    def trainable(self) -> bool:
        return self.role == "assistant" and self.data.get("weight", 1) != 0

    def parts(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Content parts (when content is a list) with their pointers."""
        content = self.content
        if isinstance(content, list):
            for index, part in enumerate(content):
                if isinstance(part, dict):
                    yield f"{self.pointer}/content/{index}", part

    def texts(self) -> Iterator[tuple[str, str]]:
        """Every piece of natural-language text the message carries, with its pointer."""
        content = self.content
        if isinstance(content, str):
            yield f"{self.pointer}/content", content
        elif isinstance(content, list):
            for pointer, part in self.parts():
                for key in ("text", "refusal"):
                    if isinstance(part.get(key), str):
                        yield f"{pointer}/{key}", part[key]
        refusal = self.data.get("refusal")
        if isinstance(refusal, str):
            yield f"{self.pointer}/refusal", refusal


class Example:
    """A tolerant view of one record in a format."""

    __slots__ = ("_texts", "all_messages", "format", "messages", "outputs", "raw", "roles_known", "turn_keys")

    def __init__(self, format: str, raw: dict[str, Any], messages: list[Message] | None = None,
                 outputs: list[Message] | None = None, turn_keys: tuple[str, ...] | None = None) -> None:
        self.format = format
        self.raw = raw
        # The record's keys whose whole content the messages' `raw` values hold (digests of duplicates
        # and prompts take the messages one by one and the rest of the record once).
        self.turn_keys = turn_keys if turn_keys is not None else ("messages", "preferred_output",
                                                                  "non_preferred_output")
        self.messages = messages or []  # the conversation (DPO: the input)
        self.outputs = outputs or []  # DPO: preferred then non-preferred
        self.all_messages = self.messages + self.outputs
        # Every message has a known role: role-order rules only judge such conversations.
        self.roles_known = all(message.role in models.ROLES for message in self.all_messages)
        self._texts: list[tuple[str, str]] | None = None

    @property
    def settings(self) -> tuple[dict[str, Any], str]:
        """The object holding ``tools``/``functions``/``parallel_tool_calls``, and its pointer."""
        return settings_of(self.raw, self.format)

    @property
    def features(self) -> frozenset[str]:
        """Which optional parts the record has, so that rules about them can be skipped otherwise;
        "role-order" when the conversation is other than an optional system message then user and
        assistant in turn, ending on the assistant (the role-order rules find nothing in that one);
        "weights" when a message has a `weight`."""
        found = set()
        roles = [message.role for message in self.messages]
        if not (_PLAIN_ROLES.get(len(roles)) == roles or _PLAIN_ROLES.get(-len(roles)) == roles):
            found.add("role-order")
        holder, _ = self.settings
        if "tools" in holder or "functions" in holder:
            found.add("tools")
        for message in self.all_messages:
            if message.tool_calls or message.role in ("tool", "function") or "function_call" in message.data:
                found.add("tools")
            if "weight" in message.data:
                found.add("weights")
            if "audio" in message.data:
                found.add("parts")  # FT403 judges assistant audio with the audio parts
            if isinstance(message.content, list):
                found.add("parts")
                if any(part.get("type") == "image_url" for _, part in message.parts()):
                    found.add("images")
        return frozenset(found)

    @property
    def image_count(self) -> int:
        return sum(1 for message in self.all_messages for _, part in message.parts()
                   if part.get("type") == "image_url")

    def texts(self) -> list[tuple[str, str]]:
        """(pointer, text) of every piece of natural-language text in the record."""
        if self._texts is None:
            found = [item for message in self.all_messages for item in message.texts()]
            if self.format == "completion":
                found += [(f"/{key}", self.raw[key]) for key in ("prompt", "completion")
                          if isinstance(self.raw.get(key), str)]
            self._texts = found
        return self._texts


# The plain conversations, by length: user and assistant in turn (negative length: after a system message).
_PLAIN_ROLES: dict[int, list[str | None]] = {
    **{2 * turns: ["user", "assistant"] * turns for turns in range(1, 65)},
    **{-(2 * turns + 1): ["system", *["user", "assistant"] * turns] for turns in range(1, 65)},
}


def _messages(value: Any, pointer: str) -> list[Message]:
    if not isinstance(value, list):
        return []
    return [Message(index, f"{pointer}/{index}", item) for index, item in enumerate(value)]


def openai_equivalent(value: dict[str, Any], format_name: str) -> tuple[str, dict[str, Any]]:
    """A readable record of any layout as an OpenAI record of the same content, for counting its
    tokens: (OpenAI format, record). A record the layout cannot convert exactly (a gs:// image, a
    tool result with no call, or one counted despite harmless schema problems such as an extra key)
    is counted from its texts, turn by turn."""
    convert = FORMATS[format_name].as_openai
    if convert is None:
        return format_name, value
    try:
        converted = convert(value)
    except Exception:  # Unconvertible, or a record whose extra keys the mapping does not expect
        example = view(value, format_name)
        messages = [{"role": m.role or "user", "content": "".join(text for _, text in m.texts())}
                    for m in example.all_messages]
        rest = [{"role": "system", "content": text} for _, text in getattr(example, "layout_texts", [])]
        return "chat", {"messages": rest + messages}
    return converted.format, converted.record


def view(value: dict[str, Any], format_name: str) -> Example:
    """Build the tolerant view of ``value`` read as ``format_name``."""
    build = FORMATS[format_name].build
    if build is not None:
        return build(value)
    if format_name == "preference":
        source = value.get("input")
        messages = _messages(source.get("messages") if isinstance(source, dict) else None, "/input/messages")
        outputs = _messages(value.get("preferred_output"), "/preferred_output") + _messages(
            value.get("non_preferred_output"), "/non_preferred_output"
        )
        return Example(format_name, value, messages, outputs)
    if format_name == "completion":
        return Example(format_name, value)
    return Example(format_name, value, _messages(value.get("messages"), "/messages"))


class Turn(Message):
    """A turn of another layout seen as a message: ``role`` is the OpenAI role it plays (ShareGPT's
    `gpt` is the assistant, Gemini's `model` too), ``native`` the role as the file writes it, and its
    texts are wherever that layout keeps them (`/conversations/2/value`, `/contents/1/parts/0/text`)."""

    __slots__ = ("_texts", "native", "noun")

    def __init__(self, index: int, pointer: str, raw: Any, role: str | None, native: str | None,
                 texts: list[tuple[str, str]], noun: str = "turn",
                 calls: list[dict[str, Any]] | None = None) -> None:
        super().__init__(index, pointer, raw)
        self.role = role
        self.native = native
        self.noun = noun
        self._texts = texts
        # Rules that read `content` see the text (a string) when the turn is one text, else None;
        # parts are the layout's own and judged by its own rules. ``calls`` are the turn's function
        # calls in OpenAI's shape (statistics count them); OpenAI's tool rules do not judge them.
        self.content = texts[0][1] if len(texts) == 1 else None
        self.tool_calls = calls or []

    @property
    def label(self) -> str:
        if self.index < 0:  # a system prompt kept outside the turns
            return self.noun
        name = self.native if self.native is not None else self.role
        return f"{self.noun} {self.index + 1} ({name})" if name else f"{self.noun} {self.index + 1}"


    def parts(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return iter(())

    def texts(self) -> Iterator[tuple[str, str]]:
        return iter(self._texts)


def system_turn(pointer: str, raw: Any, texts: list[tuple[str, str]], noun: str) -> Turn:
    """A layout's system prompt (ShareGPT and Alpaca `system`, Gemini `systemInstruction`, Nova `system`)
    as the first message of the view, as OpenAI's system message is: statistics and rules about system
    prompts see it. Its index is -1: turns keep the numbers the layout gives them."""
    return Turn(-1, pointer, raw, "system", None, texts, noun=noun)


class LayoutExample(Example):
    """An example of another layout: which optional parts it has (rules about OpenAI's tools and image
    parts skip it unless it has them in OpenAI's shape) and how many images it holds are given."""

    __slots__ = ("_features", "_images", "layout_texts")

    def __init__(self, format: str, raw: dict[str, Any], messages: Sequence[Message],
                 outputs: Sequence[Message] = (), *, features: frozenset[str] = frozenset(), images: int = 0,
                 texts: list[tuple[str, str]] | None = None, turn_keys: tuple[str, ...] = ()) -> None:
        super().__init__(format, raw, list(messages), list(outputs), turn_keys)
        # OpenAI's role-order rules (FT2xx) do not judge other layouts' turns: each layout has its own.
        self.roles_known = False
        self._features = features
        self._images = images
        self.layout_texts = texts or []  # texts outside any turn (a system instruction, an Alpaca input)

    @property
    def features(self) -> frozenset[str]:
        return self._features

    @property
    def image_count(self) -> int:
        return self._images

    def texts(self) -> list[tuple[str, str]]:
        if self._texts is None:
            self._texts = [*self.layout_texts, *(item for message in self.all_messages for item in message.texts())]
        return self._texts


# The other layouts register themselves (they build on Message and Example above).
from ftlint.formats import alpaca, gemini, nova, sharegpt, trl  # noqa: E402, F401

"""What the layout modules share: strict models, losses of a conversion, and the OpenAI side of one.

Every layout module (trl, sharegpt, alpaca, gemini, nova) reads its records into OpenAI records of the
same content (``to_openai``), which token counting and ``ftlint convert`` use; the writers
(``from_openai``) go the other way. A step that cannot keep something says so as a :class:`Loss`;
one that cannot convert the record at all raises :class:`Unconvertible` with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


def layout_error(kind: str, message: str) -> PydanticCustomError:
    """A schema problem a layout model finds itself; ``kind`` picks the FT1xx rule that reports it
    (see ``ftlint.schema``): missing, value, type or role."""
    return PydanticCustomError(f"layout_{kind}", message)


def content_tag(value: Any) -> str | None:
    """The union tag of a message's `content` (ftlint.schema reads `content=str` / `content=list` in
    pydantic's error locations back as JSON pointers); None for any other value: a type error."""
    if isinstance(value, str):
        return "content=str"
    if isinstance(value, list):
        return "content=list"
    return None


def exactly_one(record: BaseModel, kinds: tuple[str, ...], noun: str) -> None:
    """A Gemini part or a Nova content block holds exactly one of ``kinds``."""
    held = [kind for kind in kinds if getattr(record, kind) is not None]
    if not held:
        raise layout_error("missing", f"holds none of {', '.join(f'`{k}`' for k in kinds)}")
    if len(held) > 1:
        raise layout_error("value", f"holds {' and '.join(f'`{k}`' for k in held)}; a {noun} holds exactly one")


@dataclass(frozen=True)
class Loss:
    """Something a conversion could not carry over (a weight, a name, a tool call id)."""

    pointer: str  # where in the input record
    kind: str  # dropped-weight, dropped-key, merged-turns, dropped-ids, ...
    message: str


class Unconvertible(Exception):
    """The record cannot be written in the other layout; the message says why (it goes to rejects)."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer


@dataclass
class Converted:
    """A record in another layout: its format's name, the record, and what was lost on the way."""

    format: str
    record: dict[str, Any]
    losses: list[Loss] = field(default_factory=list)


def canonical_json(value: Any) -> str:
    """JSON as ``ftlint convert`` writes values it had to serialize (tool arguments, results)."""
    return json.dumps(value, ensure_ascii=False)


def parse_object(text: Any) -> dict[str, Any] | None:
    """``text`` parsed as a JSON object, or None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def call_ids(count: int) -> list[str]:
    """The ids ``ftlint convert`` gives tool calls when the source layout has none: call_1, call_2..."""
    return [f"call_{index}" for index in range(1, count + 1)]


def texts_of(content: Any, pointer: str) -> list[tuple[str, str]]:
    """(pointer, text) of an OpenAI-style content value: a string, or a list of text parts."""
    if isinstance(content, str):
        return [(pointer, content)]
    if isinstance(content, list):
        return [(f"{pointer}/{index}/text", part["text"]) for index, part in enumerate(content)
                if isinstance(part, dict) and isinstance(part.get("text"), str)]
    return []


def ids_reproducible(messages: list[dict[str, Any]], by_name: bool) -> bool:
    """Would converting back number the tool calls as they are now? The way back gives calls call_1,
    call_2... in order, and each tool result the earliest open call (of its function, ``by_name``;
    else in order). When it would, dropping the ids loses nothing."""
    expected = iter(call_ids(sum(len(m.get("tool_calls") or ()) for m in messages)))
    open_calls: list[tuple[str, str]] = []
    for message in messages:
        for call in message.get("tool_calls") or ():
            if call.get("id") != next(expected):
                return False
            open_calls.append((call["function"]["name"], call["id"]))
        if message.get("role") == "tool":
            name = next((n for n, i in open_calls if i == message.get("tool_call_id")), None)
            match = next((c for c in open_calls if not by_name or c[0] == name), None)
            if match is None or match[1] != message.get("tool_call_id"):
                return False
            open_calls.remove(match)
    return True


def merge_turns(messages: list[dict[str, Any]], pointer: str, losses: list[Loss],
                side: Any) -> list[dict[str, Any]]:
    """Consecutive text messages on the same side of the conversation (``side(message)``) joined into
    one, separated by a blank line, for layouts that need strict alternation. Each join is a loss."""
    merged: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        previous = merged[-1] if merged else None
        if (previous is not None and side(previous) == side(message) and isinstance(previous.get("content"), str)
                and isinstance(message.get("content"), str) and not previous.get("tool_calls")
                and not message.get("tool_calls") and previous.get("role") == message.get("role")):
            merged[-1] = {**previous, "content": previous["content"] + "\n\n" + message["content"]}
            losses.append(Loss(f"{pointer}/{index}", "merged-turns",
                               f"message {index + 1} ({message['role']}) was joined to the one before it"))
            continue
        merged.append(message)
    return merged

"""A structural check of OpenAI's record formats that says "valid" only where the pydantic models of
ftlint.formats.models find no problem, in plain Python.

pydantic's validation of every record cost ~30 us a record (the schema layer's largest share on clean
data). Most records are valid, and saying so takes a few dictionary lookups. When this check says
anything but "valid", ftlint.schema asks pydantic, which names the exact problems: the check never
has to explain anything, only to be no more lenient than the models (tests/test_schema_fast.py holds
the two to agreeing on hypothesis-generated records, the fixtures and the corpus).

Each checker mirrors one model of ftlint.formats.models, field by field, in the models' strict mode:
exact JSON types (a bool is no integer, 1.0 no weight), unknown keys forbidden, an optional field may
be null. Anything unexpected (a type JSON does not produce, a key that is no valid Unicode) is "not
valid" here and left to pydantic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ftlint.formats.models import PART_TYPES

Check = Callable[[Any], bool]


def _string(value: Any) -> bool:
    return type(value) is str


def _boolean(value: Any) -> bool:
    return type(value) is bool


def _any_object(value: Any) -> bool:
    """``dict[str, Any]``: any JSON object (its values are not looked at)."""
    return type(value) is dict and all(type(key) is str for key in value)


def _optional(check: Check) -> Check:
    return lambda value: value is None or check(value)


def _literal(*allowed: str) -> Check:
    return lambda value: type(value) is str and value in allowed


def _list_of(item: Check, least: int = 0, most: int | None = None) -> Check:
    def check(value: Any) -> bool:
        return (type(value) is list and least <= len(value) and (most is None or len(value) <= most)
                and all(item(element) for element in value))

    return check


def _object(required: dict[str, Check], optional: dict[str, Check] | None = None) -> Check:
    """A model with ``extra="forbid"``: the required keys, and only known keys, each of them valid."""
    known = {**required, **{key: _optional(check) for key, check in (optional or {}).items()}}
    needed = frozenset(required)

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for key, item in value.items():
            field = known.get(key)
            if field is None or not field(item):
                return False
        return needed <= value.keys()

    return check


# --- content ----------------------------------------------------------------

_PARTS: dict[str, Check] = {
    "text": _object({"type": _string, "text": _string}),
    "image_url": _object({"type": _string, "image_url": _object({"url": _string},
                                                                   {"detail": _literal("auto", "low", "high")})}),
    "input_audio": _object({"type": _string, "input_audio": _any_object}),
    "file": _object({"type": _string, "file": _any_object}),
    "refusal": _object({"type": _string, "refusal": _string}),
}
assert set(_PARTS) == set(PART_TYPES), "a checker for every part type of the models"


def _part(value: Any) -> bool:
    kind = value.get("type") if type(value) is dict else None
    check = _PARTS.get(kind) if type(kind) is str else None
    return check is not None and check(value)


_content_list = _list_of(_part, least=1)


def _content(value: Any) -> bool:
    return type(value) is str or _content_list(value)


# --- messages ---------------------------------------------------------------

def _weight(value: Any) -> bool:
    return type(value) is int and 0 <= value <= 1


_function_call = _object({"name": _string, "arguments": lambda value: type(value) is str or _any_object(value)})
_tool_call = _object({"id": _string, "type": _literal("function"), "function": _function_call})
_assistant_fields = _object({"role": _literal("assistant")}, {
    "content": _content, "refusal": _string, "name": _string, "audio": _any_object,
    "tool_calls": _list_of(_tool_call, least=1), "function_call": _function_call, "weight": _weight})


def _assistant(value: Any) -> bool:
    # AssistantMessage._has_output: something to train on
    return _assistant_fields(value) and (
        value.get("content") is not None or bool(value.get("tool_calls"))
        or value.get("function_call") is not None or value.get("refusal") is not None)


_MESSAGES: dict[str, Check] = {
    "system": _object({"role": _literal("system"), "content": _content}, {"name": _string}),
    "developer": _object({"role": _literal("developer"), "content": _content}, {"name": _string}),
    "user": _object({"role": _literal("user"), "content": _content}, {"name": _string}),
    "assistant": _assistant,  # also what a preference record's outputs are, without the role union
    "tool": _object({"role": _literal("tool"), "content": _content, "tool_call_id": _string}),
    "function": _object({"role": _literal("function"), "content": _optional(_string), "name": _string}),
}


# Roles whose message may be just a role and a string content (the tool's also needs its call id).
_PLAIN = frozenset({"system", "developer", "user", "assistant"})


def _message(value: Any) -> bool:
    if type(value) is not dict:
        return False
    role = value.get("role")
    # Most messages are {"role", "content"} with a string: two keys, both of them these.
    if len(value) == 2 and type(role) is str and role in _PLAIN and type(value.get("content")) is str:
        return True
    check = _MESSAGES.get(role) if type(role) is str else None
    return check is not None and check(value)


def _messages(value: Any) -> bool:
    return type(value) is list and len(value) > 0 and all(map(_message, value))
_function_definition = _object({"name": _string}, {"description": _string, "parameters": _any_object,
                                                   "strict": _boolean})
_tools = _list_of(_object({"type": _literal("function"), "function": _function_definition}))


# --- records ----------------------------------------------------------------

def _valid_key(key: Any) -> bool:
    """A key pydantic can read as a string (an extra key of a reinforcement record): no lone surrogate."""
    if type(key) is not str:
        return False
    if key.isascii():
        return True
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_reinforcement_fields = {"messages": _messages, "tools": _optional(_tools)}


def _reinforcement(value: Any) -> bool:
    """``extra="allow"``: any other key is grader data, whatever its value."""
    if type(value) is not dict or "messages" not in value:
        return False
    for key, item in value.items():
        field = _reinforcement_fields.get(key)
        if not (field(item) if field is not None else _valid_key(key)):
            return False
    return True


_output = _list_of(_assistant, least=1, most=1)

VALID: dict[str, Check] = {
    "chat": _object({"messages": _messages}, {
        "tools": _tools, "parallel_tool_calls": _boolean,
        "functions": _list_of(_function_definition, least=1, most=128)}),
    "preference": _object({
        "input": _object({"messages": _messages}, {"tools": _tools, "parallel_tool_calls": _boolean}),
        "preferred_output": _output, "non_preferred_output": _output}),
    "reinforcement": _reinforcement,
    "completion": _object({"prompt": _string, "completion": _string}),
}


def valid(value: Any, format_name: str) -> bool:
    """True only if the format's pydantic model accepts ``value``; False: ask the model."""
    check = VALID.get(format_name)
    return check is not None and check(value)

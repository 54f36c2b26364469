"""Schema validation: pydantic errors turned into problems a person understands.

Each problem has a kind (which FT1xx rule reports it), a JSON pointer and a
message such as "message 3 (assistant) has `weight: 2`; weight must be 0 or 1"
rather than a raw pydantic dump.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ftlint.formats import FORMATS, LIST_NOUNS, TURN_NOUNS, message_label, models, structure
from ftlint.records import escape_pointer, json_type


class Issue(str, enum.Enum):
    MISSING_KEY = "missing-key"
    UNKNOWN_KEY = "unknown-key"
    WRONG_TYPE = "wrong-type"
    EMPTY_LIST = "empty-list"
    TOO_MANY_ITEMS = "too-many-items"
    INVALID_ROLE = "invalid-role"
    INVALID_WEIGHT = "invalid-weight"
    FRACTIONAL_WEIGHT = "fractional-weight"
    INVALID_VALUE = "invalid-value"
    MISSING_CONTENT = "missing-content"


# Problems that leave a record readable: it is still counted and seen by the dataset rules.
HARMLESS_ISSUES = frozenset({Issue.UNKNOWN_KEY, Issue.INVALID_WEIGHT, Issue.FRACTIONAL_WEIGHT, Issue.TOO_MANY_ITEMS,
                             Issue.INVALID_VALUE})


@dataclass(frozen=True)
class SchemaProblem:
    kind: Issue
    pointer: str
    message: str


def validate(value: dict[str, Any], format_name: str) -> list[SchemaProblem]:
    """Validate one record against its format's model; an empty list means valid.

    The plain structural check answers for most records (ftlint.formats.structure); pydantic judges
    the rest and names their problems."""
    if structure.valid(value, format_name):
        return []
    model = FORMATS[format_name].model
    try:
        model.model_validate(value)
    except ValidationError as exc:
        return [_translate(error, value, model) for error in exc.errors(include_url=False)]
    return []


_UNION_TAG = re.compile(r"^(role|part|content)=")
_ROLE_MODELS: dict[str, type[BaseModel]] = {
    "system": models.SystemMessage,
    "developer": models.DeveloperMessage,
    "user": models.UserMessage,
    "assistant": models.AssistantMessage,
    "tool": models.ToolMessage,
    "function": models.FunctionMessage,
}
_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "true or false",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "none_required": "null",
}
_MESSAGE_LISTS = tuple(LIST_NOUNS)
_LAYOUT_ISSUES = {"layout_missing": Issue.MISSING_KEY, "layout_value": Issue.INVALID_VALUE,
                  "layout_type": Issue.WRONG_TYPE, "layout_role": Issue.INVALID_ROLE}


def _translate(error: Any, record: dict[str, Any], model: type[BaseModel]) -> SchemaProblem:
    loc = [seg for seg in error["loc"] if not (isinstance(seg, str) and _UNION_TAG.match(seg))]
    pointer = "".join(f"/{escape_pointer(str(seg))}" for seg in loc)
    kind: str = error["type"]
    value = error.get("input")
    key = str(loc[-1]) if loc else ""
    where = _where(loc, record)

    if kind in _LAYOUT_ISSUES:  # raised by a layout's own model (ftlint.formats.common.layout_error)
        return SchemaProblem(_LAYOUT_ISSUES[kind], pointer, f"{where} {error['msg']}")
    if kind == "literal_error" and key in ("role", "from"):
        expected = (error.get("ctx") or {}).get("expected", "")
        return SchemaProblem(Issue.INVALID_ROLE, pointer, f"{where} is {json.dumps(value)}; expected {expected}")
    if kind == "missing":
        parent = _where(loc[:-1], record)
        message = f"{parent} is missing required key `{key}`{_hint_missing(loc)}"
        return SchemaProblem(Issue.MISSING_KEY, pointer, message)
    if kind == "extra_forbidden":
        return SchemaProblem(Issue.UNKNOWN_KEY, pointer, _unknown_key(loc, record, model))
    if key == "weight" and kind in ("int_type", "greater_than_equal", "less_than_equal"):
        return _weight_problem(pointer, value, _where(loc[:-1], record))
    if kind == "invalid_role":
        return _role_problem(loc, pointer, value, where)
    if kind == "invalid_part":
        return _part_problem(pointer, value, where, _role_at(loc, record))
    if kind == "content_type":
        return SchemaProblem(
            Issue.WRONG_TYPE, pointer,
            f"{where} must be a string or a list of content parts, got {json_type(value)}",
        )
    if kind == "missing_content":
        return SchemaProblem(
            Issue.MISSING_CONTENT, pointer,
            f"{where} has no `content`, `tool_calls` or `function_call`; give it the answer to train on",
        )
    if kind == "too_short":
        return SchemaProblem(Issue.EMPTY_LIST, pointer, f"{where} is an empty list; it needs at least one item")
    if kind == "too_long":
        limit = (error.get("ctx") or {}).get("max_length")
        return SchemaProblem(
            Issue.TOO_MANY_ITEMS, pointer, f"{where} has {len(value)} items; at most {limit} allowed"
        )
    if kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        return SchemaProblem(
            Issue.INVALID_VALUE, pointer, f"{where} is {json.dumps(value)}; expected {expected}"
        )
    if kind in _EXPECTED:
        return SchemaProblem(
            Issue.WRONG_TYPE, pointer, f"{where} must be {_EXPECTED[kind]}, got {json_type(value)}"
        )
    return SchemaProblem(Issue.WRONG_TYPE, pointer, f"{where}: {error['msg']}")


def _weight_problem(pointer: str, value: Any, where: str) -> SchemaProblem:
    shown = json.dumps(value)
    if isinstance(value, float) and value in (0.0, 1.0):
        return SchemaProblem(Issue.FRACTIONAL_WEIGHT, pointer,
                             f"{where} has `weight: {shown}`; write the integer {int(value)}")
    return SchemaProblem(Issue.INVALID_WEIGHT, pointer, f"{where} has `weight: {shown}`; weight must be 0 or 1")


def _part_problem(pointer: str, value: Any, where: str, role: str | None) -> SchemaProblem:
    if not isinstance(value, dict):
        return SchemaProblem(Issue.WRONG_TYPE, pointer, f"{where} must be an object, got {json_type(value)}")
    if "type" not in value:
        return SchemaProblem(Issue.MISSING_KEY, pointer + "/type", f"{where} is missing required key `type`")
    allowed = " or ".join(models.TRAINABLE_PARTS.get(role or "", ("text",)))
    article = "this" if role is None else ("an " if role == "assistant" else "a ") + role
    return SchemaProblem(Issue.INVALID_VALUE, pointer + "/type",
                         f"{where} has type `{value['type']}`; {article} message takes {allowed} parts")


def _role_problem(loc: list[Any], pointer: str, value: Any, where: str) -> SchemaProblem:
    if not isinstance(value, dict):
        return SchemaProblem(Issue.WRONG_TYPE, pointer, f"{where} must be an object, got {json_type(value)}")
    if "role" not in value:
        return SchemaProblem(Issue.MISSING_KEY, pointer + "/role", f"{where} has no `role`")
    role = value["role"]
    known = "system, user, assistant, tool"
    if isinstance(role, str) and role.strip().lower() in _ROLE_MODELS:
        return SchemaProblem(
            Issue.INVALID_ROLE, pointer + "/role",
            f"{where} has role {json.dumps(role)}; roles are lower-case: use \"{role.strip().lower()}\"",
        )
    return SchemaProblem(
        Issue.INVALID_ROLE, pointer + "/role",
        f"{where} has role {json.dumps(role)}; expected one of {known}",
    )


def _unknown_key(loc: list[Any], record: dict[str, Any], model: type[BaseModel]) -> str:
    key = str(loc[-1])
    parent = loc[:-1]
    where = _where(parent, record)
    if not parent:
        if key == "weight":
            return "the example has unknown top-level key `weight`; put `weight` on assistant messages"
        if key in ("preferred_completion", "non_preferred_completion"):
            renamed = key.replace("completion", "output")
            return f"the example has unknown key `{key}`; the documented name is `{renamed}`"
        return f"the example has unknown key `{key}`; allowed: {', '.join(model.model_fields)}"
    target = _resolve(record, parent)
    role = target.get("role") if isinstance(target, dict) else None
    # OpenAI's message shapes explain the keys a role takes; other layouts' messages (Nova's) have their own.
    openai = model.__module__ == models.__name__
    if openai and _is_message(parent) and isinstance(role, str) and role in _ROLE_MODELS:
        allowed = ", ".join(_ROLE_MODELS[role].model_fields)
        if key == "weight":
            return f"{where} has `weight`; only assistant messages take a weight"
        return f"{where} has unknown key `{key}`; a {role} message takes: {allowed}"
    return f"{where} has unknown key `{key}`"


def _hint_missing(loc: list[Any]) -> str:
    if loc == ["messages"]:
        return "; a chat example is {\"messages\": [...]}"
    if loc and loc[-1] == "tool_call_id":
        return "; it names the assistant tool call this message answers"
    return ""


def _is_message(loc: list[Any]) -> bool:
    return (
        len(loc) >= 2
        and isinstance(loc[-1], int)
        and (loc[-2] in _MESSAGE_LISTS)
    )


def _where(loc: list[Any], record: dict[str, Any]) -> str:
    """Name a location the way a person would: "message 3 (assistant) `content`"."""
    if not loc:
        return "the example"
    words: list[str] = []
    index = 0
    while index < len(loc):
        segment = loc[index]
        following = loc[index + 1] if index + 1 < len(loc) else None
        if (segment in LIST_NOUNS or segment in TURN_NOUNS) and isinstance(following, int) and (
                index == 0 or loc[index - 1] == "input"):
            target = _resolve(record, loc[: index + 2])
            role = target.get("role", target.get("from")) if isinstance(target, dict) else None
            words = [w for w in words if w != "`input`"]
            pointer = "/" + "/".join(str(part) for part in loc[: index + 2])
            words.append(message_label(pointer, role if isinstance(role, str) else None))
            index += 2
            continue
        if isinstance(segment, int):
            words.append(f"item {segment + 1}")
        else:
            words.append(f"`{segment}`")
        index += 1
    return " ".join(words)


def _role_at(loc: list[Any], record: dict[str, Any]) -> str | None:
    """The role of the message that ``loc`` points into, if any."""
    for index, segment in enumerate(loc[:-1]):
        if segment in _MESSAGE_LISTS and isinstance(loc[index + 1], int):
            message = _resolve(record, loc[: index + 2])
            role = message.get("role") if isinstance(message, dict) else None
            return role if isinstance(role, str) else None
    return None


def _resolve(record: Any, loc: list[Any]) -> Any:
    node = record
    for segment in loc:
        if isinstance(node, dict) and isinstance(segment, str):
            node = node.get(segment)
        elif isinstance(node, list) and isinstance(segment, int) and segment < len(node):
            node = node[segment]
        else:
            return None
    return node



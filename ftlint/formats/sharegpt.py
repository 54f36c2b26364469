"""ShareGPT: `conversations` of `{from, value}` turns, as LLaMA-Factory reads it.

Source: hiyouga/LLaMA-Factory data/README.md and src/llamafactory/data/converter.py
(SharegptDatasetConverter). `from` is human, gpt, system, observation (a tool result) or
function_call (the assistant calling a tool; its value is JSON `{"name", "arguments"}`, or a list of
them). A leading `system` turn is the system prompt; after it human/observation turns sit at odd
positions and gpt/function_call at even ones, and the count is even: anything else is skipped by
LLaMA-Factory ("Invalid role tag", "Invalid message count"). `tools` is a JSON string of function
definitions.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field

from ftlint.formats import Example, Format, LayoutExample, Turn, register, system_turn
from ftlint.formats.common import (
    Converted,
    Loss,
    Strict,
    Unconvertible,
    call_ids,
    canonical_json,
    ids_reproducible,
    merge_turns,
    parse_object,
)

FROM = ("human", "gpt", "system", "observation", "function_call")
ROLE_OF = {"human": "user", "gpt": "assistant", "system": "system", "observation": "tool", "function_call": "assistant"}
PROMPT_SIDE = ("human", "observation")  # odd positions (1-based), after a leading system turn
ANSWER_SIDE = ("gpt", "function_call")  # even positions


class ShareGPTTurn(Strict):
    from_: Literal["human", "gpt", "system", "observation", "function_call"] = Field(alias="from")
    value: str


class ShareGPTRecord(Strict):
    conversations: Annotated[list[ShareGPTTurn], Field(min_length=1)]
    system: str | None = None
    tools: str | None = None  # a JSON string, as LLaMA-Factory reads it
    images: list[str] | None = None
    videos: list[str] | None = None
    audios: list[str] | None = None


def turns(value: dict[str, Any]) -> list[Turn]:
    conversations = value.get("conversations")
    found = []
    for index, item in enumerate(conversations if isinstance(conversations, list) else []):
        data = item if isinstance(item, dict) else {}
        native = data.get("from") if isinstance(data.get("from"), str) else None
        text = data.get("value")
        pointer = f"/conversations/{index}"
        texts = [(f"{pointer}/value", text)] if isinstance(text, str) and native != "function_call" else []
        calls = function_calls(text) if native == "function_call" and isinstance(text, str) else None
        found.append(Turn(index, pointer, item, ROLE_OF.get(native or ""), native, texts,
                          calls=[{"type": "function", "function": call} for call in calls or ()]))
    return found


def _view(value: dict[str, Any]) -> Example:
    system = value.get("system")
    if not isinstance(system, str):
        return LayoutExample("sharegpt", value, turns(value), turn_keys=("conversations",))
    prompt = system_turn("/system", system, [("/system", system)], "system prompt")
    return LayoutExample("sharegpt", value, [prompt, *turns(value)], turn_keys=("conversations", "system"))


def misplaced(value: dict[str, Any]) -> tuple[list[Turn], bool]:
    """The turns LLaMA-Factory finds out of place, and whether the conversation ends on a prompt turn
    (an odd count of turns after the system turn)."""
    found = turns(value)
    if found and found[0].native == "system":
        found = found[1:]
    wrong = [turn for position, turn in enumerate(found)
             if turn.native not in (PROMPT_SIDE if position % 2 == 0 else ANSWER_SIDE)]
    return wrong, len(found) % 2 == 1


def function_calls(text: str) -> list[dict[str, Any]] | None:
    """A function_call turn's calls: JSON `{"name", "arguments"}` or a list of them; None if not."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    calls = value if isinstance(value, list) else [value]
    if not calls or not all(isinstance(c, dict) and isinstance(c.get("name"), str) and "arguments" in c
                            for c in calls):
        return None
    return calls


def tool_definitions(text: str) -> list[dict[str, Any]] | None:
    """The `tools` string's function definitions, or None when it is not a JSON list of objects."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, dict):
        value = [value]
    return value if isinstance(value, list) and all(isinstance(t, dict) for t in value) else None


# --- to OpenAI ----------------------------------------------------------------------------------------


def to_openai(value: dict[str, Any]) -> Converted:
    losses: list[Loss] = []
    for key in ("images", "videos", "audios"):
        if value.get(key):
            raise Unconvertible(f"`{key}` are file paths with placeholders in the text; OpenAI wants image parts "
                                "with URLs", f"/{key}")
    messages: list[dict[str, Any]] = []
    if isinstance(value.get("system"), str):
        messages.append({"role": "system", "content": value["system"]})
    open_calls: list[str] = []
    numbered = 0
    for index, turn in enumerate(value["conversations"]):
        kind, text = turn["from"], turn["value"]
        if kind == "function_call":
            calls = function_calls(text)
            if calls is None:
                raise Unconvertible("function_call value is not JSON {\"name\", \"arguments\"}",
                                    f"/conversations/{index}/value")
            ids = call_ids(numbered + len(calls))[numbered:]
            numbered += len(calls)
            open_calls += ids
            messages.append({"role": "assistant", "tool_calls": [
                {"id": call_id, "type": "function", "function": {
                    "name": call["name"], "arguments": call["arguments"] if isinstance(call["arguments"], str)
                    else canonical_json(call["arguments"])}} for call_id, call in zip(ids, calls, strict=True)]})
        elif kind == "observation":
            if not open_calls:
                raise Unconvertible("observation answers no function_call", f"/conversations/{index}")
            messages.append({"role": "tool", "tool_call_id": open_calls.pop(0), "content": text})
        else:
            messages.append({"role": ROLE_OF[kind], "content": text})
    record: dict[str, Any] = {"messages": messages}
    if isinstance(value.get("tools"), str):
        definitions = tool_definitions(value["tools"])
        if definitions is None:
            raise Unconvertible("`tools` is not a JSON list of function definitions", "/tools")
        record["tools"] = [{"type": "function", "function": d} for d in definitions]
    return Converted("chat", record, losses)


# --- from OpenAI (`ftlint convert --to sharegpt`) -------------------------------------------------


def from_openai(record: dict[str, Any]) -> Converted:
    """OpenAI chat as ShareGPT. Tool calls become function_call turns (several calls in one turn as a
    JSON list), tool results observation turns (answering the calls in order); consecutive user or
    assistant texts are joined, since LLaMA-Factory wants the two sides to alternate."""
    losses: list[Loss] = []
    messages = record["messages"]
    out: dict[str, Any] = {}
    if messages and messages[0]["role"] == "system":
        out["system"] = _text(messages[0].get("content"), "/messages/0", losses)
        _note_dropped(messages[0], "/messages/0", losses)
    first = 1 if "system" in out else 0
    if not ids_reproducible(messages, by_name=False):
        losses.append(Loss("/messages", "dropped-ids", "ShareGPT has no tool call ids; converting back numbers "
                                                       "the calls call_1, call_2... and answers them in order"))
    body = merge_turns(messages[first:], "/messages", losses, side=lambda m: m["role"])
    conversations = [_turn(message, f"/messages/{first + index}", losses) for index, message in enumerate(body)]
    out = {"conversations": conversations, **out}
    if record.get("tools"):
        out["tools"] = canonical_json([t["function"] for t in record["tools"]])
    wrong, ends_on_prompt = misplaced(out)
    if wrong or ends_on_prompt:
        raise Unconvertible("the conversation does not alternate prompt and answer turns ending on an answer, as "
                            "LLaMA-Factory needs (it would skip the example)")
    return Converted("sharegpt", out, losses)


def _turn(message: dict[str, Any], pointer: str, losses: list[Loss]) -> dict[str, Any]:
    _note_dropped(message, pointer, losses)
    role = message["role"]
    if role == "assistant" and message.get("tool_calls"):
        if message.get("content"):
            raise Unconvertible("an assistant message with both text and tool calls has no ShareGPT turn", pointer)
        calls = []
        for call in message["tool_calls"]:
            arguments = call["function"]["arguments"]
            parsed = parse_object(arguments)
            calls.append({"name": call["function"]["name"], "arguments": parsed if parsed is not None else arguments})
        return {"from": "function_call", "value": canonical_json(calls[0] if len(calls) == 1 else calls)}
    kind = {"user": "human", "assistant": "gpt", "tool": "observation"}.get(role)
    if kind is None:
        raise Unconvertible(f"a `{role}` message after the first has no ShareGPT turn", pointer)
    return {"from": kind, "value": _text(message.get("content"), pointer, losses)}


def _note_dropped(message: dict[str, Any], pointer: str, losses: list[Loss]) -> None:
    for key in ("weight", "name"):
        if key in message:
            kind = "dropped-weight" if key == "weight" else "dropped-key"
            losses.append(Loss(f"{pointer}/{key}", kind, f"ShareGPT turns have no `{key}`"))


def _text(content: Any, pointer: str, losses: list[Loss]) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in content):
        if len(content) > 1:
            losses.append(Loss(f"{pointer}/content", "merged-parts", "text parts were joined into one value"))
        return "".join(p["text"] for p in content)
    raise Unconvertible("content that is not text (images, audio) has no ShareGPT value", f"{pointer}/content")


register(Format("sharegpt", "supervised", "sharegpt", "ftlint.formats.sharegpt:ShareGPTRecord",
                "ShareGPT conversations (from/value)",
                layout="ShareGPT", keys="`conversations` of `from`/`value` turns", build=_view, as_openai=to_openai),
         lambda v: "conversations" in v)

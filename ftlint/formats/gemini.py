"""Vertex AI Gemini tuning: `contents` of `{role: user|model, parts}`, and its preference layout.

Sources (../shared/spec/providers.md section 6): the supervised tuning "prepare data" page
(cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning-prepare) and the
preference tuning one (.../gemini-preference-tuning-prepare). A part holds exactly one of `text`,
`fileData {mimeType, fileUri}` (a gs:// URI), `functionCall {name, args}` (args an object) or
`functionResponse {name, response}` (an object). The system prompt is `systemInstruction`
(`system_instruction` in the preference page's example; protobuf JSON reads both spellings).
Preference records: `contents` (text, ending on a user turn) and `completions`, two
`{score: 0|1, completion: {role: model, parts}}`.
"""

from __future__ import annotations

from typing import Any

from ftlint.formats import Example, Format, LayoutExample, Turn, register, system_turn
from ftlint.formats.common import (
    Converted,
    Loss,
    Unconvertible,
    call_ids,
    canonical_json,
    ids_reproducible,
    parse_object,
)

PART_KINDS = ("text", "fileData", "functionCall", "functionResponse")
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
               ".gif": "image/gif"}


# --- views ------------------------------------------------------------------------------------------


def system_of(value: dict[str, Any]) -> tuple[str, Any]:
    """The system instruction and the key it is under (either spelling)."""
    for key in ("systemInstruction", "system_instruction"):
        if key in value:
            return key, value[key]
    return "", None


def parts_of(content: Any) -> list[dict[str, Any]]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return [part if isinstance(part, dict) else {} for part in parts] if isinstance(parts, list) else []


def turn(index: int, pointer: str, content: Any) -> Turn:
    parts = parts_of(content)
    native = content.get("role") if isinstance(content, dict) and isinstance(content.get("role"), str) else None
    role = {"model": "assistant", "user": "user"}.get(native or "")
    if role == "user" and parts and all("functionResponse" in part for part in parts):
        role = "tool"  # a turn of function results plays the tool's part
    texts = [(f"{pointer}/parts/{n}/text", part["text"]) for n, part in enumerate(parts)
             if isinstance(part.get("text"), str)]
    calls = [{"type": "function", "function": part["functionCall"]} for part in parts
             if isinstance(part.get("functionCall"), dict)]
    return Turn(index, pointer, content, role, native, texts, calls=calls)


def _contents(value: dict[str, Any]) -> tuple[list[Turn], tuple[str, ...]]:
    """The system instruction (when there is one) and the contents as turns, and their keys."""
    contents = value.get("contents")
    found = [turn(i, f"/contents/{i}", c) for i, c in enumerate(contents)] if isinstance(contents, list) else []
    key, system = system_of(value)
    if system is None:
        return found, ("contents",)
    texts = [(f"/{key}/parts/{n}/text", part["text"]) for n, part in enumerate(parts_of(system))
             if isinstance(part.get("text"), str)]
    return [system_turn(f"/{key}", system, texts, "system instruction"), *found], ("contents", key)


def _view(value: dict[str, Any]) -> Example:
    found, keys = _contents(value)
    return LayoutExample("gemini", value, found, turn_keys=keys)


def _preference_view(value: dict[str, Any]) -> Example:
    completions = value.get("completions")
    outputs = [turn(i, f"/completions/{i}/completion", c.get("completion") if isinstance(c, dict) else None)
               for i, c in enumerate(completions if isinstance(completions, list) else [])]
    found, keys = _contents(value)  # the scores stay in the rest of the record: they are no turn's
    return LayoutExample("gemini-preference", value, found, outputs, turn_keys=keys)


# --- to OpenAI ----------------------------------------------------------------------------------------


def _openai_content(parts: list[dict[str, Any]], pointer: str) -> Any:
    """Text parts as an OpenAI content: one string, or a list of text parts."""
    out = []
    for index, part in enumerate(parts):
        if "text" not in part:
            kind = next(iter(part), "?")
            raise Unconvertible(f"a `{kind}` part has no OpenAI equivalent here (OpenAI cannot fetch gs:// files)",
                                f"{pointer}/parts/{index}")
        out.append({"type": "text", "text": part["text"]})
    return out[0]["text"] if len(out) == 1 else out


def tool_result(response: dict[str, Any]) -> str:
    """A functionResponse's `response` as an OpenAI tool message's content (the inverse of `_response`)."""
    if set(response) == {"content"} and isinstance(response["content"], str):
        return response["content"]
    return canonical_json(response)


def _response(content: Any, pointer: str) -> dict[str, Any]:
    """An OpenAI tool result as a functionResponse `response` object: a JSON object as it is, anything
    else wrapped as `{"content": ...}` (so that `tool_result` gives back exactly the same text)."""
    if not isinstance(content, str):
        raise Unconvertible("a tool result that is not a string has no functionResponse", pointer)
    parsed = parse_object(content)
    if parsed is not None and canonical_json(parsed) == content and tool_result(parsed) == content:
        return parsed
    return {"content": content}


def contents_to_openai(contents: list[dict[str, Any]], pointer: str, numbered: list[str],
                       open_calls: list[tuple[str, str]]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for index, content in enumerate(contents):
        here = f"{pointer}/{index}"
        parts = content["parts"]
        if content["role"] == "model":
            message: dict[str, Any] = {"role": "assistant"}
            texts = [p for p in parts if "functionCall" not in p]
            if texts:
                message["content"] = _openai_content(texts, here)
            calls = [p["functionCall"] for p in parts if "functionCall" in p]
            if calls:
                ids = call_ids(len(numbered) + len(calls))[len(numbered):]
                numbered += ids
                open_calls += [(call["name"], call_id) for call, call_id in zip(calls, ids, strict=True)]
                message["tool_calls"] = [{"id": call_id, "type": "function", "function": {
                    "name": call["name"], "arguments": canonical_json(call.get("args") or {})}}
                    for call, call_id in zip(calls, ids, strict=True)]
            messages.append(message)
            continue
        pending: list[dict[str, Any]] = []
        for n, part in enumerate(parts):
            if "functionResponse" not in part:
                pending.append(part)
                continue
            if pending:
                messages.append({"role": "user", "content": _openai_content(pending, here)})
                pending = []
            answer = part["functionResponse"]
            match = next((c for c in open_calls if c[0] == answer["name"]), None)
            if match is None:
                raise Unconvertible(f"functionResponse `{answer['name']}` answers no earlier functionCall",
                                    f"{here}/parts/{n}")
            open_calls.remove(match)
            messages.append({"role": "tool", "tool_call_id": match[1], "content": tool_result(answer["response"])})
        if pending:
            messages.append({"role": "user", "content": _openai_content(pending, here)})
    return messages


def _system_message(value: dict[str, Any]) -> list[dict[str, Any]]:
    key, system = system_of(value)
    if system is None:
        return []
    return [{"role": "system", "content": _openai_content(system["parts"], f"/{key}")}]


def _openai_tools(value: dict[str, Any]) -> dict[str, Any]:
    declarations = [d for tool in value.get("tools") or () for d in tool["functionDeclarations"]]
    return {"tools": [{"type": "function", "function": d} for d in declarations]} if declarations else {}


def to_openai(value: dict[str, Any]) -> Converted:
    messages = _system_message(value) + contents_to_openai(value["contents"], "/contents", [], [])
    return Converted("chat", {"messages": messages, **_openai_tools(value)})


def preference_to_openai(value: dict[str, Any]) -> Converted:
    numbered: list[str] = []
    messages = _system_message(value) + contents_to_openai(value["contents"], "/contents", numbered, [])
    ranked = sorted(value["completions"], key=lambda c: -c["score"])
    outputs = [contents_to_openai([c["completion"]], "/completions", list(numbered), []) for c in ranked]
    return Converted("preference", {"input": {"messages": messages}, "preferred_output": outputs[0],
                                    "non_preferred_output": outputs[1]})


# --- from OpenAI (`ftlint convert --to gemini`) -------------------------------------------------------


def _parts(content: Any, pointer: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"text": content}]
    parts = []
    for index, part in enumerate(content or ()):
        kind = part.get("type")
        if kind == "text":
            parts.append({"text": part["text"]})
        elif kind == "image_url":
            parts.append(_file(part["image_url"]["url"], f"{pointer}/{index}/image_url/url"))
        else:
            raise Unconvertible(f"a `{kind}` part has no Gemini tuning equivalent", f"{pointer}/{index}")
    return parts


def _file(url: str, pointer: str) -> dict[str, Any]:
    suffix = "." + url.rsplit(".", 1)[-1].lower() if "." in url.rsplit("/", 1)[-1] else ""
    if not url.startswith("gs://") or suffix not in IMAGE_TYPES:
        shown = "a data: URL" if url.startswith("data:") else f"`{url[:60]}`"
        raise Unconvertible(f"image is {shown}; Vertex tuning reads images from Cloud Storage (gs://...png/jpg/"
                            "webp): upload it and use that URI", pointer)
    return {"fileData": {"mimeType": IMAGE_TYPES[suffix], "fileUri": url}}


def _calls(message: dict[str, Any], pointer: str) -> list[dict[str, Any]]:
    parts = []
    for index, call in enumerate(message.get("tool_calls") or ()):
        function = call["function"]
        args = parse_object(function["arguments"])
        if args is None:
            raise Unconvertible("tool call `arguments` is not a JSON object (Gemini's `args` is one)",
                                f"{pointer}/tool_calls/{index}/function/arguments")
        parts.append({"functionCall": {"name": function["name"], "args": args}})
    return parts


def messages_to_contents(messages: list[dict[str, Any]], pointer: str, losses: list[Loss],
                         names: dict[str, str]) -> list[dict[str, Any]]:
    """OpenAI messages (after the system prompt) as Gemini contents; ``names`` maps tool call ids to
    their functions, for the results."""
    contents: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        here = f"{pointer}/{index}"
        for key in ("weight", "name", "refusal"):
            if key in message:
                if key == "refusal":
                    raise Unconvertible("Gemini has no refusal part", f"{here}/refusal")
                losses.append(Loss(f"{here}/{key}", "dropped-weight" if key == "weight" else "dropped-key",
                                   f"Gemini contents have no `{key}`"))
        role = message["role"]
        if role == "assistant":
            names.update({c["id"]: c["function"]["name"] for c in message.get("tool_calls") or ()})
            content = message.get("content")
            parts = _parts(content, f"{here}/content") if content is not None and (content or not message.get(
                "tool_calls")) else []  # an empty answer is a text part; beside tool calls it is nothing
            contents.append({"role": "model", "parts": parts + _calls(message, here)})
        elif role == "tool":
            name = names.get(message["tool_call_id"])
            if name is None:
                raise Unconvertible("tool result answers no earlier tool call", f"{here}/tool_call_id")
            part = {"functionResponse": {"name": name, "response": _response(message["content"], here)}}
            previous = contents[-1] if contents else None
            if previous is not None and previous["role"] == "user" and all("functionResponse" in p
                                                                           for p in previous["parts"]):
                previous["parts"].append(part)  # results of parallel calls share one turn
            else:
                contents.append({"role": "user", "parts": [part]})
        elif role == "user":
            contents.append({"role": "user", "parts": _parts(message["content"], f"{here}/content")})
        else:
            raise Unconvertible(f"a `{role}` message after the first has no Gemini turn", here)
    return contents


def _instruction(messages: list[dict[str, Any]], losses: list[Loss]) -> tuple[dict[str, Any] | None, int]:
    if not messages or messages[0]["role"] not in ("system", "developer"):
        return None, 0
    first = messages[0]
    if "name" in first:
        losses.append(Loss("/messages/0/name", "dropped-key", "Gemini's systemInstruction has no `name`"))
    if first["role"] == "developer":
        losses.append(Loss("/messages/0/role", "renamed-role", "the developer message became the systemInstruction"))
    return {"parts": _parts(first["content"], "/messages/0/content")}, 1


def _tools(tools: list[dict[str, Any]] | None, pointer: str, losses: list[Loss]) -> dict[str, Any]:
    if not tools:
        return {}
    declarations = []
    for index, tool in enumerate(tools):
        function = dict(tool["function"])
        if "strict" in function:
            losses.append(Loss(f"{pointer}/{index}/function/strict", "dropped-key", "Gemini has no `strict`"))
            del function["strict"]
        declarations.append(function)
    return {"tools": [{"functionDeclarations": declarations}]}


def from_openai(record: dict[str, Any]) -> Converted:
    losses: list[Loss] = []
    messages = record["messages"]
    system, first = _instruction(messages, losses)
    if not ids_reproducible(messages, by_name=True):
        losses.append(Loss("/messages", "dropped-ids", "Gemini has no tool call ids; converting back numbers the "
                                                       "calls call_1, call_2... and matches results by name"))
    contents = messages_to_contents(messages[first:], "/messages", losses, {})
    for key in ("parallel_tool_calls", "functions"):
        if key in record:
            losses.append(Loss(f"/{key}", "dropped-key", f"Gemini has no `{key}`"))
    out = {**({"systemInstruction": system} if system else {}), "contents": contents,
           **_tools(record.get("tools"), "/tools", losses)}
    return Converted("gemini", out, losses)


def preference_from_openai(record: dict[str, Any]) -> Converted:
    losses: list[Loss] = []
    source = record["input"]
    messages = source["messages"]
    system, first = _instruction(messages, losses)
    if source.get("tools"):
        raise Unconvertible("Gemini preference tuning is text only: it takes no tools", "/input/tools")
    names: dict[str, str] = {}
    contents = messages_to_contents(messages[first:], "/input/messages", losses, names)
    completions = []
    for score, key in ((1, "preferred_output"), (0, "non_preferred_output")):
        turns = messages_to_contents(record[key], f"/{key}", losses, dict(names))
        completions.append({"score": score, "completion": turns[0]})
    out = {**({"system_instruction": system} if system else {}), "contents": contents, "completions": completions}
    return Converted("gemini-preference", out, losses)


register(Format("gemini-preference", "dpo", "gemini-preference", "ftlint.formats.gemini_models:GeminiPreferenceRecord",
                "Gemini preference tuning (contents + completions)", layout="Vertex Gemini preference",
                keys="`contents` and `completions` with scores", build=_preference_view,
                as_openai=preference_to_openai),
         lambda v: "completions" in v and ("contents" in v or "system_instruction" in v))
register(Format("gemini", "supervised", "gemini", "ftlint.formats.gemini_models:GeminiRecord",
                "Gemini supervised tuning (contents/parts)",
                layout="Vertex Gemini", keys="`contents` with `parts`", build=_view, as_openai=to_openai),
         lambda v: "contents" in v or "systemInstruction" in v)

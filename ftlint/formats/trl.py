"""TRL's dataset layouts beyond `messages`: prompt-completion, preference, unpaired preference, text.

Source: huggingface/trl docs/source/dataset_formats.md. Each layout comes "standard" (strings) or
"conversational" (lists of `{role, content}` messages). Standard prompt-completion is OpenAI's
legacy `prompt`/`completion` and stays the `completion` format; conversational `messages` is `chat`.
TRL messages differ from OpenAI's: tool call `arguments` are objects, tool calls need no `id`, and a
tool result names its function (`name`) instead of a `tool_call_id`.
"""

from __future__ import annotations

from typing import Any

from ftlint.formats import Example, Format, LayoutExample, Message, register
from ftlint.formats.common import Converted, Loss, Unconvertible, call_ids, canonical_json

TRL_ROLES = ("system", "developer", "user", "assistant", "tool")


# --- views ------------------------------------------------------------------------------------------


def _messages(value: Any, pointer: str) -> list[Message]:
    return [Message(i, f"{pointer}/{i}", item) for i, item in enumerate(value)] if isinstance(value, list) else []


def _strings(value: dict[str, Any], keys: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(f"/{key}", value[key]) for key in keys if isinstance(value.get(key), str)]


def _view(format_name: str, before: tuple[str, ...], after: tuple[str, ...]) -> Any:
    """A view whose conversation is the messages under ``before`` and whose outputs are those under
    ``after``; a standard (string) record is a view of its texts alone."""

    def build(value: dict[str, Any]) -> Example:
        keys = before + after
        if any(isinstance(value.get(key), list) for key in keys):
            messages = [m for key in before for m in _messages(value.get(key), f"/{key}")]
            outputs = [m for key in after for m in _messages(value.get(key), f"/{key}")]
            lists = tuple(key for key in keys if isinstance(value.get(key), list))
            return Example(format_name, value, messages, outputs, turn_keys=lists)
        return LayoutExample(format_name, value, [], texts=_strings(value, keys))

    return build


# --- to OpenAI ----------------------------------------------------------------------------------------


def openai_messages(messages: list[dict[str, Any]], pointer: str, losses: list[Loss],
                    numbered: list[str] | None = None) -> list[dict[str, Any]]:
    """TRL messages as OpenAI messages: arguments as JSON strings, calls given ids (call_1, ...), and
    each tool result the `tool_call_id` of the earliest open call of its function."""
    numbered = numbered if numbered is not None else []
    open_calls: list[tuple[str, str]] = []
    converted = []
    for index, message in enumerate(messages):
        out = {k: v for k, v in message.items() if k not in ("tool_calls", "thinking")}
        if "thinking" in message:
            losses.append(Loss(f"{pointer}/{index}/thinking", "dropped-key", "OpenAI messages have no `thinking`"))
        calls = []
        for call in message.get("tool_calls") or ():
            numbered.append(call.get("id") or call_ids(len(numbered) + 1)[-1])
            function = dict(call["function"])
            if not isinstance(function.get("arguments"), str):
                function["arguments"] = canonical_json(function.get("arguments"))
            calls.append({"id": numbered[-1], "type": "function", "function": function})
            open_calls.append((function["name"], numbered[-1]))
        if calls:
            out["tool_calls"] = calls
        if message.get("role") == "tool" and "tool_call_id" not in message:
            match = next((c for c in open_calls if c[0] == message.get("name")), open_calls[0] if open_calls else None)
            if match is None:
                raise Unconvertible("a tool result answers no earlier tool call", f"{pointer}/{index}")
            open_calls.remove(match)
            out.pop("name", None)
            out["tool_call_id"] = match[1]
        converted.append(out)
    return converted


def _user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def _assistant(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


def _tools(value: dict[str, Any]) -> dict[str, Any]:
    """TRL's `tools` column holds JSON schemas of functions; OpenAI wraps each as a function tool."""
    tools = value.get("tools")
    if not tools:
        return {}
    return {"tools": [t if t.get("type") == "function" and "function" in t else {"type": "function", "function": t}
                      for t in tools]}


def shared_prefix(chosen: list[dict[str, Any]], rejected: list[dict[str, Any]]) -> int:
    """How many leading messages the two sides of an implicit-prompt pair share (TRL's prompt)."""
    count = 0
    while count < min(len(chosen), len(rejected)) and chosen[count] == rejected[count]:
        count += 1
    return count


def preference_to_openai(value: dict[str, Any]) -> Converted:
    losses: list[Loss] = []
    prompt, chosen, rejected = value.get("prompt"), value["chosen"], value["rejected"]
    if isinstance(chosen, str):
        if prompt is None:
            raise Unconvertible("a standard preference pair without `prompt` has no prompt to put in `input`")
        conversation, good, bad = [_user(prompt)], [_assistant(chosen)], [_assistant(rejected)]
    else:
        numbered: list[str] = []
        if prompt is None:
            split = shared_prefix(chosen, rejected)
            conversation = openai_messages(chosen[:split], "/chosen", losses, numbered)
            chosen, rejected = chosen[split:], rejected[split:]
        else:
            conversation = openai_messages(prompt, "/prompt", losses, numbered)
        good = openai_messages(chosen, "/chosen", losses, list(numbered))
        bad = openai_messages(rejected, "/rejected", losses, list(numbered))
    record = {"input": {"messages": conversation, **_tools(value)}, "preferred_output": good,
              "non_preferred_output": bad}
    return Converted("preference", record, losses)


def completion_to_openai(value: dict[str, Any]) -> Converted:
    losses: list[Loss] = []
    numbered: list[str] = []
    messages = openai_messages(value["prompt"], "/prompt", losses, numbered)
    messages += openai_messages(value["completion"], "/completion", losses, numbered)
    return Converted("chat", {"messages": messages, **_tools(value)}, losses)


def unpaired_to_openai(value: dict[str, Any]) -> Converted:
    """For token counts only: OpenAI has no unpaired-preference method, so `convert` rejects these."""
    prompt, completion = value["prompt"], value["completion"]
    if isinstance(prompt, str):
        return Converted("chat", {"messages": [_user(prompt), _assistant(completion)]})
    losses: list[Loss] = []
    numbered: list[str] = []
    messages = openai_messages(prompt, "/prompt", losses, numbered)
    return Converted("chat", {"messages": messages + openai_messages(completion, "/completion", losses, numbered)},
                     losses)


def text_to_openai(value: dict[str, Any]) -> Converted:
    """For token counts only: the whole text is learnt, as a completion with an empty prompt."""
    return Converted("completion", {"prompt": "", "completion": value["text"]})


# --- from OpenAI (`ftlint convert --to hf`) ----------------------------------------------------------


def hf_messages(messages: list[dict[str, Any]], pointer: str, losses: list[Loss]) -> list[dict[str, Any]]:
    """OpenAI messages as TRL reads them: tool call arguments as objects (the chat templates of Qwen3
    and others iterate them), weights dropped (TRL has none)."""
    out = []
    for index, message in enumerate(messages):
        message = dict(message)
        if "weight" in message:
            losses.append(Loss(f"{pointer}/{index}/weight", "dropped-weight",
                               f"message {index + 1} has weight {message.pop('weight')}; TRL trains on every "
                               "assistant message (axolotl reads a per-message `train` instead)"))
        calls = message.get("tool_calls")
        if calls:
            message["tool_calls"] = [_object_arguments(call, f"{pointer}/{index}/tool_calls/{n}")
                                     for n, call in enumerate(calls)]
        out.append(message)
    return out


def _object_arguments(call: dict[str, Any], pointer: str) -> dict[str, Any]:
    from ftlint.formats.common import parse_object

    function = dict(call["function"])
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        parsed = parse_object(arguments)
        if parsed is None:
            raise Unconvertible("tool call `arguments` is not a JSON object", f"{pointer}/function/arguments")
        function["arguments"] = parsed
    return {**call, "function": function}


def preference_from_openai(record: dict[str, Any]) -> Converted:
    """OpenAI DPO as TRL's conversational preference with an explicit prompt."""
    losses: list[Loss] = []
    source = record["input"]
    out: dict[str, Any] = {"prompt": hf_messages(source["messages"], "/input/messages", losses),
                           "chosen": hf_messages(record["preferred_output"], "/preferred_output", losses),
                           "rejected": hf_messages(record["non_preferred_output"], "/non_preferred_output", losses)}
    if source.get("tools"):
        out["tools"] = source["tools"]
    for key in ("parallel_tool_calls",):
        if key in source:
            losses.append(Loss(f"/input/{key}", "dropped-key", f"TRL has no `{key}`"))
    return Converted("trl-preference", out, losses)


# Most specific first: a preference pair may have a `prompt` list, as prompt-completion records do.
register(Format("trl-preference", "dpo", "trl-preference", "ftlint.formats.trl_models:TrlPreferenceRecord",
                "preference pairs (TRL chosen/rejected)",
                layout="TRL preference", keys="`chosen`/`rejected`",
                build=_view("trl-preference", ("prompt",), ("chosen", "rejected")), as_openai=preference_to_openai),
         lambda v: "chosen" in v or "rejected" in v)
register(Format("trl-unpaired", "kto", "trl-unpaired", "ftlint.formats.trl_models:TrlUnpairedRecord",
                "unpaired preference (TRL, KTO)",
                layout="TRL unpaired preference", keys="`prompt`/`completion`/`label`",
                build=_view("trl-unpaired", ("prompt", "completion"), ()), as_openai=unpaired_to_openai,
                converts=False),
         lambda v: isinstance(v.get("label"), bool) and ("prompt" in v or "completion" in v))
register(Format("trl-completion", "supervised", "trl-completion", "ftlint.formats.trl_models:TrlCompletionRecord",
                "conversational prompt-completion (TRL)", layout="TRL prompt-completion",
                keys="`prompt`/`completion` message lists", build=_view("trl-completion", ("prompt", "completion"), ()),
                as_openai=completion_to_openai),
         lambda v: ("prompt" in v or "completion" in v)
         and (isinstance(v.get("prompt"), list) or isinstance(v.get("completion"), list)))
register(Format("text", "supervised", "text", "ftlint.formats.trl_models:TextRecord",
                "plain text (language modeling)", layout="text",
                keys="`text`", build=_view("text", ("text",), ()), as_openai=text_to_openai, converts=False),
         lambda v: "text" in v and not {"messages", "prompt", "completion", "input"} & set(v))

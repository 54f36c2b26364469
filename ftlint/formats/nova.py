"""Amazon Bedrock Nova fine-tuning: the `bedrock-conversation-2024` schema (Converse-style).

Sources (../shared/spec/providers.md section 5.2): the Nova user guide
(docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html) and AWS's
validator, aws-samples/amazon-bedrock-samples custom-models/bedrock-fine-tuning/nova/understanding/
dataset_validation/nova_ft_dataset_validator.py. `system` is a list of `{text}`; messages are user
and assistant only, each with a list of content blocks holding one of `text`, `image` or `video`
(`{format, source: {s3Location: {uri}}}`); Nova 2 adds `reasoningContent` on assistant turns.
Order, reserved keywords and media limits are rules (ftlint/rules/layouts.py), which can say
exactly where and why.
"""

from __future__ import annotations

import itertools
from typing import Any

from ftlint.formats import Example, Format, LayoutExample, Turn, register, system_turn
from ftlint.formats.common import Converted, Loss, Unconvertible, merge_turns

SCHEMA_VERSION = "bedrock-conversation-2024"
BLOCK_KINDS = ("text", "image", "video", "reasoningContent")
IMAGE_FORMATS = ("jpeg", "png", "gif", "webp")  # the validator's lists
VIDEO_FORMATS = ("mov", "mkv", "mp4", "webm")


def is_converse_block(block: Any) -> bool:
    """A Converse content block (`{"text": ...}`, no `type`), unlike OpenAI's typed parts."""
    return isinstance(block, dict) and "type" not in block and bool(set(block) & set(BLOCK_KINDS))


def signature(value: dict[str, Any]) -> bool:
    if "schemaVersion" in value:
        return True
    if "messages" not in value:
        return False
    if isinstance(value.get("system"), list):
        return True
    messages = value.get("messages")
    return isinstance(messages, list) and any(
        isinstance(m, dict) and isinstance(m.get("content"), list) and any(map(is_converse_block, m["content"]))
        for m in messages)


def blocks(message: Any) -> list[dict[str, Any]]:
    content = message.get("content") if isinstance(message, dict) else None
    return [b if isinstance(b, dict) else {} for b in content] if isinstance(content, list) else []


def media(value: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(pointer, "image" or "video", the block's media object) of every media block of the record."""
    found = []
    messages = value.get("messages")
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        for n, block in enumerate(blocks(message)):
            for kind in ("image", "video"):
                if isinstance(block.get(kind), dict):
                    found.append((f"/messages/{index}/content/{n}/{kind}", kind, block[kind]))
    return found


def _view(value: dict[str, Any]) -> Example:
    messages = value.get("messages")
    turns = []
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        pointer = f"/messages/{index}"
        role = message.get("role") if isinstance(message, dict) else None
        texts = [(f"{pointer}/content/{n}/text", b["text"]) for n, b in enumerate(blocks(message))
                 if isinstance(b.get("text"), str)]
        turns.append(Turn(index, pointer, message, role if role in ("user", "assistant") else None,
                          role if isinstance(role, str) else None, texts, noun="message"))
    system = value.get("system")
    keys: tuple[str, ...] = ("messages",)
    if isinstance(system, list):
        texts = [(f"/system/{n}/text", b["text"]) for n, b in enumerate(system)
                 if isinstance(b, dict) and isinstance(b.get("text"), str)]
        turns.insert(0, system_turn("/system", system, texts, "system prompt"))
        keys += ("system",)
    images = sum(kind == "image" for _, kind, _ in media(value))
    return LayoutExample("nova", value, turns, features=frozenset({"images"}) if images else frozenset(),
                         images=images, turn_keys=keys)


# --- to OpenAI ----------------------------------------------------------------------------------------


def _openai_content(content: list[dict[str, Any]], pointer: str, losses: list[Loss]) -> Any:
    parts = []
    for index, block in enumerate(content):
        if "reasoningContent" in block:
            losses.append(Loss(f"{pointer}/{index}", "dropped-key", "OpenAI messages have no reasoningContent"))
        elif "text" in block:
            parts.append({"type": "text", "text": block["text"]})
        else:
            raise Unconvertible("OpenAI cannot read images or videos from S3", f"{pointer}/{index}")
    return parts[0]["text"] if len(parts) == 1 else parts


def to_openai(value: dict[str, Any]) -> Converted:
    losses: list[Loss] = []
    if value.get("schemaVersion", SCHEMA_VERSION) != SCHEMA_VERSION:
        losses.append(Loss("/schemaVersion", "dropped-key", f"schemaVersion {value['schemaVersion']!r} is not kept"))
    messages = []
    if value.get("system"):
        messages.append({"role": "system", "content": _openai_content(value["system"], "/system", losses)})
    for index, message in enumerate(value["messages"]):
        messages.append({"role": message["role"],
                         "content": _openai_content(message["content"], f"/messages/{index}/content", losses)})
    return Converted("chat", {"messages": messages}, losses)


# --- from OpenAI (`ftlint convert --to nova`) -----------------------------------------------------------


def _blocks(content: Any, pointer: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"text": content}]
    found = []
    for index, part in enumerate(content or ()):
        if part.get("type") == "text":
            found.append({"text": part["text"]})
        elif part.get("type") == "image_url" and part["image_url"]["url"].startswith("s3://"):
            url = part["image_url"]["url"]
            extension = url.rsplit(".", 1)[-1].lower().replace("jpg", "jpeg")
            if extension not in IMAGE_FORMATS:
                raise Unconvertible(f"image `{url[:60]}` is not {', '.join(IMAGE_FORMATS)}", f"{pointer}/{index}")
            found.append({"image": {"format": extension, "source": {"s3Location": {"uri": url}}}})
        elif part.get("type") == "image_url":
            raise Unconvertible("Nova reads images from S3 (s3Location, in the same bucket as the data): upload the "
                                "image and use its s3:// URI", f"{pointer}/{index}/image_url/url")
        else:
            raise Unconvertible(f"a `{part.get('type')}` part has no Nova content block", f"{pointer}/{index}")
    return found


def from_openai(record: dict[str, Any]) -> Converted:
    losses: list[Loss] = []
    messages = record["messages"]
    out: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION}
    first = 0
    if messages and messages[0]["role"] == "system":
        out["system"] = _blocks(messages[0]["content"], "/messages/0/content")
        first = 1
    for key in ("tools", "functions", "parallel_tool_calls"):
        if key in record:
            raise Unconvertible("Nova fine-tuning data has no tool use", f"/{key}")
    for index, message in enumerate(messages[first:], start=first):
        if message["role"] not in ("user", "assistant") or message.get("tool_calls"):
            raise Unconvertible(f"a `{message['role']}` message or tool call has no Nova turn", f"/messages/{index}")
        for key in ("weight", "name"):
            if key in message:
                losses.append(Loss(f"/messages/{index}/{key}", "dropped-weight" if key == "weight" else "dropped-key",
                                   f"Nova messages have no `{key}`"))
    body = merge_turns(messages[first:], "/messages", losses, side=lambda m: m["role"])
    roles = [message["role"] for message in body]
    if roles[:1] != ["user"] or roles[-1:] != ["assistant"] or any(a == b for a, b in itertools.pairwise(roles)):
        raise Unconvertible("Nova needs user and assistant turns alternating, from a user turn to an assistant one")
    out["messages"] = [{"role": m["role"], "content": _blocks(m["content"], f"/messages/{first + i}/content")}
                       for i, m in enumerate(body)]
    return Converted("nova", out, losses)


register(Format("nova", "supervised", "nova", "ftlint.formats.nova_models:NovaRecord",
                "Amazon Nova bedrock-conversation-2024",
                layout="Amazon Nova (bedrock-conversation-2024)", keys="`schemaVersion`, `system` and content blocks",
                build=_view, as_openai=to_openai),
         signature)

"""FT4: what content may hold. Text-only for most models and methods."""

from __future__ import annotations

from collections.abc import Iterator

from ftlint.rule import ExampleContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity


class ImageContent(Rule[NoOptions]):
    """An image part in an example for a model or method that cannot train on images.

    Why: only vision-capable snapshots train on images (OpenAI: gpt-4o-2024-08-06),
    and only with supervised fine-tuning; DPO and reinforcement are text-only
    ("contains images, but the method ... does not support it").
    """

    code = "FT401"
    name = "image-content"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Image content for a text-only model or method"
    fix = "Remove the image, or use a vision-capable model with supervised fine-tuning"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        model = context.run.model
        if model.vision and context.example.format == "chat":
            return
        reason = (f"{model.id} cannot train on images" if not model.vision
                  else f"{context.example.format} files are text-only")
        for message in context.example.all_messages:
            for pointer, part in message.parts():
                if part.get("type") == "image_url":
                    yield Finding(f"{message.label} has an image part; {reason}", pointer=pointer)


class ImageOutsideUserMessage(Rule[NoOptions]):
    """An image part in a system, assistant or tool message.

    Why: "You cannot include images as output from messages with the assistant
    role"; system and tool content is text only.
    """

    code = "FT402"
    name = "image-outside-user-message"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Image outside a user message"
    fix = "Move the image into a user message"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.all_messages:
            if message.role == "user":
                continue
            for pointer, part in message.parts():
                if part.get("type") == "image_url":
                    yield Finding(f"{message.label} has an image part; only user messages may hold images",
                                  pointer=pointer)


class AudioContent(Rule[NoOptions]):
    """Audio input (`input_audio` parts) or assistant `audio` in a fine-tuning example.

    Why: "Audio and file input messages are not currently supported for fine-tuning."
    """

    code = "FT403"
    name = "audio-content"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Audio content is not supported for fine-tuning"
    fix = "Transcribe the audio to text"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.all_messages:
            for pointer, part in message.parts():
                if part.get("type") == "input_audio":
                    yield Finding(f"{message.label} has an audio part; fine-tuning takes text",
                                  pointer=pointer)
            if "audio" in message.data:
                yield Finding(f"{message.label} has `audio`; fine-tuning takes text",
                              pointer=f"{message.pointer}/audio")


class FileContent(Rule[NoOptions]):
    """A `file` content part in a fine-tuning example.

    Why: "Audio and file input messages are not currently supported for fine-tuning."
    """

    code = "FT404"
    name = "file-content"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "File content is not supported for fine-tuning"
    fix = "Put the file's text into the message"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.all_messages:
            for pointer, part in message.parts():
                if part.get("type") == "file":
                    yield Finding(f"{message.label} has a file part; fine-tuning takes text", pointer=pointer)


class EmptyContent(Rule[NoOptions]):
    """A message's text is empty or only whitespace.

    Why: uncertain. The schema allows `""` and the provider's behaviour is not
    documented; the cookbook flags it. An empty prompt or answer teaches
    nothing or teaches silence. Warning. An assistant message whose `content`
    is empty but which makes tool calls is fine.
    """

    code = "FT405"
    name = "empty-content"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Empty or whitespace-only content"
    fix = "Write the missing text, or drop the message"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.all_messages:
            content = message.content
            if content is None or message.tool_calls or message.data.get("function_call"):
                continue
            texts = [text for _, text in message.texts()]
            has_other_parts = any(part.get("type") not in ("text", "refusal") for _, part in message.parts())
            if texts and not has_other_parts and all(not text.strip() for text in texts):
                what = "empty" if all(not text for text in texts) else "only whitespace"
                yield Finding(f"{message.label} content is {what}", pointer=f"{message.pointer}/content")


RULES = [ImageContent, ImageOutsideUserMessage, AudioContent, FileContent, EmptyContent]

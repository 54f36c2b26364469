"""FT4: what content may hold. Text-only for most models and methods."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ftlint.images import inspect_url
from ftlint.prefilter import WHITESPACE
from ftlint.rule import ExampleContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity


class ImageContent(Rule[NoOptions]):
    """An image part in an example for a model or method that cannot train on images.

    Why: only vision-capable snapshots train on images (OpenAI: gpt-4o-2024-08-06),
    and only with supervised fine-tuning; DPO and reinforcement are text-only
    ("contains images, but the method ... does not support it").
    """

    code = "FT401"
    requires = frozenset({"images"})
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
    requires = frozenset({"images"})
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
    requires = frozenset({"parts"})
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
    requires = frozenset({"parts"})
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
    prefilter = f'"{WHITESPACE}*"'  # a JSON string that is empty or only whitespace

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


def _images(context: ExampleContext) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(message label, pointer, image_url object) of every image part."""
    for message in context.example.all_messages:
        for pointer, part in message.parts():
            image = part.get("image_url")
            if part.get("type") == "image_url" and isinstance(image, dict):
                yield message.label, pointer, image


class InvalidImageUrl(Rule[NoOptions]):
    """An image URL the provider cannot use.

    Why: images must be https URLs or `data:image/jpeg|png|webp;base64,` URLs.
    ftlint decodes data URLs and checks that the bytes are the image type they
    claim. Remote URLs are never fetched. Some targets take data URLs only
    (Together: "images as base64 data URIs", docs.together.ai data-preparation;
    the target's `image_urls = "data-only"`).

    Example: `{"type": "image_url", "image_url": {"url": "data:image/png;base64,/9j/4AAQ..."}}` (JPEG bytes)
    Use instead: `data:image/jpeg;base64,/9j/4AAQ...`
    """

    code = "FT406"
    requires = frozenset({"images"})
    name = "invalid-image-url"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Image URL is not a usable https or data URL"
    fix = "Use an https URL or a data:image/(jpeg|png|webp);base64 URL with matching bytes"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        data_only = context.run.target.image_urls == "data-only"
        for label, pointer, image in _images(context):
            url = image.get("url")
            if not isinstance(url, str):
                continue
            problem = inspect_url(url).problem
            if not problem and data_only and not url.startswith("data:"):
                problem = f"{context.run.target.name} takes images only as base64 data: URLs, not links"
            if problem:
                yield Finding(f"{label}: {problem}", pointer=f"{pointer}/image_url/url")


class TooManyImages(Rule[NoOptions]):
    """An example has more images than the provider allows (OpenAI 10, Azure 64).

    Why: the vision guide caps images per example; the limit is data in the
    provider profile (`max_images_per_example`).
    """

    code = "FT407"
    requires = frozenset({"images"})
    name = "too-many-images"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Example has too many images"
    fix = "Split the example or drop images"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        limit = context.run.target.max_images_per_example
        count = context.example.image_count
        if limit is not None and count > limit:
            yield Finding(f"example has {count} images; {context.run.target.name} takes at most {limit}")


class ImageTooLarge(Rule[NoOptions]):
    """An inline image is larger than the provider accepts (10 MB).

    Why: oversized images are skipped ("image too large"), so the example
    trains without them; Azure fails a file when too many are skipped. Warning.
    Remote images are never fetched, so only data URLs are checked.
    """

    code = "FT408"
    requires = frozenset({"images"})
    name = "image-too-large"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Inline image is over the size limit"
    fix = "Downscale or recompress the image"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        limit = context.run.target.max_image_bytes
        if limit is None:
            return
        for label, pointer, image in _images(context):
            url = image.get("url")
            size = inspect_url(url).size if isinstance(url, str) and url.startswith("data:") else 0
            if size > limit:
                yield Finding(f"{label}: image is {size / 1e6:,.1f} MB; images over {limit / 1e6:,.0f} MB are "
                              "skipped", pointer=f"{pointer}/image_url/url")


class WeightedImageMessage(Rule[NoOptions]):
    """A message that holds images has a non-zero weight.

    Why: Together rejects it: "Messages with images cannot have non-zero
    weights" (together-py files.py checker; spec/providers.md section 3.3).
    Images are inputs; only text answers are trained. Off by default; the
    together target turns it on.

    Example: `{"role": "user", "weight": 1, "content": [{"type": "image_url", ...}]}`
    Use instead: drop the weight (or set it to 0).
    """

    code = "FT430"
    requires = frozenset({"images"})
    name = "weighted-image-message"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    enabled_by_default = False
    summary = "A message with images has a non-zero weight"
    fix = "Drop the weight of messages that hold images (or set it to 0)"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.all_messages:
            weight = message.data.get("weight")
            if weight not in (None, 0) and any(part.get("type") == "image_url" for _, part in message.parts()):
                yield Finding(f"{message.label} holds images and has `weight: {weight}`; "
                              f"{context.run.target.name} trains no image messages",
                              pointer=f"{message.pointer}/weight")


RULES = [ImageContent, ImageOutsideUserMessage, AudioContent, FileContent, EmptyContent, InvalidImageUrl,
         WeightedImageMessage, TooManyImages, ImageTooLarge]

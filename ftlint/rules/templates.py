"""FT31x and FT61x: what an open model's chat template and tokenizer do to an example.

These rules run when the run has an open-weight model (``--tokenizer PATH``, a model
id found in the local Hugging Face cache, or one of the templates ftlint ships; see
docs/tokens.md). They read the example's rendering from ``context.chat`` and the
model from ``context.run.chat``; with neither they are silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ftlint.masking import quote
from ftlint.rule import CHAT_TEMPLATE, DatasetRule, ExampleContext, FileContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity

if TYPE_CHECKING:
    from ftlint.hf import ChatSetup


def _setup(context: ExampleContext | FileContext) -> ChatSetup | None:
    return context.run.chat


def _calls(context: ExampleContext) -> Iterator[tuple[str, Any]]:
    """(pointer, arguments) of every tool call in the conversation."""
    for message in context.example.messages:
        for index, call in enumerate(message.tool_calls):
            function = call.get("function")
            if isinstance(function, dict) and "arguments" in function:
                yield f"{message.pointer}/tool_calls/{index}/function/arguments", function["arguments"]


def _wrong_arguments(context: ExampleContext) -> tuple[str, str] | None:
    """(pointer, wanted kind) of the first tool call whose ``arguments`` this template cannot take."""
    setup = _setup(context)
    if setup is None or "tools" not in context.example.features:
        return None
    style = setup.model.facts.argument_style
    for pointer, arguments in _calls(context):
        if style == "mapping" and isinstance(arguments, str):
            return pointer, "mapping"
        if style == "string" and isinstance(arguments, (dict, list)):
            return pointer, "string"
    return None


class ChatTemplateError(Rule[NoOptions]):
    """The model's chat template raises on this example.

    Why: a Hugging Face trainer (TRL, axolotl, Unsloth) renders every example with
    the model's Jinja chat template before tokenizing; when the template calls
    `raise_exception` or fails, the whole run stops at that example. The message is
    the template's own, for example Mistral's "After the optional system message,
    conversation roles must alternate user/assistant/user/assistant/..." or Gemma 2's
    "System role not supported".

    Source: transformers `apply_chat_template` (`utils/chat_template_utils.py`).
    Example: a system message for Gemma 2; two user messages in a row for Mistral.
    Use instead: change the example to the roles and shapes the template accepts.
    """

    code = "FT310"
    requires = CHAT_TEMPLATE  # without a chat template (run.chat), these find nothing
    name = "chat-template-error"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "The model's chat template fails on this example"
    fix = "Reshape the example to what the template accepts (roles, order, content type)"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        chat = context.chat
        if chat is None:
            return
        if chat.count_error:
            yield Finding(f"{chat.count_error}; a trainer stops here")
            return
        if chat.rendering.ok or _wrong_arguments(context) is not None:
            return  # FT611/FT612 explain an arguments failure better
        setup = _setup(context)
        where = f" ({setup.model.template_origin})" if setup is not None and setup.model.template_origin else ""
        yield Finding(f"the chat template{where} fails on this example: {chat.rendering.error}")


class OverMaxSeqLength(Rule[NoOptions]):
    """The rendered example is longer than the trainer's `max_seq_length`.

    Why: TRL, axolotl and Unsloth truncate silently (TRL keeps the start), so the
    end of the conversation, the answer the model should learn, is what is lost,
    and nobody is told. When no limit is configured, TRL's default
    `SFTConfig.max_length = 1024` is assumed: set `max-seq-length` (or
    `--max-seq-length`) to your trainer's value. Warning.

    Source: trl/trainer/sft_config.py (`max_length`, `truncation_mode = "keep_start"`).
    Use instead: shorten or split the example, or raise the limit.
    """

    code = "FT311"
    requires = CHAT_TEMPLATE  # without a chat template (run.chat), these find nothing
    name = "over-max-seq-length"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    needs_tokens = True
    summary = "Example is longer than the trainer's max_seq_length"
    fix = "Shorten or split the example, or raise max-seq-length"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        chat, setup = context.chat, _setup(context)
        if chat is None or chat.counted is None or setup is None:
            return
        limit = setup.max_seq_length
        lost, trainable_lost, cut = chat.counted.truncation(limit)
        if not lost:
            return
        kind = "exact" if chat.counted.exact else "estimated"
        where = "" if setup.max_seq_length_given else " (TRL's default max_length; set max-seq-length)"
        answer = "the last answer is cut" if cut else "the answers are kept"
        yield Finding(f"example has {chat.counted.total:,} tokens ({kind}), over max_seq_length {limit:,}{where}: "
                      f"truncation drops {lost:,} tokens, {trainable_lost:,} of them trainable; {answer}")


class ModelSpecialTokenText(Rule[NoOptions]):
    """Message text contains a special token of the model's own tokenizer, such as `<|im_end|>` or `<|eot_id|>`.

    Why: the tokenizer encodes such a string as the control token itself, so a
    quoted `<|im_end|>` ends the turn in the middle of the text; newer transformers
    can sanitize it into plain text (`sanitize_control_tokens`), older ones and other
    trainers do not. Either way counts change and training is corrupted.

    Source: the tokenizer's added tokens marked `special` (tokenizer.json), its named
    special tokens (tokenizer_config.json), or the control tokens of a shipped template.
    Use instead: remove the marker, or break it up (`<| im_end |>`).
    """

    code = "FT312"
    requires = CHAT_TEMPLATE  # without a chat template (run.chat), these find nothing
    name = "model-special-token-text"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Text contains a special token of the model's tokenizer"
    fix = "Remove or break up the special-token string"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        setup = _setup(context)
        pattern = setup.model.control_pattern if setup is not None else None
        if pattern is None:
            return
        for pointer, text in context.example.texts():
            found = sorted(set(pattern.findall(text)))
            if found:
                yield Finding(f"text contains the model's special token(s) {', '.join(found)}, which the tokenizer "
                              "reads as control tokens", pointer=pointer)


class AssistantOnlyLossWithoutGeneration(Rule[NoOptions]):
    """`assistant_only_loss = true`, but the chat template has no `{% generation %}` markers.

    Why: TRL builds the assistant mask from `{% generation %}` ... `{% endgeneration %}`
    (`return_assistant_tokens_mask`); a template without them gives no assistant
    tokens, so TRL refuses or the loss is not masked as expected. Most stock
    templates lack the markers; TRL ships training versions (trl/chat_templates/*_training.jinja).

    Source: transformers `render_jinja_template` warning, trl issues #3586, #4147, #4201.
    Use instead: a training template with the markers (`chat-template = "path.jinja"`),
    or `assistant_only_loss = false` (then `completion_only_loss` or a collator masks).
    """

    code = "FT313"
    name = "assistant-only-loss-without-generation"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "assistant_only_loss with a chat template that has no {% generation %} markers"
    fix = "Use a chat template with {% generation %} markers, or turn assistant_only_loss off"

    def check(self, context: FileContext) -> Iterator[Finding]:
        setup = _setup(context)
        if setup is None or not setup.assistant_only_loss:
            return
        template = setup.model.template()
        if template is not None and not template.has_generation:
            yield Finding(f"assistant_only_loss is set, but the chat template ({setup.model.template_origin}) has no "
                          "{% generation %} markers: no token would be marked as the assistant's")


class TemplateDropsMessage(Rule[NoOptions]):
    """The chat template does not render a message's text in full: it drops or rewrites it.

    Why: what the template leaves out is not trained on. Templates skip roles they
    do not know (a `developer` or second `system` message), keep only the answer of
    earlier reasoning turns (Qwen3 drops their `<think>` part), or ignore
    `content` given as a list of parts. Warning.

    Source: the rendering itself: each message's text is looked for in it.
    Use instead: use the roles and content shapes the template renders.
    """

    code = "FT314"
    requires = CHAT_TEMPLATE  # without a chat template (run.chat), these find nothing
    name = "template-drops-message"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "The chat template drops or rewrites a message"
    fix = "Use roles and content the template renders"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        chat = context.chat
        if chat is None or not chat.rendering.ok:
            return
        text = chat.rendering.text
        for message in context.example.messages:
            for pointer, piece in message.texts():
                if piece.strip() and piece.strip() not in text:
                    yield Finding(f"{message.label}: the chat template does not render this text in full "
                                  "(it drops or rewrites it), so it is not trained on", pointer=pointer)
                    break


@dataclass
class _Missing:
    first_line: int = 0
    count: int = 0


class TemplateAddsSystemPrompt(DatasetRule[NoOptions, _Missing]):
    """Examples without a system message get one from the chat template.

    Why: templates such as Qwen2.5's ("You are Qwen, created by Alibaba Cloud...") and
    Llama 3.1's (knowledge cut-off and today's date) write a system turn when the data
    has none, so the model is trained on a prompt that is not in the data, and every
    example pays its tokens. Reported once per file. Warning.

    Source: the template, probed with and without a system message.
    Use instead: give each example the system message you want, even an empty one.
    """

    code = "FT315"
    name = "template-adds-system-prompt"
    severity = Severity.WARNING
    summary = "The chat template adds a system prompt the data does not have"
    fix = "Give the examples an explicit system message"

    def start(self) -> _Missing:
        return _Missing()

    def collect(self, state: _Missing, context: ExampleContext) -> None:
        setup = _setup(context)
        if setup is None or context.chat is None or setup.model.facts.added_system is None:
            return
        messages = context.example.messages
        if messages and messages[0].role in ("system", "developer"):
            return
        state.count += 1
        state.first_line = state.first_line or context.record.line

    def merge(self, first: _Missing, later: _Missing) -> _Missing:
        return _Missing(first.first_line or later.first_line, first.count + later.count)

    def finish(self, state: _Missing, context: FileContext) -> Iterator[Finding]:
        setup = _setup(context)
        if not state.count or setup is None or setup.model.facts.added_system is None:
            return
        added = setup.model.facts.added_system
        pattern = setup.model.control_pattern
        added = " ".join((pattern.sub(" ", added) if pattern is not None else added).split())
        shown = quote(added, 99)  # secrets hidden before the cut
        yield Finding(f"{state.count:,} example(s) have no system message, and the chat template adds its own: "
                      f"{shown!r}", line=state.first_line)


class ToolArgumentsString(Rule[NoOptions]):
    """Tool-call `arguments` are a JSON string, but the model's template needs an object.

    Why: OpenAI's format stores `arguments` as a JSON string; Hugging Face templates
    read them as a mapping. Qwen3.5/3.6 and Qwen3-Coder iterate them
    (`arguments|items`) and fail with "Can only get item pairs from a mapping";
    Qwen2.5 and Mistral print the string as a JSON string, escaped a second time,
    and the model learns to emit escaped JSON.

    Source: QwenLM/Qwen3-Coder#444, QwenLM/Qwen3#1894; TRL's dataset formats
    (`arguments` as a dict).
    Use instead: `"arguments": {"city": "Paris"}` (parse the string: `json.loads`).
    """

    code = "FT611"
    name = "tool-arguments-string-for-template"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    requires = CHAT_TEMPLATE | {"tools"}  # without a chat template (run.chat), these find nothing
    summary = "Tool-call arguments are a JSON string; the chat template needs an object"
    fix = "Give arguments as a JSON object (json.loads the string)"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        wrong = _wrong_arguments(context)
        if wrong is not None and wrong[1] == "mapping":
            setup = _setup(context)
            error = setup.model.facts.argument_error if setup is not None else ""
            effect = f"fails (\"{error}\")" if error else "encodes them a second time"
            yield Finding(f"tool-call arguments are a JSON string, but the chat template needs an object: it {effect}; "
                          "give them as a JSON object", pointer=wrong[0])


class ToolArgumentsObject(Rule[NoOptions]):
    """Tool-call `arguments` are an object, but the model's template needs a JSON string.

    Why: some templates (DeepSeek-V3's, for one) concatenate `arguments` into the
    prompt as text: an object fails ("can only concatenate str") or is printed as a
    Python dict (`{'city': 'Paris'}`), which the model then learns to emit.

    Source: trl/chat_templates/README.md (deepseekv3_training: "the original template
    uses raw string concatenation, which crashes on dict inputs").
    Use instead: `"arguments": "{\\"city\\": \\"Paris\\"}"` (`json.dumps` the object).
    """

    code = "FT612"
    name = "tool-arguments-object-for-template"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    requires = CHAT_TEMPLATE | {"tools"}  # without a chat template (run.chat), these find nothing
    summary = "Tool-call arguments are an object; the chat template needs a JSON string"
    fix = "Give arguments as a JSON string (json.dumps the object)"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        wrong = _wrong_arguments(context)
        if wrong is not None and wrong[1] == "string":
            setup = _setup(context)
            error = setup.model.facts.argument_error if setup is not None else ""
            effect = f"fails (\"{error}\")" if error else "prints them as a Python dict"
            yield Finding(f"tool-call arguments are an object, but the chat template needs a JSON string: it {effect}; "
                          "give them as a JSON string", pointer=wrong[0])


class TemplateIgnoresTools(Rule[NoOptions]):
    """The example declares `tools`, but the model's chat template does not render them.

    Why: the model is trained to call functions it was never shown. Gemma 2's and
    Llama 3's base templates, for example, have no tool section. Warning.

    Source: the template, probed with and without tools.
    Use instead: a template that renders tools (the model's tool-use template), or
    describe the tools in the system message.
    """

    code = "FT613"
    name = "template-ignores-tools"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    requires = CHAT_TEMPLATE | {"tools"}  # without a chat template (run.chat), these find nothing
    summary = "The chat template does not render the example's tools"
    fix = "Use a template that renders tools, or describe them in the system message"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        setup = _setup(context)
        tools = context.example.raw.get("tools")
        if setup is None or not isinstance(tools, list) or not tools or context.chat is None:
            return
        if setup.model.facts.renders_tools is False:
            yield Finding("the example declares tools, but the chat template does not render them", pointer="/tools")


RULES = [ChatTemplateError, OverMaxSeqLength, ModelSpecialTokenText, AssistantOnlyLossWithoutGeneration,
         TemplateDropsMessage, TemplateAddsSystemPrompt, ToolArgumentsString, ToolArgumentsObject,
         TemplateIgnoresTools]

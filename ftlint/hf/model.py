"""One open-weight model as a trainer sees it: its chat template, its tokenizer, and what they do to data.

:class:`ChatModel` renders and counts one example (:meth:`ChatModel.analyse`), and
knows a few facts about its template, found once by rendering small probe
conversations (:class:`TemplateFacts`): whether tool-call ``arguments`` must be a
mapping or a string, whether it writes a system turn the data lacks, whether it
renders ``tools`` at all. Probing judges the template by what it does, never by
its name.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftlint.hf.counter import Counted, HfTokenizer, TokenizerError, count_rendering, prefix_spans
from ftlint.hf.files import ModelFiles
from ftlint.hf.template import ChatTemplate, Conversation, Rendering
from ftlint.tokens import bytes_estimate

# Tool-call ids of nine letters and digits: Mistral's templates refuse any other shape.
_PROBE_ID = "probeid01"
_PROBE_ARGUMENTS = {"probe_key": "probe_value"}
_PROBE_TOOL = {"type": "function", "function": {
    "name": "probe_function", "description": "A probe.",
    "parameters": {"type": "object", "properties": {"probe_key": {"type": "string"}}, "required": ["probe_key"]}}}
_SYSTEM, _QUESTION, _ANSWER = "PROBE-SYSTEM-TEXT", "PROBE-QUESTION-TEXT", "PROBE-ANSWER-TEXT"
_NO_TEMPLATE = "the model has no chat template"


@dataclass(frozen=True)
class ChatAnalysis:
    """One example through the template: the rendering, and its counts when it rendered."""

    rendering: Rendering
    counted: Counted | None
    count_error: str = ""  # the tokenizer could not encode the rendering (a lone surrogate, say)


@dataclass(frozen=True)
class TemplateFacts:
    """What a template does, learned from probe conversations."""

    # "mapping": string arguments fail or are encoded twice; "string": objects fail or print as Python;
    # "either": both render as JSON; "unknown": the template took neither (it may not support tool calls).
    argument_style: str
    argument_error: str  # the template's message for the wrong kind, if it raised
    added_system: str | None  # the system turn it writes when the data has none (None: it writes none)
    renders_tools: bool | None  # None: unknown (the probe failed)


class ChatModel:
    """A chat template (maybe) and a tokenizer (maybe), with the tokenizer's special tokens."""

    def __init__(self, *, templates: Mapping[str, str], template_origin: str, tokenizer: HfTokenizer | None,
                 special_tokens: Mapping[str, str], control_tokens: tuple[str, ...], origin: str) -> None:
        self.templates = dict(templates)
        self.template_origin = template_origin
        self.tokenizer = tokenizer
        self.variables = dict(special_tokens)
        self.control_tokens = control_tokens
        self.origin = origin

    @classmethod
    def from_files(cls, files: ModelFiles, *, template_text: str | None = None, template_origin: str = "",
                   extra_control_tokens: tuple[str, ...] = ()) -> ChatModel:
        """Load the tokenizer of ``files``; ``template_text`` replaces the folder's templates when given."""
        tokenizer = HfTokenizer(files.tokenizer_json) if files.tokenizer_json is not None else None
        templates = {"default": template_text} if template_text is not None else dict(files.templates)
        controls = tokenizer.special_tokens if tokenizer is not None else ()
        named = tuple(files.special_tokens.values())
        return cls(templates=templates, template_origin=template_origin or files.template_origin,
                   tokenizer=tokenizer, special_tokens=files.special_tokens,
                   control_tokens=tuple(sorted({*controls, *named, *extra_control_tokens})), origin=files.origin)

    @functools.cached_property
    def control_pattern(self) -> re.Pattern[str] | None:
        """One regex for every control token (Llama 3 has 256 of them), longest first."""
        if not self.control_tokens:
            return None
        return re.compile("|".join(re.escape(token) for token in sorted(self.control_tokens, key=len, reverse=True)))

    @property
    def exact(self) -> bool:
        return self.tokenizer is not None

    def template(self, with_tools: bool = False) -> ChatTemplate | None:
        """The template transformers picks: ``tool_use`` when there are tools and it exists, else ``default``."""
        text = self.templates.get("tool_use") if with_tools else None
        text = text if text is not None else self.templates.get("default")
        return ChatTemplate.compile(text) if text is not None else None

    def render(self, messages: list[Any], *, tools: Any = None, documents: Any = None,
               variables: Mapping[str, Any] | None = None, add_generation_prompt: bool = False) -> Rendering:
        conversation = self.conversation(messages, tools=tools, documents=documents, variables=variables)
        if conversation is None:
            return Rendering(error=_NO_TEMPLATE)
        return conversation.render(add_generation_prompt=add_generation_prompt)

    def conversation(self, messages: list[Any], *, tools: Any = None, documents: Any = None,
                     variables: Mapping[str, Any] | None = None) -> Conversation | None:
        """The conversation ready to render through the template transformers picks (None: the model has none)."""
        template = self.template(with_tools=tools is not None)
        if template is None:
            return None
        return template.conversation(messages, tools=tools, documents=documents,
                                     variables={**self.variables, **(variables or {})})

    def analyse(self, value: dict[str, Any], format_name: str) -> ChatAnalysis | None:
        """Render and count a chat example as ``apply_chat_template(..., tokenize=True)`` would; None for
        formats a chat template does not render (preference pairs, prompt/completion)."""
        if format_name != "chat" or not isinstance(value.get("messages"), list):
            return None
        messages: list[Any] = value["messages"]
        tools = value.get("tools")
        extra = value.get("chat_template_kwargs")
        conversation = self.conversation(messages, tools=tools, documents=value.get("documents"),
                                         variables=extra if isinstance(extra, dict) else None)
        rendering = conversation.render() if conversation is not None else Rendering(error=_NO_TEMPLATE)
        if conversation is None or not rendering.ok:
            return ChatAnalysis(rendering, None)
        template = self.template(with_tools=tools is not None)
        if template is not None and template.has_generation:
            spans, source = rendering.spans, "generation"
        else:
            spans = prefix_spans(messages, rendering, conversation.render)
            source = "prefix" if spans else ""
        try:
            counted = count_rendering(rendering.text, spans, source, self.tokenizer, bytes_estimate)
        except TokenizerError as exc:
            return ChatAnalysis(rendering, None, str(exc))
        return ChatAnalysis(rendering, counted)

    @functools.cached_property
    def facts(self) -> TemplateFacts:
        style, error = self._argument_style()
        return TemplateFacts(argument_style=style, argument_error=error, added_system=self._added_system(),
                             renders_tools=self._renders_tools())

    def _probe(self, arguments: Any) -> Rendering:
        call = {"id": _PROBE_ID, "type": "function", "function": {"name": "probe_function", "arguments": arguments}}
        messages = [{"role": "user", "content": _QUESTION},
                    {"role": "assistant", "content": "", "tool_calls": [call]},
                    {"role": "tool", "tool_call_id": _PROBE_ID, "name": "probe_function", "content": "PROBE-RESULT"},
                    {"role": "assistant", "content": _ANSWER}]
        return self.render(messages, tools=[_PROBE_TOOL])

    def _argument_style(self) -> tuple[str, str]:
        as_mapping, as_string = self._probe(dict(_PROBE_ARGUMENTS)), self._probe(json.dumps(_PROBE_ARGUMENTS))
        if as_mapping.ok and not as_string.ok:
            return "mapping", as_string.error
        if as_string.ok and not as_mapping.ok:
            return "string", as_mapping.error
        if not as_mapping.ok:
            return "unknown", as_mapping.error
        if repr(_PROBE_ARGUMENTS) in as_mapping.text:
            return "string", ""  # the object was printed as Python, not JSON
        if '\\"probe_key\\"' in as_string.text:
            return "mapping", ""  # the string was JSON-encoded a second time
        return "either", ""

    def _added_system(self) -> str | None:
        """The system turn the template writes for a conversation without one, found by difference.

        With a system message S, the rendering is ``P + S + M + question...``; without
        one, a template that adds its own writes ``P + X + M + question...`` (Qwen2.5's
        "You are Qwen...", Llama 3.1's dates). A template that merges S into the first
        user turn (Gemma 3) writes no ``M`` before the question, so it is not counted.
        """
        exchange = [{"role": "user", "content": _QUESTION}, {"role": "assistant", "content": _ANSWER}]
        with_system = self.render([{"role": "system", "content": _SYSTEM}, *exchange])
        without = self.render(exchange)
        if not with_system.ok or not without.ok or _QUESTION not in without.text:
            return None
        text = with_system.text
        at = text.find(_SYSTEM)
        after = text.find(_QUESTION, at + len(_SYSTEM)) if at >= 0 else -1
        if at < 0 or after < 0:
            return None
        header, between = text[:at], text[at + len(_SYSTEM):after]
        before_question = without.text[: without.text.index(_QUESTION)]
        if (not header or not before_question.startswith(header) or not between
                or not before_question.endswith(between) or len(before_question) < len(header) + len(between)):
            return None
        added = before_question[len(header): len(before_question) - len(between)]
        if added.strip():
            return added
        # Nothing between the system header and the next turn: the header itself is the added turn (Llama 3.1's
        # dates), unless it is only the BOS token (DeepSeek prepends a system prompt with no markup at all).
        markup = header
        for token in self.variables.values():
            markup = markup.replace(token, "")
        return header if markup.strip() else None

    def _renders_tools(self) -> bool | None:
        exchange = [{"role": "user", "content": _QUESTION}, {"role": "assistant", "content": _ANSWER}]
        with_tools, without = self.render(exchange, tools=[_PROBE_TOOL]), self.render(exchange)
        if not with_tools.ok or not without.ok:
            return None
        return "probe_function" in with_tools.text


def load_template_file(path: Path) -> str:
    from ftlint.hf.files import read_template

    return read_template(path)

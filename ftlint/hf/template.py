"""Rendering a conversation through a model's Jinja chat template, as a Hugging Face trainer does.

This reimplements what ``transformers`` does in ``apply_chat_template`` (its
``src/transformers/utils/chat_template_utils.py``, Apache-2.0, by the Hugging Face
team), without importing it or torch:

- the template is compiled once in an ``ImmutableSandboxedEnvironment`` with
  ``trim_blocks`` and ``lstrip_blocks``, the ``loopcontrols`` extension and a
  ``{% generation %}`` tag that records the character span of what it wraps
  (transformers' ``AssistantTracker``);
- the globals ``raise_exception`` (a ``TemplateError`` with the template's own
  message), ``strftime_now`` and a restricted ``dict`` and ``namespace``, and a
  ``tojson`` filter that is ``json.dumps`` (no HTML escaping, no key sorting);
- messages are normalized first: keys whose value is ``None`` are dropped, and a
  message's reasoning (``reasoning_content``, ``thinking`` or ``reasoning``) is
  offered under ``reasoning_content`` and ``thinking`` too;
- the variables are ``messages``, ``tools``, ``documents``,
  ``add_generation_prompt`` (off for training) and the tokenizer's named special
  tokens (``bos_token``, ``eos_token``, ...).

One difference, on purpose: ``strftime_now`` reads ftlint's clock
(``ftlint.clock.today()``, pinned by ``FTLINT_TODAY``), at midnight, so a run is
reproducible; templates such as Llama 3.1's print today's date.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ftlint import clock

if TYPE_CHECKING:
    import jinja2

_GENERATION_TAG = re.compile(r"\{%-?\s*generation\s*-?%\}")
_REASONING_FIELDS = ("reasoning_content", "thinking", "reasoning")
_DICT_ATTRIBUTES = frozenset(dir(dict))  # every name getattr finds on a plain dict (it has no instance attributes)
_STR_FORMATS = ("format", "format_map")  # the str methods the sandbox wraps (jinja2.sandbox.wrap_str_format)
_MAX_MESSAGE = 300  # characters of an exception's text kept in a finding
# A rendering this long is a runaway template (nested loops), not a conversation: stop it there.
MAX_RENDERED_CHARS = 256 * 1024 * 1024


class TemplateCompileError(ValueError):
    """The chat template is not valid Jinja."""


@dataclass(frozen=True)
class Rendering:
    """One conversation rendered: its text and the ``{% generation %}`` spans, or why it failed."""

    text: str = ""
    spans: tuple[tuple[int, int], ...] = ()
    error: str = ""  # the template's own message (raise_exception), or the failing operation's

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class _Tracking:
    """The state of one render: how many characters have been produced, and the spans found so far."""

    length: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)


def _environment() -> jinja2.Environment:
    import jinja2
    import jinja2.ext
    import jinja2.nodes
    import jinja2.utils

    class GenerationTracker(jinja2.ext.Extension):
        """``{% generation %}...{% endgeneration %}``: renders its body and records where it landed."""

        tags = {"generation"}  # noqa: RUF012 - Jinja reads it from the class

        def __init__(self, environment: jinja2.Environment) -> None:
            super().__init__(environment)
            self.tracking: _Tracking | None = None

        def parse(self, parser: Any) -> jinja2.nodes.Node:
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
            return jinja2.nodes.CallBlock(self.call_method("_track"), [], [], body).set_lineno(lineno)

        def _track(self, caller: Any) -> str:
            text: str = caller()
            if self.tracking is not None:
                start = self.tracking.length
                self.tracking.spans.append((start, start + len(text)))
            return text

    class Namespace(jinja2.utils.Namespace):
        """``namespace()`` without underscore attributes (transformers closes that door too)."""

        def __init__(*args: Any, **kwargs: Any) -> None:
            self, rest = args[0], args[1:]
            attributes = dict(*rest, **kwargs)
            for name in attributes:
                _check_attribute(name)
            jinja2.utils.Namespace.__init__(self, attributes)

        def __setitem__(self, name: str, value: Any) -> None:
            _check_attribute(name)
            jinja2.utils.Namespace.__setitem__(self, name, value)

    environment = _sandbox_class(Namespace)(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTracker, jinja2.ext.loopcontrols])
    environment.filters["tojson"] = _JsonFilter()
    environment.globals["raise_exception"] = _raise_exception
    environment.globals["strftime_now"] = _strftime_now
    environment.globals["dict"] = _TemplateDict()
    environment.globals["namespace"] = Namespace
    return environment


def _sandbox_class(namespace: type) -> type[jinja2.sandbox.ImmutableSandboxedEnvironment]:
    """transformers' sandbox, made cheaper without changing an answer (``namespace`` is ftlint's ``namespace()``)."""
    import jinja2.runtime
    import jinja2.sandbox
    import jinja2.utils

    plain_types = frozenset({str, jinja2.runtime.LoopContext, jinja2.utils.Namespace, namespace})

    class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
        """transformers' sandbox, its verdicts on attributes remembered.

        Whether ``obj.attr`` is safe depends only on the type of ``obj`` and the name
        (``is_internal_attribute`` and ``modifies_known_mutable`` test isinstance and
        names), and a template asks the same few questions on every message.
        """

        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.safe_attributes: dict[tuple[type, str], bool] = {}

        def getattr(self, obj: Any, attribute: str) -> Any:
            # `message.role` on a plain dict: Python's getattr would raise (a dict has only its class's
            # attributes), and the sandbox would then read the key; read it directly, without the exception.
            kind = type(obj)
            if kind is dict and attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except LookupError:
                    return self.undefined(obj=obj, name=attribute)
            # `loop.index0`, `ns.last_query_index`, `content.strip`: for these types every public name the
            # sandbox allows as is (none is internal or mutating), and only str.format needs its wrapper.
            if kind in plain_types and attribute[:1] != "_" and attribute not in _STR_FORMATS:
                try:
                    return getattr(obj, attribute)
                except AttributeError:  # none of them can be indexed by a name either
                    return self.undefined(obj=obj, name=attribute)
            return super().getattr(obj, attribute)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # Jinja's own names
            # `content.strip('\n')`, `content.split('</think>')`: a str's own method (not format, which the sandbox
            # wraps) is safe, takes no context and raises no StopIteration, so Context.call would only drop
            # the compiler's bookkeeping arguments and call it.
            if type(__obj) is types.BuiltinMethodType and type(__obj.__self__) is str \
                    and __obj.__name__ not in _STR_FORMATS:
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
                return __obj(*args, **kwargs)
            return super().call(__context, __obj, *args, **kwargs)

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            key = (type(obj), attr)
            known = self.safe_attributes.get(key)
            if known is None:
                known = self.safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
            return known

    return Sandbox


# What transformers' apply_chat_template gives a template besides Jinja's own.

def _check_attribute(name: Any) -> None:
    import jinja2.exceptions

    if isinstance(name, str) and name.startswith("_"):
        raise jinja2.exceptions.SecurityError(f"namespace attribute {name!r} starts with an underscore")


def _raise_exception(message: Any) -> None:
    import jinja2.exceptions

    raise jinja2.exceptions.TemplateError(message)


def _tojson(value: Any, ensure_ascii: bool = False, indent: Any = None, separators: Any = None,
            sort_keys: bool = False) -> str:
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


class _JsonFilter:
    """``tojson``; within one conversation (``memo`` set), each list or dict is serialized once per set of options.

    The renders of one conversation's prefixes serialize the same tools and tool-call arguments
    again and again. The immutable sandbox lets no template change them, so the same object
    (``is``: the memo holds it, so its id is not reused) gives the same text.
    """

    def __init__(self) -> None:
        self.memo: dict[tuple[Any, ...], tuple[Any, str]] | None = None

    def __call__(self, value: Any, ensure_ascii: bool = False, indent: Any = None, separators: Any = None,
                 sort_keys: bool = False) -> str:
        memo = self.memo
        if memo is None or not isinstance(value, (dict, list)):
            return _tojson(value, ensure_ascii, indent, separators, sort_keys)
        key = (id(value), ensure_ascii, indent, separators, sort_keys)
        try:
            known = memo.get(key)
        except TypeError:  # an unhashable option (a list of separators): not remembered
            return _tojson(value, ensure_ascii, indent, separators, sort_keys)
        if known is not None and known[0] is value:
            return known[1]
        text = _tojson(value, ensure_ascii, indent, separators, sort_keys)
        memo[key] = (value, text)
        return text


def _strftime_now(format: str) -> str:
    return dt.datetime.combine(clock.today(), dt.time()).strftime(format)


class _TemplateDict:
    """``dict(...)`` in a template: builds dicts, exposes nothing else of the type."""

    def __call__(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return dict(*args, **kwargs)

    def fromkeys(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return dict.fromkeys(*args, **kwargs)


def normalize_messages(messages: Sequence[Any]) -> list[Any]:
    """What transformers hands the template: no ``None`` values, and reasoning under its usual names."""
    normalized: list[Any] = []
    for message in messages:
        if isinstance(message, dict):
            message = {key: value for key, value in message.items() if value is not None}
            reasoning = next((message[key] for key in _REASONING_FIELDS if message.get(key) is not None), None)
            if reasoning is not None:
                message = {"thinking": reasoning, **message, "reasoning_content": reasoning}
        normalized.append(message)
    return normalized


class ChatTemplate:
    """A compiled chat template. :meth:`compile` caches by text, so each template compiles once."""

    def __init__(self, text: str) -> None:
        import jinja2

        self.text = text
        self.has_generation = bool(_GENERATION_TAG.search(text))
        environment = _environment()
        try:
            self._compiled = environment.from_string(text)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateCompileError(f"line {exc.lineno}: {exc.message}") from None
        self._tracker = next(ext for ext in environment.extensions.values() if hasattr(ext, "tracking"))
        self._json: _JsonFilter = environment.filters["tojson"]

    @classmethod
    def compile(cls, text: str) -> ChatTemplate:
        return _compile(text)

    def render(self, messages: Sequence[Any], *, tools: Any = None, documents: Any = None,
               variables: Mapping[str, Any] | None = None, add_generation_prompt: bool = False) -> Rendering:
        """Render ``messages`` for training (no generation prompt unless asked); never raises on data."""
        conversation = self.conversation(messages, tools=tools, documents=documents, variables=variables)
        return conversation.render(add_generation_prompt=add_generation_prompt)

    def conversation(self, messages: Sequence[Any], *, tools: Any = None, documents: Any = None,
                     variables: Mapping[str, Any] | None = None) -> Conversation:
        """``messages`` ready to render, whole or any prefix of them (see :class:`Conversation`)."""
        context = {**(variables or {}), "tools": tools, "documents": documents}
        return Conversation(self, normalize_messages(messages), context)

    def _render(self, context: dict[str, Any], json_memo: dict[tuple[Any, ...], tuple[Any, str]]) -> Rendering:
        tracking = _Tracking()
        self._tracker.tracking = tracking
        self._json.memo = json_memo
        parts: list[str] = []
        try:
            for block in self._blocks(context):
                parts.append(block)
                tracking.length += len(block)
                if tracking.length > MAX_RENDERED_CHARS:
                    return Rendering(error=f"the template rendered over {MAX_RENDERED_CHARS:,} characters; "
                                          "stopped")
        except RecursionError:
            return Rendering(error="the template recursed too deeply")
        except Exception as exc:  # a template is code run on data: any failure is a finding, not a crash
            return Rendering(error=describe_error(exc))
        finally:
            self._tracker.tracking = None
            self._json.memo = None
        return Rendering("".join(parts), tuple(tracking.spans))

    def _blocks(self, context: dict[str, Any]) -> Iterator[str]:
        return self._compiled.generate(**context)


class Conversation:
    """One conversation's messages, normalized once, rendered whole or up to any message.

    Rendering the first *n* messages is rendering ``messages[:n]`` afresh: normalization
    works message by message, so a prefix of the normalized list is the normalized prefix,
    and the immutable sandbox lets no template change a message, so renders can share them (and the
    JSON of their tools: see ``_JsonFilter``).
    """

    def __init__(self, template: ChatTemplate, messages: list[Any], context: dict[str, Any]) -> None:
        self._template = template
        self._messages = messages
        self._context = context
        self._json_memo: dict[tuple[Any, ...], tuple[Any, str]] = {}  # the tools' JSON, for every render of it

    def render(self, end: int | None = None, *, add_generation_prompt: bool = False) -> Rendering:
        """The first ``end`` messages (all when None) rendered; never raises on data."""
        messages = self._messages if end is None else self._messages[:end]
        return self._template._render({**self._context, "messages": messages,
                                       "add_generation_prompt": add_generation_prompt}, self._json_memo)


@functools.lru_cache(maxsize=32)
def _compile(text: str) -> ChatTemplate:
    return ChatTemplate(text)


def describe_error(exc: BaseException) -> str:
    """The exception's own text (a template's ``raise_exception`` message, or Python's), kept short."""
    import jinja2

    text = str(exc) if str(exc) else type(exc).__name__
    if not isinstance(exc, jinja2.TemplateError) or isinstance(exc, jinja2.UndefinedError):
        text = f"{type(exc).__name__}: {text}"
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"

"""FT6: tools and function calling. Definitions, calls, results, and how they fit together."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ftlint.digests import digest
from ftlint.formats import Example, Message
from ftlint.jsonschemas import SchemaProblem, Validator, compile_schema
from ftlint.records import JsonTextError, NestedTooDeeply, parse_json
from ftlint.rule import DatasetRule, ExampleContext, FileContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity

NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Function:
    """A declared function: from `tools[].function` or the legacy `functions[]`."""

    pointer: str
    name: str
    parameters: Any


_DECLARED: dict[bytes, tuple[Function, ...]] = {}  # by _definitions_key: most files repeat their tools


def declared_functions(example: Example) -> tuple[Function, ...]:
    """The example's declared functions. Remembered by the digest of its definitions (FT601-FT606 all ask,
    and many files declare the same tools on every line): equal definitions give equal functions, at the
    same pointers."""
    key = _definitions_key(example)
    found = _DECLARED.get(key)
    if found is None:
        if len(_DECLARED) >= 256:
            _DECLARED.clear()
        found = _DECLARED[key] = tuple(_declared(example))
    return found


def _declared(example: Example) -> list[Function]:
    raw, prefix = example.settings
    found = []
    tools = raw.get("tools")
    if isinstance(tools, list):
        for index, tool in enumerate(tools):
            function = tool.get("function") if isinstance(tool, dict) else None
            if isinstance(function, dict):
                found.append(Function(f"{prefix}/tools/{index}/function", str(function.get("name", "")),
                                      function.get("parameters")))
    functions = raw.get("functions")
    if isinstance(functions, list):
        for index, function in enumerate(functions):
            if isinstance(function, dict):
                found.append(Function(f"{prefix}/functions/{index}", str(function.get("name", "")),
                                      function.get("parameters")))
    return found


@functools.lru_cache(maxsize=4)  # FT601 and FT602 ask about the same example in turn: digested once
def _definitions_key(example: Example) -> bytes:
    """A digest of the example's tool definitions (`tools` and legacy `functions`) and its format."""
    raw, _ = example.settings
    return digest([example.format, raw.get("tools"), raw.get("functions")])


class _ByDefinitions:
    """Findings that depend on the declared functions alone, remembered per distinct definition list.

    Datasets often repeat the same `tools` on every line; they are judged once. Findings are immutable
    and carry record-relative pointers, so they can be handed out again for every record.
    """

    def __init__(self, judge: Callable[[tuple[Function, ...]], list[Finding]], limit: int = 256) -> None:
        self._judge = judge
        self._cache: dict[bytes, list[Finding]] = {}
        self._limit = limit

    def __call__(self, example: Example) -> list[Finding]:
        key = _definitions_key(example)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= self._limit:
                self._cache.clear()
            found = self._cache[key] = self._judge(declared_functions(example))
        return found


@dataclass(frozen=True)
class Call:
    message: Message
    pointer: str  # of the function object: /messages/2/tool_calls/0/function or .../function_call
    id: str | None  # None for legacy function_call
    name: Any
    arguments: Any


@functools.lru_cache(maxsize=4)  # FT603-FT607 and FT620 ask about the same example in turn: read once
def calls(example: Example) -> tuple[Call, ...]:
    """Every tool call (and legacy function call) of the example's assistant messages, in order."""
    return tuple(_calls(example))


def _calls(example: Example) -> Iterator[Call]:
    for message in example.all_messages:
        if message.role != "assistant":
            continue
        for index, call in enumerate(message.tool_calls):
            function = call.get("function")
            function = function if isinstance(function, dict) else {}
            call_id = call.get("id") if isinstance(call.get("id"), str) else None
            yield Call(message, f"{message.pointer}/tool_calls/{index}/function", call_id, function.get("name"),
                       function.get("arguments"))
        legacy = message.data.get("function_call")
        if isinstance(legacy, dict):
            yield Call(message, f"{message.pointer}/function_call", None, legacy.get("name"), legacy.get("arguments"))


class InvalidToolName(Rule[NoOptions]):
    """A function name does not match `^[A-Za-z0-9_-]{1,64}$`.

    Why: the API's function names "must be a-z, A-Z, 0-9, or contain
    underscores and dashes, with a maximum length of 64". Whether training
    enforces it is not documented: warning.

    Example: `{"type": "function", "function": {"name": "get weather"}}`
    Use instead: `"name": "get_weather"`.
    """

    code = "FT601"
    requires = frozenset({"tools"})
    name = "invalid-tool-name"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Function name has characters outside a-z, A-Z, 0-9, _ and -"
    fix = "Rename the function to letters, digits, _ and - (at most 64)"

    def __init__(self, options: NoOptions | None = None) -> None:
        super().__init__(options)
        self._findings = _ByDefinitions(self._judge)

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        yield from self._findings(context.example)

    @staticmethod
    def _judge(functions: tuple[Function, ...]) -> list[Finding]:
        return [Finding(f"function name {function.name!r} does not match ^[A-Za-z0-9_-]{{1,64}}$",
                        pointer=f"{function.pointer}/name")
                for function in functions if not NAME.match(function.name)]


class _Schemas:
    """Validators compiled once per distinct JSON Schema (keyed by its digest)."""

    def __init__(self, limit: int = 512) -> None:
        self._cache: dict[bytes, tuple[str, Validator | None]] = {}
        self._limit = limit

    def get(self, schema: Any) -> tuple[str, Validator | None]:
        """(problem with the schema itself or "", a validator or None)."""
        key = digest(schema)
        found = self._cache.get(key)
        if found is None:
            found = self._compile(schema)
            if len(self._cache) >= self._limit:
                self._cache.clear()
            self._cache[key] = found
        return found

    @staticmethod
    def _compile(schema: Any) -> tuple[str, Validator | None]:
        try:
            return "", compile_schema(schema)  # resolves no reference outside the schema; patterns in re2
        except SchemaProblem as exc:
            return f"`parameters` {exc}", None


# FT602 and FT606 judge the same schemas: each is checked against the meta-schema and compiled once
# (~3 ms), not once per rule. A compiled schema depends on the schema alone.
SCHEMAS = _Schemas()


class InvalidToolParameters(Rule[NoOptions]):
    """A function's `parameters` is not a valid JSON Schema.

    Why: the provider compiles it to constrain and check calls; an invalid
    schema (e.g. `"type": "text"`, `"required": "city"`) fails or is ignored.
    Checked against the JSON Schema meta-schema, compiled once per distinct schema.

    Example: `"parameters": {"type": "object", "properties": {"city": {"type": "text"}}}`
    Use instead: `"type": "string"`.
    """

    code = "FT602"
    requires = frozenset({"tools"})
    name = "invalid-tool-parameters"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Function parameters are not a valid JSON Schema"
    fix = "Fix the JSON Schema in `parameters`"

    def __init__(self, options: NoOptions | None = None) -> None:
        super().__init__(options)
        self.schemas = SCHEMAS
        self._findings = _ByDefinitions(self._judge)

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        yield from self._findings(context.example)

    def _judge(self, functions: tuple[Function, ...]) -> list[Finding]:
        findings = []
        for function in functions:
            problem = self.schemas.get(function.parameters)[0] if function.parameters is not None else ""
            if problem:
                findings.append(Finding(f"function {function.name!r}: {problem}",
                                        pointer=f"{function.pointer}/parameters"))
        return findings


class UnknownToolCallId(Rule[NoOptions]):
    """A `tool` message's `tool_call_id` answers no earlier tool call in the example.

    Why: a result must answer a call; a mismatched id usually means results were
    shuffled or ids were rewritten. No provider error is documented: warning.
    """

    code = "FT603"
    requires = frozenset({"tools"})
    name = "unknown-tool-call-id"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "tool_call_id matches no earlier call"
    fix = "Use the id of the assistant tool call this result answers"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        made: set[str] = set()
        after_calls = False  # FT205 reports tool results that follow no tool calls at all
        for message in context.example.messages:
            if message.role == "assistant":
                made.update(c["id"] for c in message.tool_calls if isinstance(c.get("id"), str))
                after_calls = bool(message.tool_calls)
            elif message.role != "tool":
                after_calls = False
            elif after_calls:
                answered = message.data.get("tool_call_id")
                if isinstance(answered, str) and answered not in made:
                    yield Finding(f"{message.label} answers tool call {answered!r}, which no earlier assistant "
                                  "message made", pointer=f"{message.pointer}/tool_call_id")


class UndeclaredFunction(Rule[NoOptions]):
    """A call names a function that the example's `tools` (or `functions`) do not declare.

    Why: the model learns to call a tool it is never shown. Only checked when
    the example declares tools at all. Warning.
    """

    code = "FT604"
    requires = frozenset({"tools"})
    name = "undeclared-function"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Call to a function that is not declared"
    fix = "Declare the function in `tools`, or fix the name"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        declared = {function.name for function in declared_functions(context.example)}
        if not declared:
            return
        for call in calls(context.example):
            if isinstance(call.name, str) and call.name not in declared:
                yield Finding(f"{call.message.label} calls {call.name!r}, which is not among the declared functions "
                              f"({', '.join(sorted(declared))})", pointer=f"{call.pointer}/name")


class InvalidToolArguments(Rule[NoOptions]):
    """A call's `arguments` string is not a JSON object.

    Why: arguments are JSON text; training on broken JSON teaches the model to
    emit calls no client can parse. No provider error is documented: warning.

    Example: `"arguments": "{city: Oslo}"`
    Use instead: `"arguments": "{\\"city\\": \\"Oslo\\"}"`.
    """

    code = "FT605"
    requires = frozenset({"tools"})
    name = "invalid-tool-arguments"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Call arguments are not a JSON object"
    fix = "Write arguments as a JSON object serialized to a string"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for call in calls(context.example):
            if not isinstance(call.arguments, str):
                continue  # FT103 reports non-string arguments
            value, error = parsed_arguments(call.arguments)
            if isinstance(error, NestedTooDeeply):
                yield Finding(f"{call.message.label}: arguments of {call.name!r} are nested too deeply to be "
                              "checked", pointer=f"{call.pointer}/arguments")
                continue
            if error is not None:
                yield Finding(f"{call.message.label}: arguments of {call.name!r} are not valid JSON ({error})",
                              pointer=f"{call.pointer}/arguments")
                continue
            if not isinstance(value, dict):
                yield Finding(f"{call.message.label}: arguments of {call.name!r} are JSON but not an object",
                              pointer=f"{call.pointer}/arguments")


@functools.lru_cache(maxsize=64)  # FT605 then FT606 parse the same calls' arguments: once
def parsed_arguments(text: str) -> tuple[Any, JsonTextError | None]:
    """A call's `arguments` parsed, or why they do not parse. The value is shared: rules only read it."""
    try:
        return parse_json(text), None
    except JsonTextError as exc:
        return None, exc.with_traceback(None)  # kept without the frames it was raised in


class ToolArgumentsMismatch(Rule[NoOptions]):
    """A call's arguments do not satisfy the declared function's `parameters` schema.

    Why: the model learns calls that the tool would reject: missing required
    arguments, wrong types, values outside an enum. Warning.
    """

    code = "FT606"
    requires = frozenset({"tools"})
    name = "tool-arguments-mismatch"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Call arguments do not match the function's parameters schema"
    fix = "Make the arguments match the declared parameters (or fix the schema)"

    def __init__(self, options: NoOptions | None = None) -> None:
        super().__init__(options)
        self.schemas = SCHEMAS

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        declared = {f.name: f.parameters for f in declared_functions(context.example)}
        for call in calls(context.example):
            schema = declared.get(call.name) if isinstance(call.name, str) else None
            if not isinstance(schema, dict) or not isinstance(call.arguments, str):
                continue
            arguments, broken = parsed_arguments(call.arguments)
            if broken is not None:
                continue  # FT605
            _, validator = self.schemas.get(schema)
            if validator is None:
                continue  # FT602
            error = validator.first_error(arguments)
            if error is not None and not error.checked:
                yield Finding(f"{call.message.label}: arguments of {call.name!r} could not be checked against its "
                              f"parameters: {error.message}", pointer=f"{call.pointer}/arguments")
            elif error is not None:
                where = "/".join(str(part) for part in error.path)
                yield Finding(f"{call.message.label}: arguments of {call.name!r} do not match its parameters: "
                              f"{error.message}" + (f" (at {where})" if where else ""),
                              pointer=f"{call.pointer}/arguments")


class DuplicateToolCallId(Rule[NoOptions]):
    """Two tool calls in one example share an id.

    Why: results are matched to calls by id; with duplicates the pairing is
    ambiguous. Common in generated data that writes a constant id. Warning.
    """

    code = "FT607"
    requires = frozenset({"tools"})
    name = "duplicate-tool-call-id"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Tool call id used twice in one example"
    fix = "Give every call in an example its own id"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for call in calls(context.example):
            if call.id is None:
                continue
            if call.id in seen:
                yield Finding(f"{call.message.label}: tool call id {call.id!r} is already used earlier in this example",
                              pointer=call.pointer.rsplit("/", 1)[0] + "/id")
            seen.add(call.id)


class ParallelCallsDisabled(Rule[NoOptions]):
    """`parallel_tool_calls: false`, yet an assistant turn makes several calls.

    Why: the example contradicts itself: it disables parallel calls and trains
    on them. Warning.
    """

    code = "FT608"
    requires = frozenset({"tools"})
    name = "parallel-calls-disabled"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Several calls in one turn with parallel_tool_calls false"
    fix = "Split the calls into separate turns, or drop parallel_tool_calls: false"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        raw, _ = context.example.settings
        if raw.get("parallel_tool_calls") is not False:
            return
        for message in context.example.all_messages:
            if message.role == "assistant" and len(message.tool_calls) > 1:
                yield Finding(f"{message.label} makes {len(message.tool_calls)} tool calls although "
                              "parallel_tool_calls is false", pointer=f"{message.pointer}/tool_calls")


class LegacyFunctionCalling(Rule[NoOptions]):
    """The deprecated function-calling style: `functions`, `function_call`, `role: function`.

    Why: still accepted, but "function_call and functions have been deprecated
    in favor of tools"; Azure once rejected `role: function`. Info.
    """

    code = "FT609"
    requires = frozenset({"tools"})
    name = "legacy-function-calling"
    severity = Severity.INFO
    scope = Scope.EXAMPLE
    summary = "Deprecated functions/function_call style"
    fix = "Use tools, tool_calls and tool messages"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if _style(context.example) & {"legacy"}:
            yield Finding("example uses deprecated `functions`/`function_call`/`role: function`; use `tools` and "
                          "`tool_calls`")


def _style(example: Example) -> set[str]:
    styles = set()
    raw = example.raw
    if "functions" in raw:
        styles.add("legacy")
    if "tools" in raw:
        styles.add("tools")
    for message in example.all_messages:  # one pass (FT610 collects it from every example)
        if message.role == "function" or "function_call" in message.data:
            styles.add("legacy")
        if message.tool_calls or message.role == "tool":
            styles.add("tools")
    return styles


@dataclass
class _Styles:
    first_line: dict[str, int] = field(default_factory=dict)  # style -> first line using it
    count: dict[str, int] = field(default_factory=dict)


class MixedFunctionCalling(DatasetRule[NoOptions, _Styles]):
    """One file mixes the legacy function style with the tools style.

    Why: the two render differently in the chat template, so the model learns
    two conventions for one skill; the behaviour of mixed files is not
    documented. Warning, once per file.
    """

    code = "FT610"
    name = "mixed-function-calling"
    severity = Severity.WARNING
    summary = "File mixes functions/function_call with tools/tool_calls"
    fix = "Convert every example to tools and tool_calls"

    def start(self) -> _Styles:
        return _Styles()

    def collect(self, state: _Styles, context: ExampleContext) -> None:
        for style in _style(context.example):
            state.first_line.setdefault(style, context.record.line)
            state.count[style] = state.count.get(style, 0) + 1

    def merge(self, first: _Styles, later: _Styles) -> _Styles:
        lines = {**later.first_line, **first.first_line}
        counts = {k: first.count.get(k, 0) + later.count.get(k, 0) for k in {*first.count, *later.count}}
        return _Styles(lines, counts)

    def finish(self, state: _Styles, context: FileContext) -> Iterator[Finding]:
        if {"legacy", "tools"} <= set(state.count):
            yield Finding(f"{state.count['legacy']} example(s) use functions/function_call (first at line "
                          f"{state.first_line['legacy']}) and {state.count['tools']} use tools/tool_calls (first at "
                          f"line {state.first_line['tools']})", line=min(state.first_line.values()))


class ToolArgumentsType(Rule[NoOptions]):
    """A call's `arguments` are not of the type the target wants.

    Why: OpenAI, Azure, Together and Fireworks take `arguments` as a JSON string
    (the OpenAI chat format: "The arguments ... as generated by the model in
    JSON format"); an object is rejected there. Hugging Face chat templates
    read it as a mapping instead: Qwen3-family templates crash on a string
    ("Can only get item pairs from a mapping", QwenLM/Qwen3#1894), Qwen2.5 ones
    silently double-encode it, and TRL's docs use objects
    (trl docs/source/dataset_formats.md). The target's `tool_arguments` says
    which; for hf it is a warning, and when the model's chat template is at hand
    FT611/FT612 decide instead (some templates, such as DeepSeek's, want strings).

    Example (hf): `"arguments": "{\"city\": \"Oslo\"}"`
    Use instead: `"arguments": {"city": "Oslo"}` (`ftlint convert --to hf` rewrites them).
    """

    code = "FT620"
    requires = frozenset({"tools"})
    name = "tool-arguments-type"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Call arguments are not of the type the target wants (JSON string or object)"
    fix = "Write arguments as the target wants: a JSON string (OpenAI and copies) or an object (HF templates)"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        wanted = context.run.target.tool_arguments
        if wanted == "object" and context.run.chat is not None:
            return  # the user's trainer renders through the model's own template: it decides (FT611, FT612)
        for call in calls(context.example):
            if wanted == "string" and isinstance(call.arguments, dict):
                yield Finding(f"{call.message.label}: arguments of {call.name!r} are an object; "
                              f"{context.run.target.name} wants them as a JSON string",
                              pointer=f"{call.pointer}/arguments")
            elif wanted == "object" and isinstance(call.arguments, str):
                yield Finding(f"{call.message.label}: arguments of {call.name!r} are a JSON string; "
                              f"{context.run.target.name} chat templates iterate a mapping (Qwen3 templates fail: "
                              "\"Can only get item pairs from a mapping\"): write an object",
                              pointer=f"{call.pointer}/arguments")


RULES = [InvalidToolName, InvalidToolParameters, UnknownToolCallId, UndeclaredFunction, InvalidToolArguments,
         ToolArgumentsMismatch, DuplicateToolCallId, ParallelCallsDisabled, LegacyFunctionCalling,
         MixedFunctionCalling, ToolArgumentsType]

"""What a rule is, and what it is shown.

A rule is a small declarative class: a code (``FT`` + 3 digits; families by
hundreds), a kebab-case name that names the bad pattern, a default severity, a
pydantic options model, a docstring (what, why, example, fix) and a ``check``
that yields Findings. Rules are pure: no I/O, no printing, no global state.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import inspect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from ftlint.digests import canonical_digest, canonical_digest_repeated, combine
from ftlint.records import FileFacts, Record
from ftlint.schema import HARMLESS_ISSUES
from ftlint.violation import Finding, Severity

if TYPE_CHECKING:
    from ftlint.baseline import Baseline
    from ftlint.catalog import ModelInfo, Target
    from ftlint.formats import Example
    from ftlint.hf import ChatAnalysis, ChatSetup
    from ftlint.schema import SchemaProblem
    from ftlint.stats import FileTotals
    from ftlint.tokens import ExampleTokens

CODE_PATTERN = re.compile(r"^[A-Z]{2,3}[0-9]{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Scope(str, enum.Enum):
    """What a rule looks at."""

    LINE = "line"  # every non-blank line, parsed or not: sees parse problems
    EXAMPLE = "example"  # every line that parsed into a JSON object
    FILE = "file"  # once per file, after its last line: sees file facts and totals
    DATASET = "dataset"  # collects from every example into a mergeable state, judges once per file
    RUN = "run"  # once per run, after every file: sees what only the whole run knows (the baseline)


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Options(BaseModel):
    """Base for a rule's options: unknown keys are an error, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class RunInfo:
    """Facts about the run that rules may depend on (not the data)."""

    model: ModelInfo
    method: str  # "auto" or a format's method name
    kind: str  # "training" or "validation"
    target: Target  # where the data is going: its limits and policies (models.toml)
    has_validation_file: bool = False  # does the run include a validation file?
    has_training_file: bool = True  # does it include a training file? (a run of validation files only)
    today: dt.date = field(default_factory=dt.date.today)  # the run's clock (FTLINT_TODAY pins it)
    chat: ChatSetup | None = None  # an open-weight model's template and tokenizer (ftlint.hf), if any


@dataclass
class LineContext:
    record: Record
    run: RunInfo


@dataclass
class ExampleContext:
    """One parsed record in its detected format.

    ``example`` is a tolerant view that never raises on odd data;
    ``schema_problems`` lists how the record breaks its format's schema;
    ``tokens`` is set for schema-valid examples when a rule or total needs them.
    """

    record: Record
    run: RunInfo
    example: Example
    expected_format: str
    schema_problems: list[SchemaProblem] = field(default_factory=list)
    tokens: ExampleTokens | None = None
    tokenizer_error: str = ""
    chat: ChatAnalysis | None = None  # the example through the open model's chat template (run.chat)

    @property
    def valid(self) -> bool:
        return not self.schema_problems and self.example.format == self.expected_format

    @property
    def usable(self) -> bool:
        """Its structure can be read: it is in the file's format and its only schema problems leave the
        messages readable (an extra key, an odd weight...). Such a record is counted and compared by the
        dataset rules, while its schema problems are reported."""
        return self.example.format == self.expected_format and all(
            problem.kind in HARMLESS_ISSUES for problem in self.schema_problems)

    @functools.cached_property
    def _digests(self) -> tuple[list[bytes], bytes]:
        """Each message's digest, and one of everything else (each message is serialized once).

        Key order counts nowhere (`canonical_digest`): JSON objects are unordered, and a provider sees
        the same example whatever order an exporter wrote its keys in.
        """
        example = self.example
        messages = [canonical_digest(message.raw) for message in example.all_messages]
        rest = {key: value for key, value in example.raw.items() if key not in example.turn_keys}
        if isinstance(rest.get("input"), dict):
            rest["input"] = {k: v for k, v in rest["input"].items() if k != "messages"}
        return messages, canonical_digest_repeated(rest)  # `tools`, often the same on every line

    @functools.cached_property
    def fingerprint(self) -> bytes:
        """A 128-bit digest of the record's normalized JSON: whitespace, escapes and key order do not
        count. Two examples are duplicates (FT505, and what `ftlint fix --unsafe-fixes` drops) exactly
        when their fingerprints are equal."""
        messages, rest = self._digests
        return combine([*messages, rest])

    @functools.cached_property
    def prompt_and_answer(self) -> tuple[bytes, bytes] | None:
        """Digests of everything before the final assistant turn (with the rest of the record, such as
        tools), and of that turn."""
        messages, rest = self._digests
        conversation = self.example.messages
        if self.example.format == "preference":
            return combine([*messages[: len(conversation)], rest]), messages[len(conversation)] \
                if len(messages) > len(conversation) else combine([])
        last = next((i for i in range(len(conversation) - 1, -1, -1) if conversation[i].role == "assistant"), None)
        if last is None:
            return None
        answer = conversation[last].data
        # The answer is what the assistant says, whatever its weight (which says whether it is trained on).
        said = canonical_digest({k: v for k, v in answer.items() if k != "weight"}) if "weight" in answer \
            else messages[last]
        return combine([*messages[:last], rest]), said


@dataclass
class FileContext:
    facts: FileFacts
    totals: FileTotals
    run: RunInfo
    format: str | None  # None when no record had any format's signature
    path: str = ""
    shared: Mapping[str, Any] = field(default_factory=dict)  # what earlier files of the run published
    # The input is a regular file, whose name is what an upload would carry (not standard input, a pipe
    # such as /dev/fd/63 from `<(zcat ...)`, or records handed to the API).
    regular_file: bool = False


@dataclass
class RunContext:
    """What a run-stage rule sees once every file is checked."""

    baseline: Baseline | None = None


OptionsT = TypeVar("OptionsT", bound=BaseModel)

# What a rule may require (Rule.requires) besides an example's own features (formats.Example.features);
# the record pass (ftlint.passes) knows them. A line rule's: what the reader found on the line (a clean
# line runs only the rules that require none of them).
LINE_FEATURES = ("parse-problem", "duplicate-keys", "lone-surrogates", "blank")
SCHEMA_PROBLEMS = frozenset({"schema-problems"})  # the record breaks its format's schema
CHAT_TEMPLATE = frozenset({"chat-template"})  # the run renders examples through an open model's chat template


class Rule(Generic[OptionsT]):
    """Base class of every rule, built-in or plugin."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    scope: ClassVar[Scope]
    summary: ClassVar[str]  # one line: what is wrong
    fix: ClassVar[str] = ""  # one line: how to fix it
    options_model: ClassVar[type[BaseModel]] = NoOptions
    formats: ClassVar[frozenset[str] | None] = None  # None: every format
    needs_tokens: ClassVar[bool] = False
    enabled_by_default: ClassVar[bool] = True
    # Example features the rule looks at ("tools", "images", and those above): examples without them skip it.
    requires: ClassVar[frozenset[str]] = frozenset()
    # Findings about secrets: never show the source line (the value would be in it).
    sensitive: ClassVar[bool] = False
    # A necessary condition for any finding: an re2 pattern over the line's raw bytes (ftlint.prefilter),
    # or a tuple of patterns that must all match. Lines where it does not hold skip the rule's check.
    # None: the rule looks at every line. An instance may set it from its options (None when a user's
    # own pattern could match anything).
    prefilter: str | tuple[str, ...] | None = None

    def __init__(self, options: OptionsT | None = None) -> None:
        self.options: OptionsT = options if options is not None else self.options_model()  # type: ignore[assignment]

    def check(self, context: Any) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or cls.summary)

    @classmethod
    def validate_definition(cls) -> list[str]:
        """Problems with the rule's declaration itself (used for plugins too)."""
        problems = []
        for attribute in ("code", "name", "severity", "scope", "summary"):
            if not hasattr(cls, attribute):
                problems.append(f"missing class attribute `{attribute}`")
        if problems:
            return problems
        if not CODE_PATTERN.match(cls.code):
            problems.append(f"code {cls.code!r} is not 2-3 capital letters and 3 digits")
        if not NAME_PATTERN.match(cls.name):
            problems.append(f"name {cls.name!r} is not kebab-case")
        if not isinstance(cls.severity, Severity):
            problems.append("severity is not a Severity")
        if not isinstance(cls.scope, Scope):
            problems.append("scope is not a Scope")
        return problems


StateT = TypeVar("StateT")


class DatasetRule(Rule[OptionsT], Generic[OptionsT, StateT]):
    """A rule over a whole file in bounded memory: it keeps counters and hashes, never records.

    ``collect`` sees every example (in order); ``merge`` joins the states of two
    consecutive ranges of the file (parallel runs, partitions), and must be
    associative; ``finish`` judges the merged state. States must be picklable.
    """

    scope = Scope.DATASET

    def start(self) -> StateT:
        raise NotImplementedError

    def collect(self, state: StateT, context: ExampleContext) -> None:
        raise NotImplementedError

    def merge(self, first: StateT, later: StateT) -> StateT:
        raise NotImplementedError

    def finish(self, state: StateT, context: FileContext) -> Iterator[Finding]:
        raise NotImplementedError

    def publish(self, state: StateT, context: FileContext, shared: dict[str, Any]) -> None:
        """Leave something for later files of the run (train/validation leakage); default: nothing."""

    def check(self, context: Any) -> Iterator[Finding]:
        raise TypeError("dataset rules are run through start/collect/merge/finish")

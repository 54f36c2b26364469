"""The engine: streams one file through the reader, the format layer and the rules.

Data flows one way: bytes -> Record -> Example -> Violations and totals. This
is the one place where selection, severity overrides and per-file ignores are
applied, and where a failing rule is contained.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from pydantic import ValidationError

from ftlint import catalog as catalog_module
from ftlint.baseline import Baseline
from ftlint.catalog import Catalog, ModelInfo
from ftlint.config import Config, ConfigError, ConfigResolver
from ftlint.digests import digest
from ftlint.formats import FORMAT_BY_METHOD, FORMATS, family_of, guess_format, guess_strength, view
from ftlint.pointer import locate
from ftlint.records import FileFacts, Reader, Record
from ftlint.registry import Registry
from ftlint.rule import ExampleContext, FileContext, LineContext, Rule, RunInfo, Scope
from ftlint.rules.custom import schema_rules
from ftlint.schema import validate
from ftlint.selection import Layer, Selector
from ftlint.stats import FileTotals
from ftlint.tokens import TokenCounter, TokenizerFailure, VocabularyError, count_record, resolve_tokenizer
from ftlint.violation import Finding, Severity, Violation


@dataclass
class FileReport:
    """Everything known about one file once its last line is read."""

    path: str
    kind: str  # training | validation
    format: str | None
    model: ModelInfo
    facts: FileFacts
    totals: FileTotals
    tokens_counted: bool
    tokenizer: str  # which exact counter did the counting ("" when tokens were off)
    epochs: int | None
    cost_usd: float | None
    counts: Counter[Severity] = field(default_factory=Counter)
    internal_errors: list[str] = field(default_factory=list)  # a built-in rule failed: exit 2
    plugin_errors: list[tuple[str, str]] = field(default_factory=list)  # (distribution, message)


@dataclass
class Plan:
    """What is fixed for every file that shares one configuration."""

    registry: Registry
    config: Config
    catalog: Catalog
    model: ModelInfo
    selector: Selector
    enabled: set[str]
    rules: dict[str, Rule[Any]]
    severities: dict[str, Severity]


class Engine:
    def __init__(self, registry: Registry, resolver: ConfigResolver, cli_layer: Layer | None = None) -> None:
        self.registry = registry
        self.resolver = resolver
        self.cli_layer = cli_layer or Layer()
        self._plans: dict[int, Plan] = {}
        self._counters: dict[str, TokenCounter] = {}
        self._broken: set[str] = set()
        self.baseline: Baseline | None = None
        self.run_has_validation_file = False  # set by the caller that knows every file of the run
        self.shared: dict[str, Any] = {}  # what dataset rules publish for later files of the run

    def plan(self, config: Config) -> Plan:
        key = id(config.settings)
        if key not in self._plans:
            self._plans[key] = self._make_plan(config)
        return self._plans[key]

    def _make_plan(self, config: Config) -> Plan:
        settings = config.settings
        try:
            catalog = catalog_module.load_catalog(settings.models, settings.provider, settings.providers)
            model = catalog.resolve(settings.model)
            if settings.tokens:
                resolve_tokenizer(settings.tokenizer)
        except (catalog_module.CatalogError, VocabularyError) as exc:
            raise ConfigError(str(exc)) from None
        registry = self.registry
        if settings.plugins:
            registry = registry.with_local([config.root / path for path in settings.plugins])
        if settings.schemas:
            try:
                registry = registry.with_rules("config schema", schema_rules(settings.schemas, config.root))
            except ValueError as exc:
                raise ConfigError(f"{config.path}: {exc}") from None
        selector = Selector({code: rule.name for code, rule in registry.rules.items()})
        defaults = [code for code, rule in registry.rules.items() if rule.enabled_by_default]
        try:
            enabled = selector.resolve(defaults, [
                Layer(settings.select, settings.extend_select, settings.ignore), self.cli_layer])
            for table in (settings.severity, settings.rules):
                selector.validate(table)
            for selectors in settings.per_file_ignores.values():
                selector.validate(selectors)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        rules: dict[str, Rule[Any]] = {}
        severities: dict[str, Severity] = {}
        for code in sorted(enabled):
            rule_class = registry.rules[code]
            options = selector.most_specific(code, {k: v for k, v in settings.rules.items()
                                                    if k in (code, rule_class.name)})
            try:
                parsed = rule_class.options_model.model_validate(options or {})
            except ValidationError as exc:
                detail = exc.errors(include_url=False)[0]
                where = ".".join(str(part) for part in detail["loc"])
                raise ConfigError(f"options of {code} ({rule_class.name}): `{where}`: {detail['msg']}") from None
            rules[code] = rule_class(parsed)
            override = selector.most_specific(code, settings.severity)
            severities[code] = override if isinstance(override, Severity) else rule_class.severity
        return Plan(registry, config, catalog, model, selector, enabled, rules, severities)

    def counter(self, encoding: str, tokenizer: str = "tiktoken") -> TokenCounter:
        key = f"{encoding}/{tokenizer}"
        if key not in self._counters:
            self._counters[key] = TokenCounter(encoding, tokenizer)
        return self._counters[key]

    def lint(self, stream: IO[bytes] | None, display: str, path: Path | None, *,
             validation: bool = False) -> FileLint:
        config = self.resolver.for_path(path)
        plan = self.plan(config)
        ignored = config.ignored_for(path) if path is not None else []
        codes = plan.selector.resolve(plan.enabled, [Layer(ignore=ignored)]) if ignored else plan.enabled
        kind = "validation" if path is not None and config.is_validation_file(path, validation) else (
            "validation" if validation else "training")
        return FileLint(self, plan, [plan.rules[c] for c in sorted(codes)], stream, display, kind,
                        regular_file=path is not None and path.is_file())


@dataclass
class PassResult:
    """What one pass over a range of lines found. Ranges merge in file order (parallel runs)."""

    facts: FileFacts = field(default_factory=FileFacts)
    totals: FileTotals = field(default_factory=FileTotals)
    file_format: str | None = None
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (rule code, line, message)
    violations: list[Violation] = field(default_factory=list)  # only filled for ranges run elsewhere
    states: dict[str, Any] = field(default_factory=dict)  # dataset rules' partial states, by code

    def __add__(self, later: PassResult) -> PassResult:
        failed = {code for code, _, _ in self.errors}
        # A rule that failed is off from then on, as in a single pass.
        kept = [v for v in later.violations if v.code not in failed]
        return PassResult(
            facts=self.facts + later.facts,
            totals=self.totals + later.totals,
            file_format=self.file_format or later.file_format,
            errors=self.errors + [e for e in later.errors if e[0] not in failed],
            violations=self.violations + kept,
            states={**later.states, **self.states},  # FileLint.merge joins the states of both
        )


class FileLint:
    """One file's run. Iterate to get its violations in order; ``report`` is complete afterwards."""

    def __init__(self, engine: Engine, plan: Plan, rules: list[Rule[Any]], stream: IO[bytes] | None,
                 display: str, kind: str, *, regular_file: bool = False) -> None:
        self.engine = engine
        self.plan = plan
        self.rule_codes = [rule.code for rule in rules]
        self.display = display
        self.regular_file = regular_file
        self.stream = stream
        settings = plan.config.settings
        self.run = RunInfo(model=plan.model, method=settings.method, kind=kind, profile=plan.catalog.profile,
                           has_validation_file=engine.run_has_validation_file)
        self.by_scope: dict[Scope, list[Rule[Any]]] = {scope: [] for scope in Scope}
        self.count_tokens = settings.tokens
        for rule in rules:
            if rule.needs_tokens and not self.count_tokens:
                continue  # `tokens = false` turns token rules off too; the summary says so
            self.by_scope[rule.scope].append(rule)
        self.tokenizer = resolve_tokenizer(settings.tokenizer) if self.count_tokens else ""
        self.default_format = (FORMAT_BY_METHOD.get(settings.method)
                               or FORMAT_BY_METHOD[plan.model.methods[0]])
        self.report: FileReport | None = None
        self.counts: Counter[Severity] = Counter()
        self.suppressed = 0
        self.on_progress: Callable[[int], None] | None = None  # told how many bytes were just done
        self.source: Callable[[], Any] | None = None  # records from elsewhere than a JSONL stream (Parquet)

    def __iter__(self) -> Iterator[Violation]:
        """Lint the whole stream in this process."""
        yield from self.final(self._whole_stream())

    def _whole_stream(self) -> Iterator[Violation]:
        result = PassResult()
        if self.source is not None:
            reader = self.source()
        else:
            assert self.stream is not None
            reader = Reader(self.stream, max_line_bytes=self.plan.config.settings.max_line_bytes)
        yield from self.records(reader, result)
        result.facts = reader.facts
        yield from self.finish(result)

    def final(self, violations: Iterator[Violation]) -> Iterator[Violation]:
        """The last stage, in the main process: baseline suppression and severity counts."""
        baseline = self.engine.baseline
        for violation in violations:
            if baseline is not None and baseline.suppress(violation):
                self.suppressed += 1
                continue
            self.counts[violation.severity] += 1
            yield violation

    def lint_range(self, stream: IO[bytes], offset: int, first_line: int,
                   file_format: str | None) -> PassResult:
        """Lint one range of the file: it starts at byte ``offset``, on line ``first_line``."""
        reader = Reader(stream, max_line_bytes=self.plan.config.settings.max_line_bytes,
                        first_line=first_line, offset=offset, at_file_start=first_line == 1)
        return self.lint_source(reader, file_format)

    def lint_source(self, reader: Any, file_format: str | None) -> PassResult:
        """Lint the records of ``reader`` (a Reader over a range, or any source that reads like one)."""
        result = PassResult(file_format=file_format)
        result.violations = list(self.records(reader, result))
        result.facts = reader.facts
        return result

    def merge(self, parts: list[PassResult]) -> PassResult:
        """Join consecutive ranges of this file, dataset rules' states included."""
        merged = parts[0]
        for part in parts[1:]:
            states = {}
            for rule in self.by_scope[Scope.DATASET]:
                first, later = merged.states.get(rule.code), part.states.get(rule.code)
                if first is not None and later is not None:
                    states[rule.code] = rule.merge(first, later)  # type: ignore[attr-defined]
                elif first is not None or later is not None:
                    states[rule.code] = first if first is not None else later
            merged = merged + part
            merged.states = states
        return merged

    def records(self, reader: Reader, result: PassResult) -> Iterator[Violation]:
        """Run the line and example rules over every record, accumulating into ``result``."""
        totals, errors = result.totals, result.errors
        dataset_rules = [rule for rule in self.by_scope[Scope.DATASET] if rule.code not in self.engine._broken]
        for rule in dataset_rules:
            result.states.setdefault(rule.code, rule.start())  # type: ignore[attr-defined]
        states = result.states
        limit = self.plan.model.training_context
        counter: TokenCounter | None = None
        line_rules = self.by_scope[Scope.LINE]
        example_rules = self.by_scope[Scope.EXAMPLE]
        chosen_rules: dict[tuple[str, frozenset[str]], list[Rule[Any]]] = {}
        billable = self.run.kind == "training"
        progress, reported = self.on_progress, reader.start
        for record in reader:
            if progress is not None and record.line % 1000 == 0:
                progress(record.offset - reported)
                reported = record.offset
            if not record.blank:
                totals.examples += 1
            yield from self._check_all(line_rules, LineContext(record, self.run), record, errors)
            value = record.value
            if value is None:
                continue
            if result.file_format is None:  # the first record with a format's signature decides
                result.file_format = self.detect_format(value)
            context = self._example_context(record, value, result.file_format or self.default_format)
            if context.valid:
                totals.valid += 1
                self._shape(context, totals)
                if self.count_tokens:
                    counter = counter or self.engine.counter(self.plan.model.encoding, self.tokenizer)
                    try:
                        context.tokens = count_record(value, context.example.format, counter)
                    except TokenizerFailure as exc:
                        context.tokenizer_error = str(exc)
                        totals.uncounted += 1
                    else:
                        totals.add_example(context.tokens.total, context.tokens.trainable, limit, billable)
                        totals.images_uncounted += context.tokens.images_estimated
            images = context.example.image_count
            if images:
                totals.images += images
                totals.image_examples += 1
            fmt = context.example.format
            features = context.example.features
            key = (fmt, features)
            chosen = chosen_rules.get(key)
            if chosen is None:
                chosen = chosen_rules[key] = [
                    rule for rule in example_rules
                    if (rule.formats is None or fmt in rule.formats) and rule.requires <= features]
            yield from self._check_all(chosen, context, record, errors)
            for rule in dataset_rules:
                if rule.formats is None or context.example.format in rule.formats:
                    self._collect(rule, states[rule.code], context, record, errors)

    @staticmethod
    def _shape(context: ExampleContext, totals: FileTotals) -> None:
        messages = context.example.messages
        if not messages and context.example.format != "completion":
            return
        system = next((m for m in messages if m.role in ("system", "developer")), None)
        prompt = digest(system.content) if system is not None else None
        calls = any(m.tool_calls or "function_call" in m.data for m in context.example.all_messages)
        totals.add_shape(len(context.example.all_messages), prompt, calls)

    def finish(self, result: PassResult) -> Iterator[Violation]:
        """Run the file rules on the merged facts and totals, then build the report."""
        file_context = FileContext(result.facts, result.totals, self.run, result.file_format, self.display,
                                   MappingProxyType(self.engine.shared), self.regular_file)
        for rule in self.by_scope[Scope.FILE]:
            yield from self._emit(rule, file_context, None, result.errors)
        for rule in self.by_scope[Scope.DATASET]:
            state = result.states.get(rule.code)
            if state is not None and (rule.formats is None or result.file_format in rule.formats):
                yield from self._emit(rule, (state, file_context), None, result.errors)
                if rule.code not in self.engine._broken:
                    rule.publish(state, file_context, self.engine.shared)  # type: ignore[attr-defined]
        self.report = self._report(result)

    def detect_format(self, value: dict[str, Any]) -> str | None:
        """The file's format, from its first record with a signature (None: keep looking)."""
        guessed, certain = guess_strength(value)
        if guessed is None:
            return None
        method = self.plan.config.settings.method
        if method != "auto":
            wanted = FORMAT_BY_METHOD[method]
            # When the data disagrees with --method, trust the data; FT113 reports the clash once.
            return wanted if FORMATS[wanted].family == FORMATS[guessed].family else guessed
        if not certain and FORMATS[guessed].family == "messages":
            for name in (guessed, "chat", "reinforcement"):
                if FORMATS[name].method in self.plan.model.methods:
                    return name  # an ambiguous shape: the model decides
        return guessed

    def _example_context(self, record: Record, value: dict[str, Any], file_format: str) -> ExampleContext:
        family = family_of(value)
        if family is not None and family != FORMATS[file_format].family:
            found = guess_format(value) or file_format
            return ExampleContext(record, self.run, view(value, found), file_format)
        return ExampleContext(record, self.run, view(value, file_format), file_format,
                              schema_problems=validate(value, file_format))

    def _check_all(self, rules: list[Rule[Any]], context: LineContext | ExampleContext, record: Record,
                   errors: list[tuple[str, int, str]]) -> Iterator[Violation]:
        """The record's findings from each of ``rules`` in turn (one generator per record, not per rule:
        this loop runs ~60 times per line)."""
        broken, severities = self.engine._broken, self.plan.severities
        for rule in rules:
            if rule.code in broken:
                continue
            try:
                findings = list(rule.check(context))
            except Exception as exc:
                self._disable(rule, record, errors, exc)
                continue
            if findings:
                severity = severities[rule.code]
                for finding in findings:
                    yield self._violation(rule, severity, finding, record)

    def _emit(self, rule: Rule[Any], context: Any, record: Record | None,
              errors: list[tuple[str, int, str]]) -> Iterator[Violation]:
        if rule.code in self.engine._broken:
            return
        try:
            dataset = rule.scope is Scope.DATASET
            findings = list(rule.finish(*context) if dataset else rule.check(context))  # type: ignore[attr-defined]
        except Exception as exc:
            self._disable(rule, record, errors, exc)
            return
        severity = self.plan.severities[rule.code]
        for finding in findings:
            yield self._violation(rule, severity, finding, record)

    def _disable(self, rule: Rule[Any], record: Record | None, errors: list[tuple[str, int, str]],
                 exc: Exception) -> None:
        """Contain a failing rule: report it once and turn it off for the rest of the run."""
        self.engine._broken.add(rule.code)
        where = f" at line {record.line}" if record is not None else ""
        errors.append((rule.code, record.line if record else 0,
                       f"rule {rule.code} ({rule.name}) failed{where}: {exc!r}; it was disabled"))

    def _collect(self, rule: Rule[Any], state: Any, context: ExampleContext, record: Record,
                 errors: list[tuple[str, int, str]]) -> None:
        if rule.code in self.engine._broken:
            return
        try:
            rule.collect(state, context)  # type: ignore[attr-defined]
        except Exception as exc:  # contain a failing rule, report it, go on
            self._disable(rule, record, errors, exc)

    def _violation(self, rule: Rule[Any], severity: Severity, finding: Finding,
                   record: Record | None) -> Violation:
        line = finding.line if finding.line is not None else (record.line if record else 1)
        column = finding.column
        text = record.text.removesuffix("\r") if record is not None else ""
        if column is None and record is not None and finding.pointer and record.value is not None:
            column = locate(text, finding.pointer)
        column = column or 1
        content = record.raw.removesuffix(b"\r") if record is not None else self.display.encode()
        fingerprint = hashlib.blake2b(content + b"\0" + finding.pointer.encode(), digest_size=8).hexdigest()
        snippet, snippet_column = ("", 0) if rule.sensitive else _snippet(text, column)
        return Violation(
            code=rule.code, name=rule.name, severity=severity, path=self.display, line=line,
            column=column, pointer=finding.pointer, message=finding.message, fix=rule.fix,
            fingerprint=fingerprint, snippet=snippet, snippet_column=snippet_column,
        )

    def _report(self, result: PassResult) -> FileReport:
        facts, totals, file_format = result.facts, result.totals, result.file_format
        settings = self.plan.config.settings
        model = self.plan.model
        epochs: int | None = None
        cost: float | None = None
        trainable_here = file_format is not None and FORMATS[file_format].method in model.methods
        if self.run.kind == "training" and totals.valid:
            epochs = settings.epochs or catalog_module.default_epochs(totals.valid)
            # No estimate for a format the model cannot train on, or one billed per hour (RFT).
            if self.count_tokens and trainable_here and file_format != "reinforcement":
                cost = catalog_module.training_cost(totals.billed, epochs, model)
        return FileReport(
            path=self.display, kind=self.run.kind, format=file_format, model=model, facts=facts,
            totals=totals, tokens_counted=self.count_tokens, tokenizer=self.tokenizer, epochs=epochs,
            cost_usd=cost,
            counts=self.counts,
            internal_errors=[m for code, _, m in result.errors if self.plan.registry.is_builtin(code)],
            plugin_errors=[(self.plan.registry.origin[code].distribution, m) for code, _, m in result.errors
                           if not self.plan.registry.is_builtin(code)],
        )


_SNIPPET_WIDTH = 100


def _snippet(text: str, column: int) -> tuple[str, int]:
    """At most ~100 characters of ``text`` around ``column``, and the column within them."""
    if len(text) <= _SNIPPET_WIDTH:
        return text, column
    start = max(0, min(column - 1 - _SNIPPET_WIDTH // 2, len(text) - _SNIPPET_WIDTH))
    piece = text[start:start + _SNIPPET_WIDTH]
    prefix = "…" if start else ""
    suffix = "…" if start + _SNIPPET_WIDTH < len(text) else ""
    return prefix + piece + suffix, column - start + len(prefix)


def deadline_notices(plans: list[Plan], today: dt.date) -> list[str]:
    """One line per fine-tuning deadline that is past or within 90 days, naming its models."""
    grouped: dict[tuple[dt.date, str], list[str]] = {}
    for plan in plans:
        end, note = plan.catalog.jobs_end(plan.model)
        if end is not None and (end - today).days <= 90:
            models = grouped.setdefault((end, note), [])
            if plan.model.id not in models:
                models.append(plan.model.id)
    notices = []
    for (end, note), models in sorted(grouped.items()):
        names = ", ".join(models)
        days = (end - today).days
        if days <= 0:
            notices.append(f"new fine-tuning jobs for {names} cannot be created since {end.isoformat()}")
        else:
            reason = f"{note} on {end.isoformat()}" if note else f"jobs close on {end.isoformat()}"
            last = (end - dt.timedelta(days=1)).isoformat()
            notices.append(f"{reason}, in {days} day(s): the last day to create a job for {names} is {last}")
    return notices

"""The engine: what is fixed for a run (plans, rules, counters) and how one file is linted.

Data flows one way: bytes -> Record -> Example -> Violations and totals. The
parts live in their own modules: the record pass (``passes.py``: reader,
formats, schema, rules), the stamper (``stamp.py``: a rule's finding becomes a
violation with its place, fingerprint, excerpt and effective severity) and the
report builder (``filereport.py``: totals, epochs, cost). This module ties them
together: selection and severity are decided in the plan, a failing rule is
contained by :class:`RuleHealth`, and a file's findings go to a :class:`Sink`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Protocol, TypeVar

from ftlint import catalog as catalog_module
from ftlint import clock, plugintime
from ftlint.catalog import Catalog, ModelInfo, Target
from ftlint.config import Config, ConfigError, ConfigResolver
from ftlint.filereport import FileReport, build_report
from ftlint.formats import FORMAT_BY_METHOD, FORMATS, guess_strength
from ftlint.hf.setup import ChatSetup, setup_for_settings
from ftlint.masking import mask, mask_name, run_scanners
from ftlint.prefilter import Prefilter
from ftlint.records import FileFacts, Reader
from ftlint.registry import RULE_ERRORS, Registry
from ftlint.repeats import SHOW_ALL, Listing
from ftlint.rule import DatasetRule, FileContext, Rule, RunContext, RunInfo, Scope
from ftlint.rules.secrets import Scanner
from ftlint.selection import Layer, Selector
from ftlint.stamp import Stamper, validated
from ftlint.stats import FileTotals
from ftlint.tokens import ESTIMATE, EstimateCounter, TokenCounter, VocabularyError, resolve_tokenizer
from ftlint.violation import Finding, Severity, Violation

Emit = Callable[[Violation], None]
T = TypeVar("T")


class Sink(Protocol):
    """Where a run's findings go, file by file, in order (the run: suppression, reporters, totals)."""

    def file_started(self, job: FileJob) -> None: ...

    def violation(self, violation: Violation) -> None: ...

    def file_finished(self, report: FileReport) -> None: ...


@dataclass(frozen=True)
class RuleSet:
    """The rules of one file, by what they look at (dataset rules keep their own type)."""

    line: tuple[Rule[Any], ...] = ()
    example: tuple[Rule[Any], ...] = ()
    file: tuple[Rule[Any], ...] = ()
    dataset: tuple[DatasetRule[Any, Any], ...] = ()
    run: tuple[Rule[Any], ...] = ()

    @classmethod
    def of(cls, rules: Iterable[Rule[Any]], *, tokens: bool) -> RuleSet:
        """``tokens = false`` turns the token rules off too (the summary says so)."""
        chosen = [rule for rule in rules if tokens or not rule.needs_tokens]
        return cls(
            line=tuple(r for r in chosen if r.scope is Scope.LINE),
            example=tuple(r for r in chosen if r.scope is Scope.EXAMPLE),
            file=tuple(r for r in chosen if r.scope is Scope.FILE),
            dataset=tuple(r for r in chosen if isinstance(r, DatasetRule)),
            run=tuple(r for r in chosen if r.scope is Scope.RUN),
        )


@dataclass(frozen=True)
class RuleFailure:
    """A rule raised: it is reported once (exit 2 for a built-in rule) and off from then on."""

    code: str
    line: int  # 0 when not at a record
    message: str


class RuleHealth:
    """The one place where a failing rule is contained."""

    def __init__(self) -> None:
        self.disabled: set[str] = set()

    def fail(self, rule: Rule[Any], line: int, exc: BaseException, failures: list[RuleFailure]) -> None:
        self.disabled.add(rule.code)
        where = f" at line {line}" if line else ""
        # An exception may quote the data it choked on: its secrets are hidden like a finding's.
        failures.append(RuleFailure(rule.code, line, mask(f"rule {rule.code} ({rule.name}) failed{where}: {exc!r}; "
                                                          "it was disabled")))

    def run(self, rule: Rule[Any], line: int, failures: list[RuleFailure], action: Callable[..., T],
            *args: Any) -> T | None:
        """``action(*args)``, or None when the rule is off or raises (then it is reported and turned off)."""
        if rule.code in self.disabled:
            return None
        try:
            return action(*args)
        except RULE_ERRORS as exc:
            self.fail(rule, line, exc, failures)
            return None

    def findings(self, rule: Rule[Any], line: int, failures: list[RuleFailure],
                 check: Callable[..., Iterable[Finding]], *args: Any) -> list[Finding]:
        """Every finding of ``check(*args)`` (none when the rule is off or raises)."""
        return self.run(rule, line, failures, _listed, check, *args) or []


def _listed(check: Callable[..., Iterable[Finding]], *args: Any) -> list[Finding]:
    return validated(check(*args))


@dataclass
class Plan:
    """What is fixed for every file that shares one configuration."""

    registry: Registry
    config: Config
    catalog: Catalog
    model: ModelInfo
    selector: Selector
    enabled: frozenset[str]
    rules: dict[str, Rule[Any]]
    severities: dict[str, Severity]
    chat: ChatSetup | None = None  # an open-weight model's template and tokenizer (ftlint.hf)
    scanners: tuple[Scanner, ...] | None = None  # what hides secrets in reports (None: the defaults)
    prefilter: Prefilter = field(default_factory=lambda: Prefilter(()))  # the rules' conditions, one scan a line

    @property
    def target(self) -> Target:
        return self.catalog.target


class Engine:
    """Builds a plan per configuration and a :class:`FileJob` per file; holds what a run shares."""

    def __init__(self, registry: Registry, resolver: ConfigResolver, cli_layer: Layer | None = None, *,
                 has_validation_file: bool = False, has_training_file: bool = True,
                 listing: Listing = SHOW_ALL) -> None:
        self.registry = registry
        self.resolver = resolver
        self.cli_layer = cli_layer or Layer()
        self.has_validation_file = has_validation_file
        self.has_training_file = has_training_file
        self.listing = listing  # what the run's report can show of each file's violations (ftlint.stamp)
        self.today = clock.today()  # read once: every file of the run is judged on the same day
        self.health = RuleHealth()
        self.shared: dict[str, Any] = {}  # what dataset rules publish for later files of the run
        self._plans: dict[int, Plan] = {}
        self._counters: dict[str, TokenCounter] = {}

    def plan(self, config: Config) -> Plan:
        key = id(config.settings)
        if key not in self._plans:
            try:
                self._plans[key] = _make_plan(self.registry, config, self.cli_layer)
            except ConfigError as exc:  # name the config file (and the key's line) in one line
                raise config.error(exc) from None
        return self._plans[key]

    def plans(self) -> list[Plan]:
        """Every plan built so far, in the order they were first needed."""
        return list(self._plans.values())

    def counter(self, encoding: str | None, tokenizer: str = "tiktoken") -> TokenCounter:
        """The exact counter of an OpenAI encoding; for a model without one (None), the labelled estimate."""
        key = f"{encoding}/{tokenizer}"
        if key not in self._counters:
            self._counters[key] = TokenCounter(encoding, tokenizer) if encoding else EstimateCounter()
        return self._counters[key]

    def job(self, display: str, path: Path | None, *, validation: bool = False) -> FileJob:
        """The job of one file (``path`` None: standard input or records given in code)."""
        named = path if path is not None else self.resolver.stdin_name  # --stdin-filename
        if path is None and named is not None:
            display = str(named)
        display = mask_name(display)  # as run._display does: a key in a name is never shown
        config = self.resolver.for_path(named)
        plan = self.plan(config)
        ignored = config.ignored_for(named) if named is not None else []
        codes = plan.selector.resolve(set(plan.enabled), [Layer(ignore=ignored)]) if ignored else plan.enabled
        kind, reason = config.kind_of(named, validation)
        rules = RuleSet.of((plan.rules[c] for c in sorted(codes)), tokens=config.settings.tokens)
        job = FileJob(self, plan, rules, display, kind, regular_file=path is not None and path.is_file())
        job.validation_reason = reason if kind == "validation" else ""
        return job

    def run_findings(self, context: RunContext, display: str, emit: Emit) -> list[RuleFailure]:
        """The run-stage rules (FT901) of the first plan, stamped against ``display``."""
        failures: list[RuleFailure] = []
        plans = self.plans()
        if not plans:
            return failures
        plan = plans[0]
        stamper = Stamper(plan.severities, display, plan.scanners)
        for rule in RuleSet.of(plan.rules.values(), tokens=True).run:
            for finding in self.health.findings(rule, 0, failures, rule.check, context):
                emit(stamper.stamp(rule, finding, None))
        return failures


def _make_plan(registry: Registry, config: Config, cli_layer: Layer) -> Plan:
    settings = config.settings
    try:
        catalog = catalog_module.load_catalog(settings.models, settings.provider, settings.providers)
        model = catalog.resolve(settings.model or catalog.target.default_model)
        chat = setup_for_settings(settings, model, config.root)
        if settings.tokens and chat is None:
            resolve_tokenizer(settings.tokenizer)
    except (catalog_module.CatalogError, VocabularyError, ValueError) as exc:
        raise ConfigError(str(exc)) from None
    registry = config.rules_registry(registry)
    selector = Selector({code: rule.name for code, rule in registry.rules.items()})
    defaults = [code for code, rule in registry.rules.items() if rule.enabled_by_default]
    target = catalog.target
    try:  # the target's own selection (models.toml, or [providers.NAME] in config)
        selector.validate(target.extend_select)
        selector.validate(target.ignore)
        selector.validate(target.severity)
    except ValueError as exc:
        raise ConfigError(f"target {target.id}: {exc}") from None
    config.check_selectors(selector)  # at the key that names an unknown rule, with a suggestion
    try:
        enabled = selector.resolve(defaults, [Layer(None, target.extend_select, target.ignore),
                                              *config.selection_layers, cli_layer])
    except ValueError as exc:  # the config's selectors are checked: this one is the command line's
        raise ConfigError(str(exc), located=True) from None
    rules = {code: config.build_rule(code, registry.rules[code]) for code in sorted(enabled)}
    for code, rule in rules.items():
        if not registry.is_builtin(code):  # code from anywhere: a hang is stopped and reported
            plugintime.limit(rule, settings.plugin_timeout)
    severities = {}
    for code, rule in rules.items():
        # The user's config first, then the target's own verdict, then the rule's default.
        override = selector.most_specific(code, settings.severity) or selector.most_specific(code, target.severity)
        severities[code] = override if isinstance(override, Severity) else rule.severity
    return Plan(registry, config, catalog, model, selector, frozenset(enabled), rules, severities, chat,
                run_scanners(lambda kind: rules.get(kind.code) or config.build_rule(kind.code, kind)),
                Prefilter(rules.values()))


@dataclass
class PassResult:
    """What one pass over a range of lines found. Ranges merge in file order (parallel runs)."""

    facts: FileFacts = field(default_factory=FileFacts)
    totals: FileTotals = field(default_factory=FileTotals)
    file_format: str | None = None
    failures: list[RuleFailure] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)  # only filled for ranges run elsewhere
    states: dict[str, Any] = field(default_factory=dict)  # dataset rules' partial states, by code


class FileJob:
    """One file of the run: its plan, rules and run facts. Lint it whole (:meth:`lint`), or in
    ranges (:meth:`lint_range`, then :meth:`merge` in file order and :meth:`finish`)."""

    def __init__(self, engine: Engine, plan: Plan, rules: RuleSet, display: str, kind: str, *,
                 regular_file: bool = False) -> None:
        self.engine = engine
        self.plan = plan
        self.rules = rules
        self.display = display
        self.regular_file = regular_file
        settings = plan.config.settings
        self.count_tokens = settings.tokens
        self.tokenizer = "" if not self.count_tokens else (
            plan.chat.label if plan.chat is not None else
            resolve_tokenizer(settings.tokenizer) if plan.model.encoding else ESTIMATE)
        self.run = RunInfo(model=plan.model, method=settings.method, kind=kind, target=plan.target,
                           has_validation_file=engine.has_validation_file,
                           has_training_file=engine.has_training_file, today=engine.today, chat=plan.chat)
        self.default_format = FORMAT_BY_METHOD.get(settings.method) or FORMAT_BY_METHOD[plan.model.methods[0]]
        self.stamper = Stamper(plan.severities, display, plan.scanners, engine.listing)
        self.on_progress: Callable[[int], None] | None = None  # told how many bytes were just done
        self.validation_reason = ""  # why a validation file is one (Engine.job sets it)

    @property
    def kind(self) -> str:
        return self.run.kind

    def counter(self) -> TokenCounter:
        return self.engine.counter(self.plan.model.encoding, self.tokenizer)

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
            for name in ("chat", guessed, "reinforcement"):
                if FORMATS[name].method in self.plan.model.methods:
                    return name  # an ambiguous shape: the model decides (chat, when it trains chat)
        return guessed

    def lint(self, stream: IO[bytes], sink: Sink) -> FileReport:
        """Lint the whole stream in this process; findings go to ``sink`` as they are found."""
        sink.file_started(self)
        result = self.lint_range(stream, 0, 1, None, sink.violation)
        report = self.finish(result, sink.violation)
        sink.file_finished(report)
        return report

    def lint_range(self, stream: IO[bytes], offset: int, first_line: int, file_format: str | None,
                   emit: Emit | None = None) -> PassResult:
        """Lint one range of the file: it starts at byte ``offset``, on line ``first_line``. Its findings
        go to ``emit``, or into the result's ``violations`` (a range run in a worker)."""
        reader = Reader(stream, max_line_bytes=self.plan.config.settings.max_line_bytes, first_line=first_line,
                        offset=offset, at_file_start=first_line == 1)
        return self.lint_source(reader, file_format, emit)

    def lint_source(self, reader: Any, file_format: str | None, emit: Emit | None = None) -> PassResult:
        """Lint the records of any source that reads like ``Reader``: the rows of a Parquet file
        (ftlint.parquet), or a range of them."""
        from ftlint.passes import RecordPass

        result = PassResult(file_format=file_format)
        RecordPass(self, result).run(reader, emit or result.violations.append)
        result.facts = reader.facts
        return result

    def merge(self, first: PassResult, later: PassResult) -> PassResult:
        """Join two consecutive ranges of this file, dataset rules' states included. A rule that failed
        in the first is off in the later one too, as in a single pass."""
        failed = {failure.code for failure in first.failures}
        states: dict[str, Any] = {}
        for rule in self.rules.dataset:
            one, two = first.states.get(rule.code), later.states.get(rule.code)
            states[rule.code] = rule.merge(one, two) if one is not None and two is not None else (
                one if one is not None else two)
        return PassResult(
            facts=first.facts + later.facts,
            totals=first.totals + later.totals,
            file_format=first.file_format or later.file_format,
            failures=first.failures + [f for f in later.failures if f.code not in failed],
            violations=first.violations + [v for v in later.violations if v.code not in failed],
            states={code: state for code, state in states.items() if state is not None},
        )

    def finish(self, result: PassResult, emit: Emit) -> FileReport:
        """Run the file and dataset rules on the merged result, then build the file's report."""
        health, failures = self.engine.health, result.failures
        context = FileContext(result.facts, result.totals, self.run, result.file_format, self.display,
                              MappingProxyType(self.engine.shared), self.regular_file)
        for rule in self.rules.file:
            self._emit(rule, health.findings(rule, 0, failures, rule.check, context), emit)
        for dataset_rule in self.rules.dataset:
            state = result.states.get(dataset_rule.code)
            if state is None or (dataset_rule.formats is not None and result.file_format not in dataset_rule.formats):
                continue
            self._emit(dataset_rule, health.findings(dataset_rule, 0, failures, dataset_rule.finish, state, context),
                       emit)
            health.run(dataset_rule, 0, failures, dataset_rule.publish, state, context, self.engine.shared)
        return build_report(self, result)

    def _emit(self, rule: Rule[Any], findings: list[Finding], emit: Emit) -> None:
        for finding in findings:
            emit(self.stamper.stamp(rule, finding, None))

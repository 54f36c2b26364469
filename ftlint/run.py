"""A `check` run: the files linted (in worker processes when that pays off), the findings reported,
and the exit code decided. The CLI only turns arguments into :class:`RunOptions`.

The run owns what only the whole run knows: which files are validation files, the order of the files
(training before validation, so FT507 can compare them), the baseline (it suppresses what it accepts
and its stale entries are FT901, a run-stage rule), plugin failures, notices, and the exit code.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from ftlint.choices import targets
from ftlint.repeats import COUNTS_ONLY, DEFAULT_MAX_REPEATS, SHOW_ALL, Listing, RepeatLimiter
from ftlint.violation import Severity, Violation

if TYPE_CHECKING:
    from ftlint.baseline import Baseline
    from ftlint.config import Config, ConfigResolver
    from ftlint.engine import Engine, FileJob, Sink
    from ftlint.filereport import FileReport
    from ftlint.inputs import Joined
    from ftlint.progress import Progress
    from ftlint.registry import Registry
    from ftlint.report import Reporter, Summary
    from ftlint.selection import Layer
    from ftlint.verbose import Verbose
    from ftlint.verdicts import TargetVerdict

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class RunError(Exception):
    """The run cannot go on (a usage, config or I/O problem): exit 2 with this message."""


@dataclass(frozen=True)
class RunOptions:
    """What `check` was asked to do, once arguments and config are resolved."""

    files: list[tuple[Path | None, bool]]  # (path, or None for standard input; named as a validation file)
    output_format: str
    output_file: Path | None = None
    color: bool = False
    strict: bool = False
    jobs: int | None = None
    statistics: bool = False
    baseline: Path | None = None
    write_baseline: Path | None = None
    require_plugins: tuple[str, ...] = ()
    exit_zero: bool = False
    max_repeats: int = DEFAULT_MAX_REPEATS
    quiet: bool = False  # -q: violations only
    verbose: bool = False  # -v: config, rules and timing on stderr
    skipped: tuple[tuple[Path, str], ...] = ()  # paths the file search left out, and why (for -v)
    every_target: bool = False  # --target all: each file also gets every target's verdict (will it train?)


def check(resolver: ConfigResolver, layer: Layer, options: RunOptions) -> int:
    """Lint every file, report, and return the exit code."""
    return Run(resolver, layer, options).execute()


class Run:
    def __init__(self, resolver: ConfigResolver, layer: Layer, options: RunOptions) -> None:
        self.resolver = resolver
        self.layer = layer
        self.options = options
        self.copies: Mapping[Path | None, Path] = {}  # standard input and pipes, when read more than once

    def execute(self) -> int:
        from ftlint.baseline import BaselineError
        from ftlint.clock import ClockError
        from ftlint.config import ConfigError
        from ftlint.parquet import ParquetUnavailable
        from ftlint.registry import RegistryError
        from ftlint.workers import WorkerDied

        self._refuse_overwriting_inputs()
        try:
            # What a plugin prints while rules run goes to stderr: it must not corrupt the report.
            with self._output() as out, redirect_stdout(sys.stderr), self._streams_copied():
                summary, failed_plugin = self._report(out)
        except (ConfigError, RegistryError, BaselineError, WorkerDied, ClockError, ParquetUnavailable) as exc:
            raise RunError(str(exc)) from None
        except BrokenPipeError:
            raise
        except OSError as exc:
            from ftlint.masking import mask_name

            raise RunError(f"{mask_name(str(getattr(exc, 'filename', '') or 'I/O'))}: {exc.strerror or exc}") from None
        return self._exit_code(summary, failed_plugin)

    def _refuse_overwriting_inputs(self) -> None:
        """Before -o is opened (which truncates it): never write over a file about to be read."""
        from ftlint.paths import UnsafePath, refuse_overwriting_inputs

        options = self.options
        read = [path for path, _ in options.files] + ([options.baseline] if options.write_baseline is None else [])
        try:
            refuse_overwriting_inputs([("-o", options.output_file), ("--write-baseline", options.write_baseline)],
                                      read)
        except UnsafePath as exc:
            raise RunError(str(exc)) from None

    @contextmanager
    def _streams_copied(self) -> Iterator[None]:
        """--target all reads each file once per target: standard input and pipes are read from copies."""
        if not self.options.every_target:
            yield
            return
        from ftlint.inputs import replayable

        with replayable(path for path, _ in self.options.files) as self.copies:
            yield

    @contextmanager
    def _output(self) -> Iterator[IO[str]]:
        if self.options.output_file is None:
            yield sys.stdout
            return
        with self.options.output_file.open("w", encoding="utf-8") as out:
            yield out

    def _report(self, out: IO[str]) -> tuple[Summary, bool]:
        from ftlint.engine import Engine
        from ftlint.report import Summary, make_reporter
        from ftlint.verbose import Verbose

        options = self.options
        verbose = Verbose(sys.stderr) if options.verbose else None
        registry = self._registry()
        validation = [_is_validation(self.resolver, path, flag) for path, flag in options.files]
        # What the report can show: a baseline suppresses before the limiter counts, and a baseline
        # being written keeps every violation.
        listing = SHOW_ALL if options.baseline or options.write_baseline else Listing(options.max_repeats)
        engine = Engine(registry, self.resolver, self.layer, has_validation_file=any(validation),
                        has_training_file=not all(validation), listing=listing)
        # Training files first, so that validation files can be checked against them (FT507).
        # Each keeps its own flag (named with --validation-file): the job says why a file is a validation file.
        files = [file for file, _ in sorted(zip(options.files, validation, strict=True), key=lambda pair: pair[1])]
        reporter = make_reporter(options.output_format, out, color=options.color, rules=registry.rules,
                                 statistics=options.statistics, err=None if options.quiet else sys.stderr,
                                 quiet=options.quiet)
        summary = Summary()
        sink = ReportingSink(reporter, summary, self._baseline(), _progress(options),
                             keep=[] if options.write_baseline is not None else None,
                             repeats=RepeatLimiter(0 if options.write_baseline else options.max_repeats),
                             verbose=verbose,
                             verdicts=self._verdicts(registry, files, validation) if options.every_target else {})
        reporter.start()
        if verbose is not None:
            verbose.skipped(options.skipped)
        lint_files(engine, files, options.jobs, sink, self.copies)
        sink.close()
        self._after_files(engine, sink)
        failed_plugin = _report_plugin_errors(engine, registry, summary.plugin_errors, options.require_plugins)
        reporter.finish(summary)
        if verbose is not None:
            verbose.finish(summary.files)
        return summary, failed_plugin

    def _verdicts(self, registry: Registry, files: list[tuple[Path | None, bool]],
                  validation: list[bool]) -> dict[str, tuple[TargetVerdict, ...]]:
        """Every target's verdict on each file, from a silent lint per target (files are read once each)."""
        from ftlint.config import ConfigError
        from ftlint.verdicts import TargetVerdict

        base = self.resolver.for_path(files[0][0] if files else None).settings
        names = [*targets(), *(name for name in base.providers if name not in targets())]
        found: dict[str, list[TargetVerdict]] = {}
        for name in names:
            try:
                judged = self._judged_by(name, registry, files, validation)
            except ConfigError as exc:  # a model this target does not know, a broken [providers.NAME]...
                judged = [TargetVerdict(name, name, "", "unavailable", reason=str(exc)) for _ in files]
            for (path, _), verdict in zip(files, judged, strict=True):
                found.setdefault(_display(path), []).append(verdict)
        return {display: tuple(verdicts) for display, verdicts in found.items()}

    def _judged_by(self, name: str, registry: Registry, files: list[tuple[Path | None, bool]],
                   validation: list[bool]) -> list[TargetVerdict]:
        """One target's verdict on each file; a file whose method the target's default model does not
        train (DPO, reinforcement) is judged again with the target's model (and method) that does."""
        from ftlint.engine import Engine
        from ftlint.verdicts import VerdictSink

        sink = VerdictSink(name)
        kinds: dict[str, Any] = {"has_validation_file": any(validation), "has_training_file": not all(validation),
                                 "listing": COUNTS_ONLY}  # a verdict only counts the violations
        lint_files(Engine(registry, self.resolver.for_target(name), self.layer, **kinds), files, self.options.jobs,
                   sink, self.copies)
        verdicts = {_display(path): sink.verdict(_display(path)) for path, _ in files}
        for model, method in sorted(set(sink.rejudge.values()), key=str) if not self.resolver.names_model else ():
            again = [(path, validation) for path, validation in files
                     if sink.rejudge.get(_display(path)) == (model, method)]
            other = VerdictSink(name)
            lint_files(Engine(registry, self.resolver.for_target(name, model, method), self.layer, **kinds),
                       again, self.options.jobs, other, self.copies)
            verdicts.update({_display(path): other.verdict(_display(path)) for path, _ in again})
        return [verdicts[_display(path)] for path, _ in files]

    def _registry(self) -> Registry:
        from ftlint.registry import discover

        registry = discover()
        required = {name.lower() for name in self.options.require_plugins}
        loaded = {plugin.distribution.lower() for plugin in registry.plugins}
        for missing in sorted(required - loaded - {e.distribution.lower() for e in registry.errors}):
            raise RunError(f"required plugin {missing!r} is not installed (installed: "
                           f"{', '.join(sorted(loaded - {'ftlint'})) or 'none'})")
        return registry

    def _baseline(self) -> Baseline | None:
        from ftlint.baseline import Baseline

        if self.options.baseline is None or self.options.write_baseline is not None:
            return None
        return Baseline.load(self.options.baseline)

    def _after_files(self, engine: Engine, sink: ReportingSink) -> None:
        """What only the whole run can judge: stale baseline entries (FT901), and notices."""
        from ftlint.baseline import write_baseline
        from ftlint.rule import RunContext

        summary, options = sink.summary, self.options
        defaulted = [plan for plan in engine.plans() if "provider" not in plan.config.settings.model_fields_set]
        if defaulted:
            summary.notices.append(
                f"checked for the {defaulted[0].target.name} target, the default; --provider NAME gives a "
                f"platform's own verdict ({', '.join(targets())}), and `ftlint targets FILE` shows them all")
        if sink.baseline is not None:
            sink.run_findings(engine, RunContext(baseline=sink.baseline), str(sink.baseline.path))
        if not summary.tokens_counted:
            summary.notices.append("token counting was off (--no-tokens or `tokens = false`): no token "
                                   "totals or costs, and token rules (FT301, FT304) did not run")
        if options.write_baseline is not None:
            entries = write_baseline(options.write_baseline, sink.keep or [])
            summary.notices.append(f"wrote {entries} baseline entries to {options.write_baseline}; "
                                   f"use it with --baseline {options.write_baseline}")

    def _exit_code(self, summary: Summary, failed_plugin: bool) -> int:
        options = self.options
        if summary.internal_errors or failed_plugin:
            return EXIT_ERROR
        if options.write_baseline is not None:
            return EXIT_CLEAN  # everything found is now accepted
        failing = summary.counts[Severity.ERROR] + (summary.counts[Severity.WARNING] if options.strict else 0)
        return EXIT_VIOLATIONS if failing and not options.exit_zero else EXIT_CLEAN


@dataclass
class ReportingSink:
    """The run's end of the engine's findings: baseline suppression, counts, the reporter, totals."""

    reporter: Reporter
    summary: Summary
    baseline: Baseline | None = None
    progress: Progress | None = None
    keep: list[Violation] | None = None  # every reported violation, when a baseline is being written
    repeats: RepeatLimiter = field(default_factory=RepeatLimiter)
    verbose: Verbose | None = None  # -v: each file's config, kind and rules on stderr
    verdicts: dict[str, tuple[TargetVerdict, ...]] = field(default_factory=dict)  # --target all, by file
    _counts: Counter[Severity] = field(default_factory=Counter)
    _suppressed: int = 0
    _job: FileJob | None = None

    def file_started(self, job: FileJob) -> None:
        job.on_progress = self.progress.advance if self.progress is not None else None
        if self.verbose is not None:
            self.verbose.file(job)
        self._counts, self._suppressed, self._job = Counter(), 0, job
        self.repeats.start_file()
        self.reporter.file_started(job.display)

    def violation(self, violation: Violation) -> None:
        if self.baseline is not None and self.baseline.suppress(violation):
            self._suppressed += 1
            return
        self._counts[violation.severity] += 1  # counted whether it is listed or summarised
        self.summary.by_rule[(violation.code, violation.name)] += 1
        if self.keep is not None:
            self.keep.append(violation)
        if self.repeats.admit(violation):
            self.reporter.violation(self._placed(violation))

    def _placed(self, violation: Violation) -> Violation:
        """A violation the engine did not place (ftlint.stamp.Unplaced) gets its column and excerpt."""
        return self._job.stamper.placed(violation) if self._job is not None else violation

    def file_finished(self, report: FileReport) -> None:
        for summarised in self.repeats.summaries():
            self.reporter.violation(self._placed(summarised))
        report = dataclasses.replace(report, counts=self._counts, targets=self.verdicts.get(report.path, ()))
        self.reporter.file_finished(report)
        self.summary.add(report, self._suppressed)
        self.summary.notices.extend(file_notes(report))

    def run_findings(self, engine: Engine, context: Any, display: str) -> None:
        """The run-stage rules' findings, reported against ``display`` (the baseline file)."""
        from ftlint.report import OtherSource

        collected: list[Violation] = []
        failures = engine.run_findings(context, display, collected.append)
        self.summary.internal_errors.extend(f"{display}: {failure.message}" for failure in failures)
        if not collected:
            return
        self._counts = Counter()
        self.reporter.file_started(display)
        for violation in collected:
            self._counts[violation.severity] += 1
            self.summary.by_rule[(violation.code, violation.name)] += 1
            self.reporter.violation(violation)
        self.summary.counts.update(self._counts)
        self.reporter.source_finished(OtherSource(display, "baseline", self._counts))

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()


def file_notes(report: FileReport) -> list[str]:
    """What a reader of the totals must know about this file's numbers."""
    notes = []
    totals = report.totals
    if totals.counted > totals.valid:
        notes.append(f"{report.path}: {totals.counted - totals.valid:,} example(s) whose only schema problems leave "
                     "them readable (an extra key, an odd weight) were counted in tokens, cost and the dataset "
                     "checks; their problems are listed above")
    if not report.model.known:
        notes.append(f"{report.path}: model {report.model.id} is not in ftlint's table for {report.model.provider}: "
                     "its limits are unknown (no context check); its tokens are exact only from its own tokenizer "
                     "files (--tokenizer, or the Hugging Face cache)")
    if report.billed_per_hour and report.kind == "training":
        notes.append(f"{report.path}: reinforcement fine-tuning is billed per training hour and trains on the "
                     "model's own sampled answers, so trainable and billed tokens do not apply (n/a)")
    return notes


def lint_files(engine: Engine, files: list[tuple[Path | None, bool]], jobs: int | None, sink: Sink,
               copies: Mapping[Path | None, Path] | None = None) -> None:
    """Lint each file in order, in worker processes when that pays off.

    Standard input and pipes are opened once (from their ``copies``, inputs.replayable, when given); in
    a run that may go parallel they are read ahead, so that their size counts in the decision and the
    parent can hand them out in chunks.
    """
    from ftlint import parquet
    from ftlint.inputs import is_stream, open_source, open_stream
    from ftlint.workers import MIN_PARALLEL_BYTES, can_fork, default_jobs

    jobs = jobs or default_jobs()
    copies = copies or {}
    streams: dict[int, Joined] = {}
    opened: list[IO[bytes]] = []
    try:
        # A Parquet file splits by row groups (ftlint.parquet): a run with one goes file by file.
        if jobs > 1 and can_fork() and not any(parquet.is_parquet(path) for path, _ in files):
            for index, (path, _) in enumerate(files):
                if is_stream(path):
                    from ftlint.ranges import read_ahead

                    source = open_source(path, copies)
                    if path is not None or path in copies:  # standard input itself stays open
                        opened.append(source)
                    streams[index] = read_ahead(source, MIN_PARALLEL_BYTES)
            size = sum(len(streams[index].head) if index in streams else cast(Path, path).stat().st_size
                       for index, (path, _) in enumerate(files))
            if size >= MIN_PARALLEL_BYTES:
                from ftlint import parallel
                from ftlint.ranges import Target

                targets = [Target(_job(engine, path, validation), path, streams.get(index))
                           for index, (path, validation) in enumerate(files)]
                parallel.lint_in_parallel(engine, targets, jobs, sink)
                return
        for index, (path, validation) in enumerate(files):
            job = _job(engine, path, validation)
            if index in streams:  # the Reader only calls readline
                job.lint(cast(IO[bytes], streams[index]), sink)
            elif path is not None and parquet.is_parquet(path):
                parquet.lint(job, path, sink, jobs)
            elif path is None and path not in copies:
                job.lint(open_stream(sys.stdin.buffer), sink)  # standard input itself stays open
            else:
                with open_source(path, copies) as stream:
                    job.lint(stream, sink)
    finally:
        for source in opened:
            source.close()


def _is_validation(resolver: ConfigResolver, path: Path | None, flag: bool) -> bool:
    named = path if path is not None else resolver.stdin_name  # --stdin-filename
    return resolver.for_path(named).kind_of(named, flag)[0] == "validation"


def _display(path: Path | None) -> str:
    from ftlint.masking import mask_name

    return "-" if path is None else mask_name(str(path))


def _job(engine: Engine, path: Path | None, validation: bool) -> FileJob:
    return engine.job(_display(path), path, validation=validation)


def _report_plugin_errors(engine: Engine, registry: Registry, run_errors: list[tuple[str, str]],
                          required_names: tuple[str, ...]) -> bool:
    """Say once per plugin what failed; its rules were disabled and the run went on.

    True when a failed plugin was required (--require-plugins), which makes the exit code 2.
    """
    load_errors = [e for plan in engine.plans() for e in plan.registry.errors] or registry.errors
    failed: dict[str, str] = {}
    for error in load_errors:
        failed.setdefault(error.distribution, str(error))
    for distribution, message in run_errors:
        failed.setdefault(distribution, f"plugin {distribution}: {message}")
    from ftlint.sanitize import visible

    for message in dict.fromkeys(failed.values()):
        print(f"ftlint: warning: {visible(message)}; its rules are disabled", file=sys.stderr)
    required = {name.lower() for name in required_names}
    return any(name.lower() in required for name in failed)


def _progress(options: RunOptions) -> Progress | None:
    """A progress line on a terminal's stderr for human formats; none in CI or for machine formats."""
    from ftlint.progress import Progress
    from ftlint.report import make_reporter

    if options.quiet or not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    if not make_reporter(options.output_format, sys.stderr).human:
        return None
    return Progress(progress_total([path for path, _ in options.files]), sys.stderr)


def progress_total(paths: list[Path | None]) -> int | None:
    """The bytes a run will report as done, or None when not known in advance: standard input and
    pipes have no size, and a compressed file's progress counts decompressed bytes."""
    from ftlint.inputs import is_compressed, is_stream

    if any(is_stream(path) or is_compressed(cast(Path, path)) for path in paths):
        return None
    return sum(path.stat().st_size for path in paths if path is not None)


def show_settings(resolver: ConfigResolver, paths: list[Path | None], layer: Layer) -> None:
    """Each path's config file (and the files it extends), then per config: the resolved settings,
    the plugins it would load (without loading them), the model and the rules a run would use."""
    from ftlint.registry import discover

    configs: dict[int, Config] = {}
    for path in paths:
        config = resolver.for_path(path)
        configs.setdefault(id(config), config)
        if len(paths) > 1:
            print(f"{'-' if path is None else path}: {config.describe()}")
    registry = discover()
    for config in configs.values():
        if len(paths) > 1:
            print()
        _show_config(config, registry, resolver, layer)


def _show_config(config: Config, registry: Registry, resolver: ConfigResolver, layer: Layer) -> None:
    import json

    from ftlint.config import Config, ConfigError
    from ftlint.engine import Engine

    settings = config.settings
    print(f"config file: {config.describe()}")
    print("settings: " + json.dumps(settings.model_dump(mode="json", by_alias=True), indent=2))
    if settings.plugins:
        print("plugins (local rule files: Python code that `check` runs; not loaded here):")
        for plugin in settings.plugins:
            print(f"  {config.root / plugin}{'' if (config.root / plugin).is_file() else ' (missing)'}")
    # The plan without the local plugins: showing settings must not run a repository's code.
    unloaded = Config(settings.model_copy(update={"plugins": []}), config.path, chain=config.chain,
                      training=config.training)
    try:
        plan = Engine(registry, resolver, layer).plan(unloaded)
    except ConfigError as exc:
        if not settings.plugins:
            raise
        print(f"rules enabled: not known without loading the plugins ({exc})")
        return
    print(f"provider: {plan.target.id} ({plan.target.name})")
    context = f"{plan.model.training_context:,}-token context" if plan.model.training_context else "context unknown"
    print(f"model: {plan.model.id} ({plan.model.encoding or 'its own tokenizer, or an estimate'}, {context})")
    print("rules enabled" + (" (plugin rules not shown)" if settings.plugins else "") + ":")
    for code in sorted(plan.rules):
        print(f"  {code} {plan.rules[code].name} [{plan.severities[code].value}]")

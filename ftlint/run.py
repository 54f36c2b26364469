"""A `check` run: every target linted (in worker processes when that pays off), reported, and the
exit code decided. The CLI only turns arguments into :class:`RunOptions`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from ftlint import clock

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class RunError(Exception):
    """The run cannot go on (a usage, config or I/O problem): exit 2 with this message."""


@dataclass
class RunOptions:
    """What `check` was asked to do, once arguments and config are resolved."""

    targets: list[tuple[Path | None, bool]]
    output_format: str
    output_file: Path | None
    color: bool
    strict: bool
    jobs: int | None
    statistics: bool
    baseline: Path | None
    write_baseline: Path | None
    require_plugins: tuple[str, ...] = ()


def check(resolver: Any, layer: Any, options: RunOptions) -> int:
    """Lint every target, report, and return the exit code."""
    from ftlint.baseline import Baseline, BaselineError, write_baseline
    from ftlint.config import ConfigError
    from ftlint.engine import Engine, deadline_notices
    from ftlint.parallel import WorkerDied
    from ftlint.parquet import ParquetUnavailable
    from ftlint.registry import RegistryError, discover
    from ftlint.report import Summary, make_reporter
    from ftlint.violation import Severity

    out: IO[str] = options.output_file.open("w", encoding="utf-8") if options.output_file else sys.stdout
    try:
        registry = discover()
        required = {name.lower() for name in options.require_plugins}
        loaded = {plugin.distribution.lower() for plugin in registry.plugins}
        for missing in sorted(required - loaded - {e.distribution.lower() for e in registry.errors}):
            raise RunError(f"required plugin {missing!r} is not installed (installed: "
                  f"{', '.join(sorted(loaded - {'ftlint'})) or 'none'})")
        engine = Engine(registry, resolver, layer)
        validation = [_is_validation(resolver, path, flag) for path, flag in options.targets]
        engine.run_has_validation_file = any(validation)
        # Training files first, so that validation files can be checked against them (FT507).
        targets = [t for t, is_validation in sorted(zip(options.targets, validation, strict=True),
                                                    key=lambda pair: pair[1])]
        if options.baseline is not None and options.write_baseline is None:
            engine.baseline = Baseline.load(options.baseline)
        reporter = make_reporter(options.output_format, out, color=options.color, rules=registry.rules,
                                 statistics=options.statistics, err=sys.stderr)
        summary = Summary()
        everything = []
        progress = _progress(options)
        reporter.start()
        for lint, violations in _lint_all(engine, targets, options.jobs):
            lint.on_progress = progress.advance if progress else None
            reporter.file_started(lint.display)
            for violation in violations:
                summary.by_rule[(violation.code, violation.name)] += 1
                if options.write_baseline is not None:
                    everything.append(violation)
                reporter.violation(violation)
            assert lint.report is not None
            reporter.file_finished(lint.report)
            summary.add(lint.report, lint.suppressed)
        if progress is not None:
            progress.close()
        if engine.baseline is not None:
            _report_unused_baseline(engine, reporter, summary)
        load_errors = [e for plan in engine._plans.values() for e in plan.registry.errors] or registry.errors
        plugin_failed = _report_plugin_errors(load_errors, summary.plugin_errors, required)
        plans = list({id(p): p for p in engine._plans.values()}.values())
        summary.notices = deadline_notices(plans, clock.today())
        if not summary.tokens_counted:
            summary.notices.append("token counting was off (--no-tokens or `tokens = false`): no token "
                                   "totals or costs, and token rules (FT301, FT304) did not run")
        if options.write_baseline is not None:
            entries = write_baseline(options.write_baseline, everything)
            summary.notices.append(f"wrote {entries} baseline entries to {options.write_baseline}; "
                                   f"use it with --baseline {options.write_baseline}")
        reporter.finish(summary)
    except (ConfigError, RegistryError, BaselineError, WorkerDied, ParquetUnavailable) as exc:
        raise RunError(str(exc)) from None
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise RunError(f"{getattr(exc, 'filename', '') or 'I/O'}: {exc.strerror or exc}") from None
    finally:
        if options.output_file is not None:
            out.close()
    if summary.internal_errors or plugin_failed:
        return EXIT_ERROR
    if options.write_baseline is not None:
        return EXIT_CLEAN  # everything found is now accepted
    failing = summary.counts[Severity.ERROR] + (summary.counts[Severity.WARNING] if options.strict else 0)
    return EXIT_VIOLATIONS if failing else EXIT_CLEAN


def _report_plugin_errors(load_errors: list[Any], run_errors: list[tuple[str, str]], required: set[str]) -> bool:
    """Say once per plugin what failed; its rules were disabled and the run went on.

    True when a failed plugin was required (--require-plugins), which makes the exit code 2.
    """
    failed: dict[str, str] = {}
    for error in load_errors:
        failed.setdefault(error.distribution, str(error))
    for distribution, message in run_errors:
        failed.setdefault(distribution, f"plugin {distribution}: {message}")
    for message in {m: None for m in failed.values()}:
        print(f"ftlint: warning: {message}; its rules are disabled", file=sys.stderr)
    return any(name.lower() in required for name in failed)


def _is_validation(resolver: Any, path: Path | None, flag: bool) -> bool:
    return flag or (path is not None and resolver.for_path(path).is_validation_file(path))


def _progress(options: RunOptions) -> Any:
    """A progress line on a terminal's stderr for human formats; none in CI or for machine formats."""
    from ftlint.progress import Progress
    from ftlint.report import make_reporter

    if not sys.stderr.isatty() or os.environ.get("CI") or not make_reporter(options.output_format, sys.stderr).human:
        return None
    return Progress(progress_total([path for path, _ in options.targets]), sys.stderr)


def progress_total(paths: list[Path | None]) -> int | None:
    """The bytes a run will report as done, or None when not known in advance: standard input and
    pipes have no size, and a compressed file's progress counts decompressed bytes."""
    from ftlint.inputs import is_compressed
    from ftlint.ranges import is_stream

    if any(is_stream(path) or is_compressed(cast(Path, path)) for path in paths):
        return None
    return sum(path.stat().st_size for path in paths if path is not None)


def _report_unused_baseline(engine: Any, reporter: Any, summary: Any) -> None:
    """Stale baseline entries (FT901) are reported against the baseline file itself."""
    from collections import Counter

    from ftlint.baseline import UNUSED_CODE
    from ftlint.engine import FileReport
    from ftlint.records import FileFacts
    from ftlint.stats import FileTotals

    plan = next(iter(engine._plans.values()), None)
    if plan is None or UNUSED_CODE not in plan.enabled:
        return
    stale = engine.baseline.unused()
    if not stale:
        return
    path = str(engine.baseline.path)
    reporter.file_started(path)
    counts: Counter[Any] = Counter()
    for violation in stale:
        counts[violation.severity] += 1
        summary.by_rule[(violation.code, violation.name)] += 1
        reporter.violation(violation)
    report = FileReport(path=path, kind="baseline", format=None, model=plan.model, facts=FileFacts(),
                        totals=FileTotals(), tokens_counted=False, tokenizer="", epochs=None, cost_usd=None,
                        counts=counts)
    reporter.file_finished(report)
    summary.add(report)


def _lint_all(engine: Any, targets: list[tuple[Path | None, bool]], jobs: int | None) -> Iterator[Any]:
    """Each file's FileLint with its violations, in order: in worker processes when that pays off."""
    from ftlint import parallel
    from ftlint.inputs import Joined, open_input
    from ftlint.parquet import is_parquet
    from ftlint.parquet import violations as parquet_violations
    from ftlint.ranges import Target, is_stream, read_ahead

    jobs = jobs or parallel.default_jobs()
    # Standard input and pipes are opened once; in a run that may go parallel they are read ahead, so
    # that their size counts in the decision and the parent can hand them out in chunks.
    streams: dict[int, Joined] = {}
    opened: list[IO[bytes]] = []
    try:
        # A Parquet file splits by row groups in ftlint.parquet: a run with one goes file by file.
        if jobs > 1 and parallel.can_fork() and not any(is_parquet(path) for path, _ in targets):
            for index, (path, _) in enumerate(targets):
                if is_stream(path):
                    source = sys.stdin.buffer if path is None else open_input(path)
                    if path is not None:
                        opened.append(source)
                    streams[index] = read_ahead(source, parallel.MIN_PARALLEL_BYTES)
            size = sum(len(streams[index].head) if index in streams else cast(Path, path).stat().st_size
                       for index, (path, _) in enumerate(targets))
            if size >= parallel.MIN_PARALLEL_BYTES:
                prepared = [Target(engine.lint(None, "-" if path is None else str(path), path,
                                               validation=validation), path, streams.get(index))
                            for index, (path, validation) in enumerate(targets)]
                yield from parallel.lint_in_parallel(engine, prepared, jobs)
                return
        for index, (path, validation) in enumerate(targets):
            display = "-" if path is None else str(path)
            if index in streams:  # the Reader only calls readline
                lint = engine.lint(cast(IO[bytes], streams[index]), display, path, validation=validation)
                yield lint, iter(lint)
            elif path is None:
                lint = engine.lint(sys.stdin.buffer, display, None, validation=validation)
                yield lint, iter(lint)
            elif is_parquet(path):
                lint = engine.lint(None, display, path, validation=validation)
                yield lint, parquet_violations(lint, path, jobs)
            else:
                with open_input(path) as stream:
                    lint = engine.lint(stream, display, path, validation=validation)
                    yield lint, iter(lint)
    finally:
        for source in opened:
            source.close()



def show_settings(resolver: Any, config: Any, layer: Any) -> None:
    """The resolved settings, the config file they came from, and the rules a run would use."""
    import json

    from ftlint.engine import Engine
    from ftlint.registry import discover

    engine = Engine(discover(), resolver, layer)
    plan = engine.plan(config)
    print(f"config file: {config.path or '(none: defaults)'}")
    print("settings: " + json.dumps(config.settings.model_dump(mode="json", by_alias=True), indent=2))
    print(f"model: {plan.model.id} ({plan.model.encoding}, {plan.model.training_context:,}-token context)")
    print("rules enabled:")
    for code in sorted(plan.rules):
        rule = plan.rules[code]
        print(f"  {code} {rule.name} [{plan.severities[code].value}]")



"""The command line. It turns arguments and config into a run, picks a reporter and
decides the exit code (here, and only here): 0 clean, 1 violations, 2 usage,
config or internal error.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn, cast

import click

from ftlint import __version__
from ftlint.inputs import SUFFIXES
from ftlint.report import CHOICES

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C (128 + SIGINT); click's default, 1, would read "violations"
SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _split_commas(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[str] | None:
    """``--select FT1,FT2`` and repeated ``--select FT1 --select FT2`` alike; None when not given."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ftlint.registry import installed_plugins  # metadata only: no plugin is imported

    click.echo(f"ftlint {__version__}")
    for name, version in installed_plugins():
        click.echo(f"  plugin {name} {version}")
    ctx.exit()


class _Main(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nftlint: interrupted; nothing was checked to the end", err=True)
            sys.exit(EXIT_INTERRUPTED)


@click.group(cls=_Main, context_settings=CONTEXT)
@click.option("-V", "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version (and installed rule plugins) and exit.")
def main() -> None:
    """ftlint: lint LLM fine-tuning JSONL files before you upload them.

    \b
    Checks OpenAI-format chat, preference (DPO), reinforcement and legacy
    prompt/completion files for everything that makes a job fail or train on
    garbage, and reports exact token counts and the estimated training cost.
    Runs fully offline.

    \b
    Examples:
      ftlint check train.jsonl valid.jsonl --model gpt-4o-mini-2024-07-18
      ftlint check data/ --format json -o report.json
      ftlint fix train.jsonl -o fixed.jsonl
      ftlint rule FT301          explain a rule
      ftlint models              fine-tunable models, limits and prices

    Exit codes: 0 clean, 1 violations found, 2 usage, config or internal error, 130 interrupted.
    """


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


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@click.option("-m", "--model", help="Model to check against (limits, tokenizer, price). "
              "Default: config, else gpt-4o-mini-2024-07-18. See `ftlint models`.")
@click.option("--method", type=click.Choice(["auto", "supervised", "dpo", "reinforcement", "completion"]),
              help="Training method; auto detects it from the data and the model.")
@click.option("--provider", help="Provider profile (limits, policies, model table): openai (default), azure, "
              "generic. See `ftlint models --provider NAME`.")
@click.option("--epochs", type=click.IntRange(1, 50), help="Epochs for the cost estimate. "
              "Default: OpenAI's automatic choice for the example count.")
@click.option("--select", multiple=True, callback=_split_commas,
              help="Only these rules: codes, prefixes (FT2), names or ALL. Comma-separated.")
@click.option("--extend-select", multiple=True, callback=_split_commas, help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, callback=_split_commas, help="Rules to turn off.")
@click.option("--validation-file", "validation_files", type=click.Path(path_type=Path, exists=True),
              multiple=True, help="A validation file: checked, tokens reported, not billed. "
              "Files named *valid*, *val*, *test*, *eval* or *dev* are treated as validation files too.")
@click.option("-f", "--format", "output_format", type=click.Choice(CHOICES),
              help="Report format. Default: full on a terminal, else auto (github annotations inside GitHub "
              "Actions, concise elsewhere); also FTLINT_FORMAT or `format` in config.")
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file instead of stdout.")
@click.option("--statistics", is_flag=True, help="Count violations per rule instead of listing them.")
@click.option("--baseline", "baseline_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Accept the violations recorded in this file (see --write-baseline); report only new ones.")
@click.option("--write-baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Record every current violation in this file, to adopt ftlint on existing data.")
@click.option("--require-plugins", multiple=True, callback=_split_commas,
              help="Plugins (distribution names) that must load and run cleanly; otherwise exit 2.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when violations are found (2 still means an error).")
@click.option("--strict", is_flag=True, default=None, help="Warnings fail the run too (exit 1).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes. Default: one per core; "
              "runs under 8 MB (files, or standard input read 8 MB ahead) stay in one process. Output is "
              "identical for any value.")
@click.option("--tokenizer", type=click.Choice(["auto", "tiktoken", "bpe-openai"]),
              help="Exact token counter. auto: bpe-openai when installed (ftlint[fast]), else tiktoken.")
@click.option("--no-tokens", is_flag=True,
              help="Skip token counting: no totals or costs, no token rules. For quick structural checks.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Use this ftlint.toml or pyproject.toml instead of discovering one.")
@click.option("--show-settings", is_flag=True, help="Print the resolved settings and selected rules, then exit.")
@click.option("--color/--no-color", default=None, help="Color the text report. Default: only on a terminal.")
def check(paths: tuple[Path, ...], model: str | None, method: str | None, provider: str | None,
          epochs: int | None,
          select: list[str] | None, extend_select: list[str] | None, ignore: list[str] | None,
          validation_files: tuple[Path, ...], output_format: str | None, output_file: Path | None,
          statistics: bool, baseline_path: Path | None, write_baseline: Path | None,
          require_plugins: list[str] | None, exit_zero: bool,
          strict: bool | None, jobs: int | None, tokenizer: str | None, no_tokens: bool,
          config_path: Path | None, show_settings: bool, color: bool | None) -> None:
    """Check fine-tuning files (JSONL). PATHS are files, directories (searched for
    *.jsonl) or - for standard input; none means the current directory.

    \b
    Each violation prints as  path:line:col: CODE [severity] message (rule-name),
    followed by per-file totals: examples, tokens, billed tokens, epochs, cost.
    Configure defaults in pyproject.toml under [tool.ftlint] or in ftlint.toml.
    """
    from ftlint.config import ConfigError, ConfigResolver
    from ftlint.report import resolve_format
    from ftlint.selection import Layer

    overrides: dict[str, Any] = {"model": model, "method": method, "provider": provider, "epochs": epochs,
                                 "tokenizer": tokenizer,
                                 "tokens": False if no_tokens else None}
    layer = Layer(select=select, extend_select=extend_select or (), ignore=ignore or ())
    try:
        resolver = ConfigResolver(config_path, overrides)
        base = resolver.for_path(paths[0] if paths and str(paths[0]) != "-" else None)
        if show_settings:
            _show_settings(resolver, base, layer)
            return
        name = output_format or os.environ.get("FTLINT_FORMAT") or base.settings.format or (
            "full" if sys.stdout.isatty() else "auto")
        if name not in CHOICES:
            raise ConfigError(f"unknown format {name!r}; choose one of {', '.join(CHOICES)}")
        configured_baseline = base.root / base.settings.baseline if base.settings.baseline else None
        options = RunOptions(
            targets=list(_expand(paths or (Path("."),), set(validation_files))),
            output_format=resolve_format(name, stdout_is_tty=output_file is None and sys.stdout.isatty()),
            output_file=output_file,
            color=output_file is None and (color if color is not None else _terminal_wants_color()),
            strict=bool(strict if strict is not None else base.settings.strict),
            jobs=jobs or base.settings.jobs,
            statistics=statistics,
            baseline=baseline_path or configured_baseline,
            write_baseline=write_baseline,
            require_plugins=tuple(require_plugins or ()),
        )
    except (ConfigError, FileNotFoundError) as exc:
        _fail(str(exc))
    try:
        code = _run(resolver, layer, options)
    except BrokenPipeError:  # `ftlint check ... | head`: the reader left; leave quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_ERROR)
    if exit_zero and code == EXIT_VIOLATIONS:
        code = EXIT_CLEAN
    sys.exit(code)


def today() -> dt.date:
    """The date deadlines are measured from (tests pin it for reproducible output)."""
    return dt.date.today()


def _show_settings(resolver: Any, config: Any, layer: Any) -> None:
    """The resolved settings, the config file they came from, and the rules a run would use."""
    import json

    from ftlint.engine import Engine
    from ftlint.registry import discover

    engine = Engine(discover(), resolver, layer)
    plan = engine.plan(config)
    click.echo(f"config file: {config.path or '(none: defaults)'}")
    click.echo("settings: " + json.dumps(config.settings.model_dump(mode="json", by_alias=True), indent=2))
    click.echo(f"model: {plan.model.id} ({plan.model.encoding}, {plan.model.training_context:,}-token context)")
    click.echo("rules enabled:")
    for code in sorted(plan.rules):
        rule = plan.rules[code]
        click.echo(f"  {code} {rule.name} [{plan.severities[code].value}]")


def _expand(paths: tuple[Path, ...], validation: set[Path]) -> Iterator[tuple[Path | None, bool]]:
    """Files to check, in a stable order: (path or None for stdin, explicitly a validation file)."""
    seen: set[Path] = set()
    stdin_seen = False
    for path in [*paths, *sorted(validation)]:
        if str(path) == "-":
            if not stdin_seen:  # standard input can be read once
                stdin_seen = True
                yield None, False
            continue
        if not path.exists():
            kind = "a broken or looping symbolic link" if path.is_symlink() else "no such file or directory"
            raise FileNotFoundError(f"{path}: {kind}")
        files = [path] if not path.is_dir() else sorted(_scan(path))
        if not files:  # an empty run would print a pass nothing earned
            raise FileNotFoundError(f"{path}: a directory with no {', '.join(f'*{s}' for s in SUFFIXES)} "
                                    "files in it; name the files to check")
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file, file in validation


def _scan(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in files:
            if name.lower().endswith(SUFFIXES):
                yield Path(root) / name


def _run(resolver: Any, layer: Any, options: RunOptions) -> int:
    from ftlint.baseline import Baseline, BaselineError, write_baseline
    from ftlint.config import ConfigError
    from ftlint.engine import Engine, deadline_notices
    from ftlint.parallel import WorkerDied
    from ftlint.registry import RegistryError, discover
    from ftlint.report import Summary, make_reporter
    from ftlint.violation import Severity

    out: IO[str] = options.output_file.open("w", encoding="utf-8") if options.output_file else sys.stdout
    try:
        registry = discover()
        required = {name.lower() for name in options.require_plugins}
        loaded = {plugin.distribution.lower() for plugin in registry.plugins}
        for missing in sorted(required - loaded - {e.distribution.lower() for e in registry.errors}):
            _fail(f"required plugin {missing!r} is not installed (installed: "
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
        summary.notices = deadline_notices(plans, today())
        if not summary.tokens_counted:
            summary.notices.append("token counting was off (--no-tokens or `tokens = false`): no token "
                                   "totals or costs, and token rules (FT301, FT304) did not run")
        if options.write_baseline is not None:
            entries = write_baseline(options.write_baseline, everything)
            summary.notices.append(f"wrote {entries} baseline entries to {options.write_baseline}; "
                                   f"use it with --baseline {options.write_baseline}")
        reporter.finish(summary)
    except (ConfigError, RegistryError, BaselineError, WorkerDied) as exc:
        _fail(str(exc))
    except BrokenPipeError:
        raise
    except OSError as exc:
        _fail(f"{getattr(exc, 'filename', '') or 'I/O'}: {exc.strerror or exc}")
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
        click.echo(f"ftlint: warning: {message}; its rules are disabled", err=True)
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
    from ftlint.ranges import Target, is_stream, read_ahead

    jobs = jobs or parallel.default_jobs()
    # Standard input and pipes are opened once; in a run that may go parallel they are read ahead, so
    # that their size counts in the decision and the parent can hand them out in chunks.
    streams: dict[int, Joined] = {}
    opened: list[IO[bytes]] = []
    try:
        if jobs > 1 and parallel.can_fork():
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
            else:
                with open_input(path) as stream:
                    lint = engine.lint(stream, display, path, validation=validation)
                    yield lint, iter(lint)
    finally:
        for source in opened:
            source.close()


def _terminal_wants_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _fail(message: str) -> NoReturn:
    click.echo(f"ftlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@main.command(context_settings=CONTEXT)
@click.argument("source", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the cleaned file (never the input, unless --in-place).")
@click.option("--rejects", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the lines that could not be kept (JSONL: line, code, original, reason). "
              "Default: OUTPUT.rejects.jsonl when any line is rejected.")
@click.option("--in-place", is_flag=True, help="Replace SOURCE itself (a SOURCE.bak backup is kept).")
@click.option("--no-backup", is_flag=True, help="With --in-place: keep no backup.")
@click.option("--unsafe-fixes", is_flag=True, help="Also trim whitespace around content, lower-case roles, "
              "convert functions/function_call to tools/tool_calls, drop duplicate examples and examples "
              "that train nothing (dropped ones go to rejects).")
@click.option("--diff", "show_diff", is_flag=True, help="Show what would change; write nothing.")
def fix(source: Path, output: Path | None, rejects: Path | None, in_place: bool, no_backup: bool,
        unsafe_fixes: bool, show_diff: bool) -> None:
    """Write a cleaned copy of SOURCE, losing nothing.

    \b
    Safe fixes (always): drop a BOM, CRLF to LF, drop blank lines, end with a
    newline, rewrite pretty-printed JSON as one object per line. Lines that cannot
    be kept (invalid JSON, invalid UTF-8, not an object...) go to the rejects file
    with their line number, the original line exactly, and why. Every input line
    ends up in exactly one of the two outputs (or is a dropped blank line).
    Writes are atomic; the input is only changed with --in-place.

    \b
    Exit status: 0 when every line was kept, 1 when some went to the rejects
    file (they need a hand fix), 2 on a usage error.
    """
    import shutil

    from ftlint.fix import AtomicFile, FixReport, fix_file, reject_json
    from ftlint.inputs import is_compressed

    if not show_diff and not in_place and output is None:
        _fail("give -o OUTPUT (or --in-place to replace the input, or --diff to preview)")
    if in_place and is_compressed(source):
        _fail(f"{source} is compressed; write an uncompressed copy with -o OUTPUT.jsonl instead of --in-place")
    if output is not None and is_compressed(output):
        _fail(f"{output}: ftlint fix writes plain JSONL; name the output .jsonl and compress it afterwards")
    target = source if in_place else output
    if target is not None and not in_place and target.resolve() == source.resolve():
        _fail(f"{output} is the input file; use --in-place to replace it (a backup is kept)")
    rejects_path = rejects or (target or source).with_name((target or source).name + ".rejects.jsonl")
    if rejects_path.resolve() == source.resolve():
        _fail(f"--rejects {rejects_path} is the input file; choose another path")
    report = FixReport()
    writer = AtomicFile(target) if target is not None and not show_diff else None
    rejects_writer: AtomicFile | None = None  # opened at the first rejected line: no empty rejects files
    try:
        for item in fix_file(source, unsafe=unsafe_fixes, report=report):
            if show_diff:
                if not item.rejected and item.data != item.original:
                    click.echo(f"@@ line {item.line} @@\n-{item.original.decode('utf-8', 'replace')}\n"
                               f"+{item.data.decode('utf-8', 'replace')}")
            elif item.rejected:
                rejects_writer = rejects_writer or AtomicFile(rejects_path)
                rejects_writer.write(reject_json(item) + b"\n")
            elif writer is not None:
                writer.write(item.data + b"\n")
        if in_place and not no_backup and writer is not None:
            shutil.copy2(source, source.with_name(source.name + ".bak"))
        for done in (writer, rejects_writer):
            if done is not None:
                done.commit()
    except BaseException:
        for pending in (writer, rejects_writer):
            if pending is not None:
                pending.abort()
        raise
    if report.rejected:
        where = "would be rejected" if show_diff else f"rejected: written to {rejects_path}"
        click.echo(f"ftlint: {report.rejected:,} line(s) {where}", err=True)
    click.echo(("would fix: " if show_diff else f"wrote {target}: ") + report.summary(), err=True)
    sys.exit(EXIT_VIOLATIONS if report.rejected else EXIT_CLEAN)


@main.command(context_settings=CONTEXT)
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule, plugins included.")
@click.option("-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def rule(code: str | None, show_all: bool, output_format: str) -> None:
    """Explain a rule (by code or name), or list them all with --all."""
    import json

    from ftlint.registry import discover
    from ftlint.ruledoc import rule_json, rule_text

    registry = discover()
    rules = registry.sorted_rules()
    if show_all or code is None:
        if output_format == "json":
            click.echo(json.dumps([rule_json(r) for r in rules], indent=2))
        else:
            width = max(len(r.name) for r in rules)
            for r in rules:
                click.echo(f"{r.code}  {r.name.ljust(width)}  {r.severity.value:<7}  {r.summary}")
        return
    matches = [r for r in rules if code.upper() == r.code or code == r.name]
    if not matches:
        _fail(f"unknown rule {code!r}; see `ftlint rule --all`")
    if output_format == "json":
        click.echo(json.dumps(rule_json(matches[0]), indent=2))
    else:
        click.echo(rule_text(matches[0]))


@main.command(context_settings=CONTEXT)
@click.option("-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--provider", help="Provider profile: openai (default), azure, generic.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Include the models this config adds or overrides.")
def models(output_format: str, provider: str | None, config_path: Path | None) -> None:
    """List fine-tunable models: tokenizer, training context, prices, methods, dates."""
    import json

    from ftlint.catalog import CatalogError, load_catalog
    from ftlint.config import ConfigError, ConfigResolver

    try:
        settings = ConfigResolver(config_path, {}).for_path(None).settings
        catalog = load_catalog(settings.models, provider or settings.provider, settings.providers)
    except (ConfigError, CatalogError) as exc:
        _fail(str(exc))
    rows = sorted(catalog.models.values(), key=lambda m: m.id)
    profile = catalog.profile
    if output_format == "text":
        limits = [f"at least {profile.min_examples} training examples" if profile.min_examples else
                  "no minimum example count",
                  f"files up to {profile.max_file_bytes / 1e6:,.0f} MB" if profile.max_file_bytes else "",
                  f"up to {profile.max_images_per_example} images per example"
                  if profile.max_images_per_example else "",
                  "BOM accepted" if profile.bom == "allow" else "BOM discouraged"]
        click.echo(f"provider {profile.id}: {profile.name}; " + ", ".join(x for x in limits if x) + "\n")
    if output_format == "json":
        click.echo(json.dumps([m.model_dump(mode="json") for m in rows], indent=2))
        return
    header = ("model", "encoding", "context", "train $/1M", "methods", "vision", "jobs until")
    table = [header] + [
        (m.id, m.encoding, f"{m.training_context:,}",
         f"{m.training_price:.2f}" if m.training_price is not None
         else (f"{m.hourly_price:.0f}/hour" if m.hourly_price is not None else "-"),
         ",".join(m.methods), "yes" if m.vision else "no",
         (_before(catalog.jobs_end(m)[0]) or "-"))
        for m in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


def _before(day: dt.date | None) -> str:
    return (day - dt.timedelta(days=1)).isoformat() if day else ""

"""The command line. It turns arguments and config into a run, picks a reporter and
decides the exit code (here, and only here): 0 clean, 1 violations, 2 usage,
config or internal error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from ftlint import __version__
from ftlint.choices import DEFAULT_TARGET, METHODS, TOKENIZERS, targets
from ftlint.naming import rule_text as validation_name_rule
from ftlint.report import CHOICES

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C (128 + SIGINT); click's default, 1, would read "violations"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _split_commas(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[str] | None:
    """``--select FT1,FT2`` and repeated ``--select FT1 --select FT2`` alike; None when not given."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _local_path(value: str | None) -> str | None:
    """A path given on the command line is relative to the working directory, not to the config file."""
    return value if value is None or value in TOKENIZERS else str(Path(value).resolve())


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ftlint.registry import installed_plugins  # metadata only: no plugin is imported

    click.echo(f"ftlint {__version__}")
    for name, version in installed_plugins():
        click.echo(f"  plugin {name} {version}")
    ctx.exit()


class _HelpLater(click.Option):
    """An option whose help is written when help is shown: naming the targets reads models.toml, which
    every other run of ftlint (``--version``, a pre-commit hook) need not pay for at start-up."""

    def __init__(self, *args: Any, help_text: Callable[[], str], **kwargs: Any) -> None:
        self._help_text = help_text
        super().__init__(*args, **kwargs)

    @property  # click reads `help` wherever it shows it: --help, shell completion, to_info_dict
    def help(self) -> str:
        return self._help_text()

    @help.setter
    def help(self, value: str | None) -> None:
        pass  # click's __init__ assigns the (absent) static help


@contextlib.contextmanager
def _usage_errors_masked() -> Iterator[None]:
    """click quotes arguments in its usage errors (`File 'x.jsonl' does not exist.`, an unexpected
    argument): a key in a file name is hidden there as everywhere else (masking.mask_name)."""
    try:
        yield
    except click.ClickException as error:
        from ftlint.masking import mask_name

        # click types `message` Final (set once, by the exception); this is its one rewrite, before it is shown.
        setattr(error, "message", mask_name(error.message))  # noqa: B010
        raise


class _Main(click.Group):
    program = False  # run as the ftlint program, not called in process (tests, scripts)

    def main(self, args: Sequence[str] | None = None, *more: Any, **extra: Any) -> Any:
        # The program reads its arguments from the command line; a caller in process passes them.
        self.program = args is None
        if self.program:
            # Start-up creates most of the objects a run keeps (rules, plans, models, patterns): collecting
            # the young generation every 700 allocations rescans them over and over (2% of a 10-line run's
            # instructions). Cyclic garbage stays bounded, by this larger count.
            gc.set_threshold(100_000, 50, 100)
        # Inside GitHub Actions every line ftlint writes (click's usage errors too) is kept from
        # reading as a workflow command; the github format's own annotations pass (sanitize.py).
        from ftlint.sanitize import guarded_streams

        with guarded_streams(os.environ.get("GITHUB_ACTIONS") == "true"):
            return super().main(args, *more, **extra)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _usage_errors_masked():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        from ftlint import interrupts

        try:
            with interrupts.handled(program=self.program), _usage_errors_masked():
                return super().invoke(ctx)
        except interrupts.Interruption as interruption:  # Ctrl-C, SIGTERM or SIGHUP
            parallel = sys.modules.get("ftlint.parallel")  # imported only if workers may exist
            if parallel is not None:
                parallel.stop_workers()
            click.echo(f"\nftlint: {interrupts.describe(interruption)}; nothing was checked to the end", err=True)
            sys.exit(interrupts.exit_code(interruption))


@click.group(cls=_Main, context_settings=CONTEXT)
@click.option("-V", "--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version (and installed rule plugins) and exit.")
def main() -> None:
    """ftlint: lint LLM fine-tuning data before you upload it or start training.

    \b
    Checks chat, preference (DPO), reinforcement and prompt/completion files in
    OpenAI's layout and in TRL's, ShareGPT, Alpaca, Gemini and Nova, for
    everything that makes a job fail or train on garbage on the target you
    name (--provider NAME, see `ftlint models`; by default `generic`, what
    every trainer accepts), and reports token counts (exact with the model's
    tokenizer) and the estimated training cost. Runs fully offline.

    \b
    Examples:
      ftlint check train.jsonl valid.jsonl
      ftlint check train.jsonl --provider together --model Qwen/Qwen3-8B
      ftlint check data/ --format json -o report.json
      ftlint targets train.jsonl     will it train? every target's verdict
      ftlint fix train.jsonl -o fixed.jsonl
      ftlint convert data.jsonl --to gemini -o gemini.jsonl
      ftlint rule FT301              explain a rule
      ftlint models                  fine-tunable models, limits and prices

    Exit codes: 0 clean, 1 violations found, 2 usage, config or internal error, 130 interrupted
    (Ctrl-C), 143 terminated (SIGTERM).
    """


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@click.option("-m", "--model", help="Model to check against (limits, tokenizer, price), as the target names it "
              "(gpt-4.1-2025-04-14, Qwen/Qwen3-8B, accounts/fireworks/models/...). Default: config, else the "
              "target's default model. See `ftlint models --provider NAME`.")
@click.option("--method", type=click.Choice(METHODS),
              help="Training method; auto detects it from the data and the model.")
@click.option("--provider", "--target", "provider", cls=_HelpLater, help_text=lambda: "Where the data is going: "
              f"its limits, policies, models and verdict. One of {', '.join(targets())}, or one defined in config. "
              f"Default: config, else {DEFAULT_TARGET} (what every trainer of the chat format accepts). `all` adds "
              "every target's verdict on each file (will it train?; also `ftlint targets FILE`).")
@click.option("--epochs", type=click.IntRange(1, 50), help="Epochs for the cost estimate. "
              "Default: OpenAI's automatic choice for the example count.")
@click.option("--select", multiple=True, callback=_split_commas,
              help="Only these rules: codes, prefixes (FT2), names or ALL. Comma-separated.")
@click.option("--extend-select", multiple=True, callback=_split_commas, help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, callback=_split_commas, help="Rules to turn off.")
@click.option("--validation-file", "validation_files", type=click.Path(path_type=Path, exists=True),
              multiple=True, help="A validation file: checked, tokens reported, not billed. A file is one "
              f"too when {validation_name_rule()} (or it matches `validation-files` in config).")
@click.option("--training-file", "training_files", type=click.Path(path_type=Path, exists=True),
              multiple=True, help="A training file, whatever its name says (also `training-files` in config).")
@click.option("--stdin-filename", type=click.Path(path_type=Path), metavar="NAME",
              help="The name to report standard input (-) as; config, per-file-ignores and the "
              "validation-name rule use it too.")
@click.option("-f", "--format", "output_format", type=click.Choice(CHOICES),
              help="Report format. Default: full on a terminal, else auto (github annotations inside GitHub "
              "Actions, concise elsewhere); also FTLINT_FORMAT or `format` in config.")
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file instead of stdout.")
@click.option("--statistics", is_flag=True, help="Count violations per rule instead of listing them.")
@click.option("--max-repeats", type=click.IntRange(0), help="Identical findings (same rule and message) listed "
              "per file before the rest are summarised with their count and lines. Default 10 (1 for info); "
              "0 lists all. Totals and the exit code always count every one.")
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
@click.option("--tokenizer", metavar="auto|tiktoken|bpe-openai|PATH",
              help="Exact token counter. auto: bpe-openai when installed (ftlint[fast]), else tiktoken. "
              "PATH: an open model's tokenizer.json, model folder or Hugging Face cache folder (never downloads).")
@click.option("--chat-template", type=click.Path(dir_okay=False), help="A .jinja chat template to render "
              "examples with, instead of the open model's own.")
@click.option("--max-seq-length", type=click.IntRange(1), help="The trainer's max_seq_length (open models); "
              "longer examples are truncated. Default: config, else TRL's 1024.")
@click.option("--no-tokens", is_flag=True,
              help="Skip token counting: no totals or costs, no token rules. For quick structural checks.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Use this ftlint.toml or pyproject.toml instead of discovering one.")
@click.option("--isolated", is_flag=True, help="Read no config file at all (defaults and options only).")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply `exclude` and `extend-exclude` to paths named on the command line too (for pre-commit).")
@click.option("--show-settings", is_flag=True, help="Print each path's config file, the resolved settings, the "
              "plugins that would load (without loading them) and the selected rules, then exit.")
@click.option("-q", "--quiet", is_flag=True, help="Print violations only: no totals, notes or verdict.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also print which config and rules each file got, what was skipped, and the time (stderr).")
@click.option("--color/--no-color", default=None, help="Color the text report. Default: only on a terminal.")
def check(paths: tuple[Path, ...], model: str | None, method: str | None, provider: str | None,
          epochs: int | None,
          select: list[str] | None, extend_select: list[str] | None, ignore: list[str] | None,
          validation_files: tuple[Path, ...], training_files: tuple[Path, ...], stdin_filename: Path | None,
          output_format: str | None, output_file: Path | None,
          statistics: bool, max_repeats: int | None, baseline_path: Path | None, write_baseline: Path | None,
          require_plugins: list[str] | None, exit_zero: bool,
          strict: bool | None, jobs: int | None, tokenizer: str | None, chat_template: str | None,
          max_seq_length: int | None, no_tokens: bool,
          config_path: Path | None, isolated: bool, force_exclude: bool | None, show_settings: bool,
          quiet: bool, verbose: bool, color: bool | None) -> None:
    """Check fine-tuning files (JSONL). PATHS are files, directories (searched for
    *.jsonl) or - for standard input; none means the current directory.

    \b
    Each violation prints as  path:line:col: CODE [severity] message (rule-name),
    followed by per-file totals: examples, tokens, billed tokens, epochs, cost.
    Configure defaults in pyproject.toml under [tool.ftlint] or in ftlint.toml.
    """
    from ftlint import run
    from ftlint.config import ConfigError
    from ftlint.discovery import Selection, expand
    from ftlint.report import resolve_format
    from ftlint.selection import Layer

    every_target = provider == "all"  # will it train? every target's verdict, beside the chosen target's report
    if every_target:
        provider = None
    overrides: dict[str, Any] = {"model": model, "method": method, "provider": provider, "epochs": epochs,
                                 "tokenizer": _local_path(tokenizer), "chat_template": _local_path(chat_template),
                                 "max_seq_length": max_seq_length,
                                 "tokens": False if no_tokens else None}
    layer = Layer(select=select or None, extend_select=extend_select or (), ignore=ignore or ())
    try:
        _exclusive(quiet=quiet, verbose=verbose)
        resolver = _resolver(config_path, overrides, isolated, training_files, validation_files, stdin_filename)
        base = resolver.for_path(paths[0] if paths and str(paths[0]) != "-" else None)
        if show_settings:
            run.show_settings(resolver, [None if str(p) == "-" else p for p in paths] or [None], layer)
            return
        name = _format_name(output_format, output_file, base.settings.format)
        configured_baseline = base.root / base.settings.baseline if base.settings.baseline else None
        selection = Selection(resolver, force_exclude)
        options = run.RunOptions(
            files=list(expand(paths or (Path("."),), set(validation_files), selection, set(training_files))),
            output_format=resolve_format(name, stdout_is_tty=output_file is None and sys.stdout.isatty()),
            output_file=output_file,
            color=output_file is None and (color if color is not None else _terminal_wants_color()),
            strict=bool(strict if strict is not None else base.settings.strict),
            jobs=jobs or base.settings.jobs,
            statistics=statistics,
            baseline=baseline_path or configured_baseline,
            write_baseline=write_baseline,
            require_plugins=tuple(require_plugins or ()),
            exit_zero=exit_zero,
            max_repeats=base.settings.max_repeats if max_repeats is None else max_repeats,
            quiet=quiet,
            verbose=verbose,
            skipped=tuple(selection.skipped),
            every_target=every_target,
        )
    except (ConfigError, FileNotFoundError) as exc:
        _fail(str(exc))
    _exit_with(lambda: run.check(resolver, layer, options))


def _format_name(output_format: str | None, output_file: Path | None, configured: str | None) -> str:
    """The report format: the option, the output file's extension, FTLINT_FORMAT, the config, else
    `full` on a terminal and `auto` (GitHub, GitLab or plain) elsewhere."""
    from ftlint.config import ConfigError
    from ftlint.report import format_for_path

    name = output_format or format_for_path(output_file) or os.environ.get("FTLINT_FORMAT") or \
        configured or ("full" if sys.stdout.isatty() else "auto")
    if name not in CHOICES:
        raise ConfigError(f"unknown format {name!r}; choose one of {', '.join(CHOICES)}")
    return name


def _exit_with(run_check: Callable[[], int]) -> NoReturn:
    """Run, and exit with its code; a run error is exit 2 with its message."""
    from ftlint import run

    try:
        code = run_check()
    except run.RunError as exc:
        _fail(str(exc))
    except BrokenPipeError:  # `ftlint check ... | head`: the reader left; leave quietly, as ruff and ripgrep
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_CLEAN)
    sys.exit(code)


def _resolver(config_path: Path | None, overrides: dict[str, Any], isolated: bool, training: tuple[Path, ...],
              validation: tuple[Path, ...], stdin_name: Path | None) -> Any:
    """The ConfigResolver for `check`'s config options (ConfigError on contradictions)."""
    from ftlint.config import ConfigError, ConfigResolver

    both = {path.resolve() for path in training} & {path.resolve() for path in validation}
    if both:
        raise ConfigError(f"{sorted(both)[0]} is named with both --training-file and --validation-file")
    return ConfigResolver(config_path, overrides, isolated=isolated, training=training, stdin_name=stdin_name)


def _exclusive(**flags: bool) -> None:
    given = [f"--{name}" for name, value in flags.items() if value]
    if len(given) > 1:
        raise click.UsageError(f"{' and '.join(given)} exclude each other")


def _terminal_wants_color() -> bool:
    """NO_COLOR (no-color.org) turns color off, FORCE_COLOR (force-color.org) on; set and not empty."""
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _fail(message: str) -> NoReturn:
    from ftlint.masking import mask_name
    from ftlint.sanitize import visible

    # Messages quote paths and values: a stranger's file name may hold terminal controls or a key.
    click.echo(f"ftlint: error: {visible(mask_name(message))}", err=True)
    sys.exit(EXIT_ERROR)


@main.command("targets", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True))
@click.option("-m", "--model", help="Judge every target with this model (default: each target's own default).")
@click.option("-f", "--format", "output_format", type=click.Choice(CHOICES), help="Report format, as for check.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Use this ftlint.toml or pyproject.toml instead of discovering one.")
@click.option("--isolated", is_flag=True, help="Read no config file at all (defaults and options only).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes, as for check.")
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file, as for check.")
@click.option("--color/--no-color", default=None, help="Color the text report. Default: only on a terminal.")
@click.pass_context
def targets_command(ctx: click.Context, paths: tuple[Path, ...], model: str | None, output_format: str | None,
                    config_path: Path | None, isolated: bool, jobs: int | None, output_file: Path | None,
                    color: bool | None) -> None:
    """Will it train? Every target's verdict on each file: accept, accept with warnings, or reject,
    with the rules that decided it. The same as `ftlint check --target all`.

    PATHS are files, folders or - for standard input (read once, into a private temporary copy that
    every target reads); none means the current directory.
    """
    ctx.invoke(check, paths=paths, provider="all", model=model, output_format=output_format,
               config_path=config_path, isolated=isolated, jobs=jobs, output_file=output_file, color=color)


@main.command(context_settings=CONTEXT)
@click.argument("source", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, allow_dash=True),
              help="Where to write the cleaned file (- for standard output; never the input: see --in-place).")
@click.option("--rejects", type=click.Path(path_type=Path, allow_dash=True),
              help="Where to write the lines that could not be kept (JSONL: line, code, reason, the original "
              "exactly). Default: OUTPUT.rejects.jsonl (SOURCE.rejects.jsonl when OUTPUT is not a file), "
              "written only when a line is rejected.")
@click.option("--in-place", is_flag=True, help="Replace SOURCE itself, keeping its permissions "
              "(a SOURCE.bak backup is kept).")
@click.option("--no-backup", is_flag=True, help="With --in-place: keep no backup.")
@click.option("--unsafe-fixes", is_flag=True, help="Also trim whitespace around content, lower-case roles, "
              "convert functions/function_call to tools/tool_calls, drop unknown keys, and drop duplicate "
              "examples and examples with no assistant message or none that trains (to the rejects file).")
@click.option("--drop-invalid", is_flag=True, help="Move every example that still has an error after the "
              "fixes to the rejects file, with its findings: the output has no record-level errors left.")
@click.option("-m", "--model", help="Model to check the records against, as for `check` (limits, tokens).")
@click.option("--provider", "--target", "provider", help="Target to check the records for, as for `check`.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Use this ftlint.toml or pyproject.toml instead of the one found for SOURCE.")
@click.option("--diff", "show_diff", is_flag=True, help="Show what would change; write nothing.")
def fix(source: Path, output: Path | None, rejects: Path | None, in_place: bool, no_backup: bool,
        unsafe_fixes: bool, drop_invalid: bool, model: str | None, provider: str | None,
        config_path: Path | None, show_diff: bool) -> None:
    """Write a cleaned copy of SOURCE, losing nothing.

    \b
    Safe fixes (always): drop a BOM, CRLF to LF, drop blank lines, end with a
    newline, rewrite pretty-printed JSON as one object per line. Lines that cannot
    be kept (invalid JSON, invalid UTF-8, not an object, a broken part of a
    pretty-printed file...) go to the rejects file with their line number, the
    original exactly, and why. Every input line ends up in exactly one of the two
    outputs (or is a dropped blank line). The fixed records are then linted as
    `check` would (same config): what still fails is listed, or moved to the
    rejects file with --drop-invalid.

    \b
    Writes are atomic and never go through a symbolic link; the input is only
    changed with --in-place. Exit status: 0 when every line was kept and nothing
    left fails `check`, 1 when lines went to the rejects file or errors remain,
    2 on a usage or I/O error, 130/143 when interrupted (no partial file is left).
    """
    from ftlint.atomic import Terminated
    from ftlint.fix import FixError, FixOptions, run_fix

    try:
        code = run_fix(FixOptions(source, output, rejects, in_place, no_backup, unsafe_fixes, show_diff,
                                  drop_invalid=drop_invalid, model=model, config=config_path,
                                  provider=provider))
    except FixError as exc:
        _fail(str(exc))
    except BrokenPipeError:  # `ftlint fix ... -o - | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_ERROR)
    except (KeyboardInterrupt, Terminated) as exc:
        click.echo("\nftlint: fix interrupted; no partial file was left", err=True)
        sys.exit(exc.exit_code if isinstance(exc, Terminated) else EXIT_INTERRUPTED)
    sys.exit(code)


# The layouts `ftlint convert --to` writes (ftlint.convert.TARGETS; a test keeps the two equal).
CONVERT_TARGETS = ("openai", "hf", "gemini", "nova", "sharegpt")


@main.command(context_settings=CONTEXT)
@click.argument("source", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--to", "to", type=click.Choice(CONVERT_TARGETS), required=True,
              help="The layout to write: openai (messages, OpenAI DPO), hf (TRL: object tool arguments, "
              "chosen/rejected), gemini (Vertex contents/parts), nova (Bedrock conversation), sharegpt.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the converted file (never the input).")
@click.option("--rejects", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the lines that could not be converted, with the reason. "
              "Default: OUTPUT.rejects.jsonl when any line is rejected.")
@click.option("--check", "preview", is_flag=True, help="Show what would be converted, lost and rejected; write "
              "nothing.")
def convert(source: Path, to: str, output: Path | None, rejects: Path | None, preview: bool) -> None:
    """Rewrite SOURCE in the layout another target reads, losing nothing silently.

    \b
    Each line is read in its own layout (OpenAI chat or DPO, TRL, ShareGPT, Alpaca, Gemini, Nova),
    validated, and written in the --to layout. What cannot be carried over (weights, names, tool call
    ids, joined turns) is listed as lossy, with the line; a line that cannot be converted at all (a
    data: URL image for Vertex, a tool call for Nova) goes to the rejects file with the reason. The
    input is never changed; writes are atomic.

    \b
    Exit status: 0 when every line was converted, 1 when some were rejected, 2 on a usage error.
    """
    from ftlint.convert import ConvertError, ConvertOptions, run_convert

    try:
        code = run_convert(ConvertOptions(source, to, output, rejects, preview))
    except ConvertError as exc:
        _fail(str(exc))
    sys.exit(code)


@main.command(context_settings=CONTEXT)
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule, plugins included.")
@click.option("-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Include the rules this config adds (local plugins, schemas) instead of the discovered one's.")
@click.option("--isolated", is_flag=True, help="Read no config file: built-in and installed plugin rules only.")
def rule(code: str | None, show_all: bool, output_format: str, config_path: Path | None, isolated: bool) -> None:
    """Explain a rule (by code or name), or list them all with --all.

    The rules of the config discovered from the current folder count too: its local plugin files
    (`plugins = [...]`, which this loads, as `check` does) and its `[[schema]]` rules.
    """
    import json

    from ftlint.config import ConfigError, ConfigResolver
    from ftlint.registry import discover
    from ftlint.ruledoc import rule_json, rule_text

    try:
        config = ConfigResolver(config_path, {}, isolated=isolated).for_path(None)
        registry = config.rules_registry(discover())
    except ConfigError as exc:
        _fail(str(exc))
    for error in registry.errors:
        click.echo(f"ftlint: warning: {error}; its rules are not listed", err=True)
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
@click.option("--provider", "--target", "provider", cls=_HelpLater,
              help_text=lambda: f"Target: {', '.join(targets())}, or one from config.")
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
    profile = catalog.target
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
        (m.id, m.encoding or "own tokenizer", f"{m.training_context:,}" if m.training_context else "unknown",
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

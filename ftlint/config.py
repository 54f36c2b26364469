"""Configuration: ``[tool.ftlint]`` in pyproject.toml or a top-level ``ftlint.toml``.

Discovery works like ruff's: for each checked file, the closest folder upward that holds
``ftlint.toml`` or a ``pyproject.toml`` with a ``[tool.ftlint]`` table wins; configs are not merged
unless one says ``extend = "../pyproject.toml"``. ``--config FILE`` uses one file for everything,
``--isolated`` none. Precedence: command line > config file > the files it extends > defaults.

Discovery never leaves the repository: it stops at the first folder holding ``.git``, ``.hg`` or
``.svn`` and at the user's home folder. A config file is trusted like code (its ``plugins`` are
Python files that run), so a file in a shared parent folder (``/tmp``, a mounted volume, a
colleague's checkout above yours) must never configure a run below it.

A config that cannot be read, parsed or validated is an error (exit 2) naming the file, line and
column, whether it was discovered or named: a broken config must never quietly weaken a CI gate.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ftlint import naming, plugintime, tomlload
from ftlint.choices import DEFAULT_TARGET, METHODS, TOKENIZERS
from ftlint.globs import PathGlob, absolute_posix
from ftlint.records import DEFAULT_MAX_LINE_BYTES
from ftlint.repeats import DEFAULT_MAX_REPEATS
from ftlint.rules.custom import SchemaEntry
from ftlint.selection import Layer
from ftlint.violation import Severity

if TYPE_CHECKING:
    from ftlint.registry import Registry
    from ftlint.rule import Rule
    from ftlint.selection import Selector

REPOSITORY_MARKERS = (".git", ".hg", ".svn")
# Searched folders skip these (ruff's `exclude` defaults, plus every hidden file and folder).
DEFAULT_EXCLUDE = (".*", "venv", "node_modules", "__pycache__")
MAX_LINE_BYTES_LIMIT = 1 << 40  # 1 TiB: larger caps are a typo, and past 2**63 the reader cannot index
Key = tuple[str | int, ...]


class ConfigError(ValueError):
    """The configuration is invalid; the message says where and how to fix it.

    ``key`` is the setting's path in the config table (``("rules", "FT302", "tokens")``) when
    known, so that :meth:`Config.error` can add the file, line and column.
    """

    def __init__(self, message: str, key: Key = (), *, located: bool = False) -> None:
        super().__init__(message)
        self.key = key
        self.located = located


class Settings(BaseModel):
    """Everything a run can be configured with. Keys are kebab-case in TOML."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=lambda name: name.replace("_", "-"),
        populate_by_name=True,
        frozen=True,
    )

    extend: str | None = None  # another config file this one builds on, relative to this file
    model: str | None = None  # None: the target's default model
    provider: str = DEFAULT_TARGET  # what every trainer accepts; see the README on choosing a target
    method: str = "auto"
    epochs: int | None = Field(default=None, ge=1, le=50)
    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    extend_per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    severity: dict[str, Severity] = Field(default_factory=dict)
    strict: bool = False
    tokens: bool = True
    # auto, tiktoken or bpe-openai; anything else is a path (relative to this file) to a tokenizer.json,
    # a model folder or a Hugging Face cache folder (ftlint.hf).
    tokenizer: str = Field(default="auto", min_length=1)
    chat_template: str | None = None  # a .jinja file replacing the model's chat template (open models)
    max_seq_length: int | None = Field(default=None, ge=1)  # the trainer's limit (open models; TRL: 1024)
    assistant_only_loss: bool = False  # the trainer masks all but the assistant's tokens (TRL SFTConfig)
    max_line_bytes: int = Field(default=DEFAULT_MAX_LINE_BYTES, ge=1024, le=MAX_LINE_BYTES_LIMIT)
    jobs: int | None = Field(default=None, ge=1, le=256)  # None: one worker per core
    max_repeats: int = Field(default=DEFAULT_MAX_REPEATS, ge=0)  # identical findings listed per file; 0: all
    plugin_timeout: float = Field(default=plugintime.DEFAULT_SECONDS, ge=0, le=plugintime.MAX_SECONDS)  # 0: none
    validation_files: list[str] = Field(default_factory=list)
    training_files: list[str] = Field(default_factory=list)
    exclude: list[str] | None = None  # None: DEFAULT_EXCLUDE
    extend_exclude: list[str] = Field(default_factory=list)
    force_exclude: bool = False
    respect_gitignore: bool = True
    format: str | None = None
    baseline: str | None = None  # a baseline file, relative to the config file
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    models: dict[str, dict[str, Any]] = Field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    plugins: list[str] = Field(default_factory=list)  # local rule files (Python), relative to the config
    # Team JSON Schemas, [[tool.ftlint.schema]] (the field cannot be called `schema` in pydantic).
    schemas: list[SchemaEntry] = Field(default_factory=list, alias="schema")

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        return _one_of(value, METHODS, "method")

    @field_validator("tokenizer")
    @classmethod
    def _known_tokenizer(cls, value: str) -> str:
        if any(mark in value for mark in ("/", "\\", ".")):
            return value  # a path to an open model's files (ftlint.hf)
        return _one_of(value, TOKENIZERS, "tokenizer")


def _one_of(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(choices)}")
    return value


# How `extend` combines a file with the one it extends (ruff's rules): the extending file's value
# wins; tables merge key by key; `extend-*` lists add up. Paths stay relative to the file that wrote them.
_TABLES = ("severity", "rules", "models", "providers")
_ADDED = ("extend_select", "extend_exclude", "extend_per_file_ignores")
_PATHS = ("plugins", "baseline", "schemas", "tokenizer", "chat_template")


@dataclass(frozen=True)
class Source:
    """One config file as written: its own settings and where each key is."""

    path: Path
    settings: Settings
    document: tomlload.Document | None = None
    prefix: Key = ()  # ("tool", "ftlint") in a pyproject.toml
    label: str = ""  # what messages call settings that come from no file

    @property
    def folder(self) -> Path:
        return self.path.parent

    def sets(self, field: str) -> bool:
        return field in self.settings.model_fields_set

    def where(self, key: Key) -> str:
        if self.document is None:
            return self.label or str(self.path)
        return self.document.where(self.prefix + key)

    def written(self, key: Key) -> int:
        """How many leading parts of ``key`` this file's table spells out (0: none)."""
        table: Any = self.document.data if self.document is not None else {}
        for part in self.prefix:
            table = table.get(part, {}) if isinstance(table, dict) else {}
        depth = 0
        for part in key:
            found = (isinstance(table, dict) and part in table) or (
                isinstance(table, list) and isinstance(part, int) and 0 <= part < len(table))
            if not found:
                break
            table = table[part]
            depth += 1
        return depth


class Config:
    """Settings plus where they came from (paths in config are relative to the file that wrote them).

    ``chain`` is the file that was found and the files it extends, nearest first.
    """

    def __init__(self, settings: Settings, path: Path | None, *, chain: tuple[Source, ...] = (),
                 training: frozenset[Path] = frozenset()) -> None:
        self.settings = settings
        self.path = path
        self.chain = chain
        self.training = training  # files named with --training-file (resolved)
        self.root = path.parent if path is not None else Path.cwd()
        sources = list(reversed(chain)) or [
            Source(path or self.root / "settings", settings, label=str(path) if path else "settings")]
        self._sources = sources  # farthest first: the order in which settings apply
        self.per_file_ignores = _nearest_globs(sources, "per_file_ignores") + [
            item for source in sources for item in _globs(source, "extend_per_file_ignores")]
        self.validation_globs = [glob for glob, _ in _nearest_globs(sources, "validation_files")]
        self.training_globs = [glob for glob, _ in _nearest_globs(sources, "training_files")]
        set_exclude = [s for s in sources if s.sets("exclude")]
        self.exclude_globs = (
            [glob for glob, _ in _globs(set_exclude[-1], "exclude")] if set_exclude
            else [PathGlob(p, self.root, "the default exclude") for p in DEFAULT_EXCLUDE]
        ) + [glob for source in sources for glob, _ in _globs(source, "extend_exclude")]

    @property
    def selection_layers(self) -> list[Layer]:
        """select / extend-select / ignore of each file, farthest first (ruff: each file a layer)."""
        return [Layer(s.settings.select, s.settings.extend_select, s.settings.ignore) for s in self._sources]

    def describe(self) -> str:
        """The config file and the files it extends, for --show-settings and -v."""
        if self.path is None:
            return "(none: defaults)"
        extended = [str(source.path) for source in self.chain[1:]]
        return str(self.path) + (f" (extends {' -> '.join(extended)})" if extended else "")

    def kind_of(self, file: Path | None, explicit_validation: bool = False) -> tuple[str, str]:
        """("training" or "validation", why): the command line, then config globs, then the name."""
        if explicit_validation:
            return "validation", "named with --validation-file"
        if file is None:
            return "training", ""
        if file.resolve() in self.training:
            return "training", "named with --training-file"
        for glob in self.training_globs:
            if glob.matches(file):
                return "training", f"matches training-files pattern {glob.pattern!r} in {glob.source}"
        for glob in self.validation_globs:
            if glob.matches(file):
                return "validation", f"matches validation-files pattern {glob.pattern!r} in {glob.source}"
        word = naming.validation_word(file.name)
        if word is not None:
            return "validation", f"its name has the word {word!r} (use --training-file to train on it)"
        return "training", ""

    def is_validation_file(self, file: Path, explicit: bool = False) -> bool:
        """:meth:`kind_of`, as a yes or no (for callers that need no reason, such as `fix`)."""
        return self.kind_of(file, explicit)[0] == "validation"

    def ignored_for(self, file: Path) -> list[str]:
        return [code for glob, selectors in self.per_file_ignores if glob.matches(file) for code in selectors]

    def excluded_by(self, path: Path) -> PathGlob | None:
        """The exclude pattern that matches ``path`` (a file or folder), or None."""
        absolute = absolute_posix(path)
        name = absolute.rsplit("/", 1)[-1]
        return next((glob for glob in self.exclude_globs if glob.match(name, absolute)), None)

    def error(self, exc: ConfigError) -> ConfigError:
        """``exc`` with the config file (and the line and column of its key) in front."""
        if exc.located or self.path is None:
            return exc
        if not exc.key or not self.chain:  # e.g. an unknown model: from the config, or from --model
            return ConfigError(f"{exc} (config: {self.describe()})", exc.key, located=True)
        # The file that spells out most of the key wrote it (nearest first on a tie).
        source = max(self.chain, key=lambda s: s.written(exc.key) if exc.key else 0)
        return ConfigError(f"{source.where(exc.key)}: {exc}", exc.key, located=True)

    def rules_registry(self, base: Registry) -> Registry:
        """``base`` plus this config's local rule files (``plugins``) and schema rules."""
        from ftlint.rules.custom import schema_rules

        registry = base
        if self.settings.plugins:
            registry = registry.with_local([Path(path) for path in self.settings.plugins])
        if self.settings.schemas:
            try:
                registry = registry.with_rules("config schema", schema_rules(self.settings.schemas, self.root))
            except ValueError as exc:
                raise self.error(ConfigError(str(exc), ("schema",))) from None
        return registry

    def check_selectors(self, selector: Selector) -> None:
        """Every rule selector in config names a rule; else an error at its key, with a suggestion."""
        for source in self.chain or self._sources:
            for key, selectors in _selectors(source.settings):
                try:
                    selector.validate(selectors)
                except ValueError as exc:
                    raise ConfigError(f"{source.where(key)}: setting `{_dotted(key)}`: {exc}",
                                      key, located=True) from None

    def build_rule(self, code: str, rule_class: type[Rule[Any]]) -> Rule[Any]:
        """The rule with its options from ``[rules.CODE]`` or ``[rules.NAME]``, validated."""
        key = next((k for k in self.settings.rules if k in (code, rule_class.name)), None)
        options = self.settings.rules.get(key, {}) if key is not None else {}
        try:
            parsed = rule_class.options_model.model_validate(options)
        except ValidationError as exc:
            detail = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in detail["loc"])
            hint = _suggest(detail, list(rule_class.options_model.model_fields))
            raise self.error(ConfigError(f"options of {code} ({rule_class.name}): `{where}`: {detail['msg']}{hint}",
                                         ("rules", str(key), *detail["loc"]))) from None
        try:
            return rule_class(parsed)
        except (ValueError, re.error) as exc:  # e.g. a regex option that does not compile
            raise self.error(ConfigError(f"options of {code} ({rule_class.name}): {exc}",
                                         ("rules", str(key)))) from None


def _selectors(settings: Settings) -> Iterable[tuple[Key, Iterable[str]]]:
    """(key, selectors) for every place a config names rules."""
    yield ("select",), settings.select or ()
    yield ("extend-select",), settings.extend_select
    yield ("ignore",), settings.ignore
    for table in ("severity", "rules"):
        for name in getattr(settings, table):
            yield (table, name), [name]
    for table in ("per-file-ignores", "extend-per-file-ignores"):
        for glob, codes in getattr(settings, table.replace("-", "_")).items():
            yield (table, glob), codes


def _dotted(key: Key) -> str:
    return ".".join(str(part) for part in key)


def _globs(source: Source, field: str) -> list[tuple[PathGlob, list[str]]]:
    """A glob setting of one file: (glob, the codes it maps to, for per-file tables)."""
    value = getattr(source.settings, field)
    name = source.path.name if source.document is not None else "config"
    if isinstance(value, dict):
        return [(PathGlob(pattern, source.folder, name), codes) for pattern, codes in value.items()]
    return [(PathGlob(pattern, source.folder, name), []) for pattern in value or ()]


def _nearest_globs(sources: list[Source], field: str) -> list[tuple[PathGlob, list[str]]]:
    setting = [source for source in sources if source.sets(field)]
    return _globs(setting[-1] if setting else sources[-1], field)


# --- reading one file ----------------------------------------------------------------------------

def parse_settings(table: dict[str, Any], source: str, document: tomlload.Document | None = None,
                   prefix: Key = ()) -> Settings:
    """Validate one config table. Errors name the file, line and column of the first problem."""
    try:
        return Settings.model_validate(table)
    except ValidationError as exc:
        # An unknown key first: a typo (`paht`) also explains the missing one (`path`).
        errors = sorted(exc.errors(include_url=False), key=lambda error: error["type"] != "extra_forbidden")
        first = errors[0]
        where = document.where(prefix + tuple(first["loc"])) if document is not None else source
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise ConfigError(f"{where}: {_explain(first)}{more}", tuple(first["loc"]), located=True) from None
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply", located=True) from None


def _explain(error: Any) -> str:
    where = _dotted(tuple(error["loc"]))
    if error["type"] == "extra_forbidden":
        parent = tuple(error["loc"])[:-1]
        known = (list(SchemaEntry.model_fields) if parent[:1] == ("schema",)
                 else [name.replace("_", "-") for name in Settings.model_fields if name != "schemas"] + ["schema"])
        return f"unknown setting `{where}`{_suggest(error, known, everything=True)}"
    return f"setting `{where}`: {error['msg']}"


def _suggest(error: Any, known: list[str], everything: bool = False) -> str:
    if error["type"] != "extra_forbidden":
        return ""
    close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
    if close:
        return f"; did you mean `{close[0]}`?"
    return f"; known keys: {', '.join(known)}" if everything or known else ""


def read_source(path: Path) -> Source | None:
    """One config file; None for a pyproject.toml without ``[tool.ftlint]``. Raises ConfigError."""
    try:
        document = tomlload.read(path)
    except tomlload.TomlError as exc:
        raise ConfigError(str(exc), located=True) from None
    prefix: Key = ()
    table: Any = document.data
    if path.name == "pyproject.toml":
        prefix = ("tool", "ftlint")
        tool = document.data.get("tool")
        if tool is not None and not isinstance(tool, dict):
            raise ConfigError(f"{document.where(('tool',))}: `tool` must be a table", located=True)
        table = (tool or {}).get("ftlint")
        if table is None:
            _misspelled_table(document, tool or {})
            return None
        if not isinstance(table, dict):
            raise ConfigError(f"{document.where(prefix)}: `tool.ftlint` must be a table", located=True)
    return Source(path, parse_settings(table, str(path), document, prefix), document, prefix)


def _misspelled_table(document: tomlload.Document, tool: dict[str, Any]) -> None:
    """``[tool.FTLint]`` or ``[tool.ft-lint]`` is meant for ftlint: say so instead of ignoring it."""
    for name in tool:
        if name != "ftlint" and re.sub(r"[^a-z]", "", name.lower()) == "ftlint":
            raise ConfigError(f"{document.where(('tool', name))}: `[tool.{name}]` is not read; "
                              "did you mean `[tool.ftlint]`?", located=True)


def load_config_file(path: Path, training: frozenset[Path] = frozenset()) -> Config:
    """Load settings from ``path`` (an ftlint.toml or a pyproject.toml) and the files it extends."""
    chain: list[Source] = []
    seen: set[Path] = set()
    current: Path | None = path
    while current is not None:
        seen.add(current.resolve())
        source = read_source(current) or Source(current, Settings())
        chain.append(source)
        current = _extended(source, seen)
    return Config(_merge(chain), path, chain=tuple(chain), training=training)


def _extended(source: Source, seen: set[Path]) -> Path | None:
    """The file ``source`` extends (checked), or None."""
    if source.settings.extend is None:
        return None
    target = Path(os.path.normpath(source.folder / source.settings.extend))  # team/../x.toml reads x.toml
    where = source.where(("extend",))
    if not target.is_file():
        raise ConfigError(f"{where}: `extend` names {target}, which is not a file", located=True)
    if target.resolve() in seen:
        raise ConfigError(f"{where}: `extend` makes a cycle back to {target}", located=True)
    return target


def _merge(chain: list[Source]) -> Settings:
    """One Settings from a chain (nearest first), ruff's way; paths made absolute from their file."""
    merged: dict[str, Any] = {}
    for source in reversed(chain):
        for field in source.settings.model_fields_set:
            value = _rebased(source, field)
            if field in _TABLES:
                table = dict(merged.get(field, {}))
                for name, item in value.items():
                    old = table.get(name)
                    table[name] = {**old, **item} if isinstance(old, dict) and isinstance(item, dict) else item
                value = table
            elif field in _ADDED and field in merged:
                value = ({**merged[field], **value} if isinstance(value, dict) else [*merged[field], *value])
            merged[field] = value
    return Settings.model_validate(merged)


def _rebased(source: Source, field: str) -> Any:
    """A setting's value, with file paths made absolute against the file that wrote them."""
    value = getattr(source.settings, field)
    if field not in _PATHS or value is None:
        return value
    folder = source.folder.absolute()
    if field == "plugins":
        return [str(folder / path) for path in value]
    if field == "tokenizer" and value in TOKENIZERS:  # a name, not a path
        return value
    if field in ("baseline", "tokenizer", "chat_template"):
        return str(folder / value)
    return [entry.model_copy(update={"path": str(folder / entry.path)}) for entry in value]


# --- discovery -----------------------------------------------------------------------------------

def search_folders(start: Path) -> list[Path]:
    """The folders discovery looks in for ``start``: upward to the repository root or home, included."""
    directory = (start if start.is_dir() else start.parent).resolve()
    home = _home()
    folders = []
    for folder in [directory, *directory.parents]:
        folders.append(folder)
        if folder == home or any((folder / marker).exists() for marker in REPOSITORY_MARKERS):
            break
    return folders


def repository_root(directory: Path) -> Path | None:
    """The closest folder at or above ``directory`` that holds ``.git`` (for .gitignore files).

    Not resolved: .gitignore patterns apply to the paths as the walk spells them."""
    directory = Path(absolute_posix(directory))
    return next((folder for folder in [directory, *directory.parents] if (folder / ".git").exists()), None)


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no HOME and no password entry
        return None


def config_in(folder: Path) -> Path | None:
    """The config file of ``folder`` itself: ftlint.toml, else a pyproject.toml with [tool.ftlint].

    A pyproject.toml that cannot be parsed is an error even without an ftlint table (as in ruff): it
    might have held one, and going on with a parent's config or the defaults would be a silent guess.
    """
    candidate = folder / "ftlint.toml"
    if candidate.is_file():
        return candidate
    candidate = folder / "pyproject.toml"
    if candidate.is_file() and read_source(candidate) is not None:
        return candidate
    return None


def find_config(start: Path) -> Path | None:
    """The closest config at or above ``start``, within the repository (or home)."""
    for folder in search_folders(start):
        found = config_in(folder)
        if found is not None:
            return found
    return None


class ConfigResolver:
    """Finds (and caches) the config for each checked file, then applies command-line overrides."""

    stdin_name: Path | None = None  # --stdin-filename: the name standard input is checked as

    def __init__(self, explicit: Path | None, overrides: dict[str, Any], *, isolated: bool = False,
                 training: Iterable[Path] = (), stdin_name: Path | None = None) -> None:
        if isolated and explicit is not None:
            raise ConfigError("--isolated and --config exclude each other: --isolated reads no config file")
        self._training = frozenset(path.resolve() for path in training)
        self._explicit = load_config_file(explicit, self._training) if explicit is not None else None
        self._isolated = isolated
        self._overrides = {k: v for k, v in overrides.items() if v is not None}
        self.stdin_name = stdin_name
        self._cache: dict[Path | None, Config] = {}  # by config file
        self._found: dict[Path, Path | None] = {}  # the config file of each folder itself
        self._folders: dict[Path, list[Path]] = {}  # the folders searched from each folder
        self._merged: dict[int, Config] = {}  # one merged Config per base config, so plans are reused

    @property
    def names_model(self) -> bool:
        """Whether the command line names the model (it then wins over every config and target)."""
        return "model" in self._overrides

    def for_target(self, target: str, model: str | None = None, method: str | None = None) -> ConfigResolver:
        """The same configs, checked for ``target``: with the model named on the command line, else
        ``model``, else the target's default model (a config's model belongs to the config's own target);
        with ``method`` when given (a file of prompts only, judged as reinforcement)."""
        other = copy.copy(self)
        other._overrides = {"model": model, **self._overrides, "provider": target,
                            **({"method": method} if method else {})}
        other._merged = {}
        return other

    def for_path(self, file: Path | None) -> Config:
        if file is None:
            file = self.stdin_name
        base = self._explicit if self._explicit is not None else self._discovered(file)
        if not self._overrides:
            return base
        if id(base) not in self._merged:
            self._merged[id(base)] = Config(base.settings.model_copy(update=self._overrides), base.path,
                                            chain=base.chain, training=self._training)
        return self._merged[id(base)]

    def _discovered(self, file: Path | None) -> Config:
        found = None if self._isolated else self._find(file if file is not None else Path.cwd())
        if found not in self._cache:
            self._cache[found] = (load_config_file(found, self._training) if found
                                  else Config(Settings(), None, training=self._training))
        return self._cache[found]

    def _find(self, start: Path) -> Path | None:
        """find_config, with each folder's answer cached (a directory walk asks for every file)."""
        directory = start if start.is_dir() else start.parent
        if directory not in self._folders:
            self._folders[directory] = search_folders(directory)
        for folder in self._folders[directory]:
            if folder not in self._found:
                self._found[folder] = config_in(folder)
            found = self._found[folder]
            if found is not None:
                return found
        return None

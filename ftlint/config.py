"""Configuration: ``[tool.ftlint]`` in pyproject.toml or a top-level ``ftlint.toml``.

Discovery works like ruff's: for each checked file, the closest directory
upward that holds ``ftlint.toml`` or a ``pyproject.toml`` with a
``[tool.ftlint]`` table wins; configs are not merged. ``--config FILE`` uses one
file for everything. Precedence: command line > config file > defaults.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ftlint import tomlload
from ftlint.choices import DEFAULT_TARGET, METHODS, TOKENIZERS
from ftlint.records import DEFAULT_MAX_LINE_BYTES
from ftlint.repeats import DEFAULT_MAX_REPEATS
from ftlint.rules.custom import SchemaEntry
from ftlint.violation import Severity

# A file whose name says so is a validation file: its tokens are reported, not billed.
VALIDATION_NAME = re.compile(r"(^|[\W_])(val|valid|validation|eval|dev|test)([\W_]|$)", re.IGNORECASE)


class ConfigError(ValueError):
    """The configuration is invalid; the message says where and how to fix it."""


class Settings(BaseModel):
    """Everything a run can be configured with. Keys are kebab-case in TOML."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=lambda name: name.replace("_", "-"),
        populate_by_name=True,
        frozen=True,
    )

    model: str | None = None  # None: the target's default model
    provider: str = DEFAULT_TARGET  # what every trainer accepts; see the README on choosing a target
    method: str = "auto"
    epochs: int | None = Field(default=None, ge=1, le=50)
    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    severity: dict[str, Severity] = Field(default_factory=dict)
    strict: bool = False
    tokens: bool = True
    # auto, tiktoken or bpe-openai; anything else is a path (relative to this file) to a tokenizer.json,
    # a model folder or a Hugging Face cache folder (ftlint.hf).
    tokenizer: str = Field(default="auto", min_length=1)
    chat_template: str | None = None  # a .jinja file replacing the model's chat template (open models)
    max_seq_length: int | None = Field(default=None, ge=1)  # the trainer's limit (open models; TRL: 1024)
    assistant_only_loss: bool = False  # the trainer masks all but the assistant's tokens (TRL SFTConfig)
    max_line_bytes: int = Field(default=DEFAULT_MAX_LINE_BYTES, ge=1024)
    jobs: int | None = Field(default=None, ge=1)  # None: one worker per core
    max_repeats: int = Field(default=DEFAULT_MAX_REPEATS, ge=0)  # identical findings listed per file; 0: all
    validation_files: list[str] = Field(default_factory=list)
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


class Config:
    """Settings plus where they came from (paths in config are relative to it)."""

    def __init__(self, settings: Settings, path: Path | None) -> None:
        self.settings = settings
        self.path = path
        self.root = path.parent if path is not None else Path.cwd()

    def relative(self, file: Path) -> str:
        try:
            return file.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return file.as_posix()

    def is_validation_file(self, file: Path, explicit: bool = False) -> bool:
        if explicit:
            return True
        relative = self.relative(file)
        if any(fnmatch.fnmatch(relative, glob) or fnmatch.fnmatch(file.name, glob)
               for glob in self.settings.validation_files):
            return True
        stem = file.name.split(".")[0]
        return bool(VALIDATION_NAME.search(stem))

    def ignored_for(self, file: Path) -> list[str]:
        relative = self.relative(file)
        codes: list[str] = []
        for glob, selectors in self.settings.per_file_ignores.items():
            if fnmatch.fnmatch(relative, glob) or fnmatch.fnmatch(file.name, glob):
                codes.extend(selectors)
        return codes


def load_config_file(path: Path) -> Config:
    """Load settings from ``path`` (an ftlint.toml or a pyproject.toml)."""
    try:
        data = tomlload.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomlload.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("ftlint", {}) if path.name == "pyproject.toml" else data
    return Config(parse_settings(table, str(path)), path)


def parse_settings(table: dict[str, Any], source: str) -> Settings:
    try:
        return Settings.model_validate(table)
    except ValidationError as exc:
        raise ConfigError("\n".join(_explain(error, source) for error in exc.errors(include_url=False))) from None


def _explain(error: Any, source: str) -> str:
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        known = [name.replace("_", "-") for name in Settings.model_fields]
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        hint = f"; did you mean `{close[0]}`?" if close else f"; known keys: {', '.join(known)}"
        return f"{source}: unknown setting `{where}`{hint}"
    return f"{source}: setting `{where}`: {error['msg']}"


def find_config(start: Path) -> Path | None:
    """The closest ftlint.toml, or pyproject.toml with [tool.ftlint], at or above ``start``."""
    directory = start if start.is_dir() else start.parent
    for folder in [directory.resolve(), *directory.resolve().parents]:
        candidate = folder / "ftlint.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_ftlint_table(candidate):
            return candidate
    return None


def _has_ftlint_table(path: Path) -> bool:
    try:
        data = tomlload.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomlload.TOMLDecodeError):
        return False
    return "ftlint" in data.get("tool", {})


class ConfigResolver:
    """Finds (and caches) the config for each checked file, then applies command-line overrides."""

    def __init__(self, explicit: Path | None, overrides: dict[str, Any]) -> None:
        self._explicit = load_config_file(explicit) if explicit is not None else None
        self._overrides = {k: v for k, v in overrides.items() if v is not None}
        self._cache: dict[Path | None, Config] = {}
        self._merged: dict[int, Config] = {}  # one merged Config per base config, so plans are reused

    def for_path(self, file: Path | None) -> Config:
        if self._explicit is not None:
            base = self._explicit
        else:
            found = find_config(file if file is not None else Path.cwd())
            if found not in self._cache:
                self._cache[found] = load_config_file(found) if found else Config(Settings(), None)
            base = self._cache[found]
        if not self._overrides:
            return base
        if id(base) not in self._merged:
            self._merged[id(base)] = Config(base.settings.model_copy(update=self._overrides), base.path)
        return self._merged[id(base)]

"""The model catalog (models.toml plus user overrides), epochs and cost.

Every provider and model fact lives in models.toml; this module only loads,
validates and looks them up.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ftlint import tomlload
from ftlint.choices import TRAINING_METHODS
from ftlint.formats import FORMAT_BY_METHOD, FORMATS
from ftlint.tokens import ENCODINGS
from ftlint.violation import Severity


class CatalogError(ValueError):
    """The catalog or a user override is invalid, or a model is unknown."""


# A target's fields that a target built on it (``base``) does not inherit: its identity and dates.
NOT_INHERITED = frozenset({"id", "name", "base", "status", "jobs_end", "jobs_end_note", "models", "aliases",
                           "successors", "source", "as_of"})
PRICE_FIELDS = ("training_price", "hourly_price", "input_price", "output_price")


class Target(BaseModel):
    """Where the data is going (``--provider``): a platform or trainer, its limits and policies.

    A target that names a ``base`` inherits the base's models (without prices or dates) and every
    policy it does not set itself; so a new target that shares a format is one data entry.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=lambda n: n.replace("_", "-"),
                              populate_by_name=True)

    id: str = "openai"
    name: str  # how messages name the platform ("OpenAI", "Azure OpenAI", ...)
    base: str | None = None
    status: Literal["active", "sunset"] = "active"
    default_model: str
    jobs_end: dt.date | None = None
    jobs_end_note: str = ""
    # How many epochs the cost estimate assumes when the user gives none: OpenAI's documented
    # n_epochs="auto" heuristic, or a fixed number.
    default_epochs: Literal["openai-auto"] | int = "openai-auto"
    min_examples: int = Field(default=10, ge=0)
    max_file_bytes: int | None = Field(default=None, gt=0)
    bom: Literal["warn", "allow"] = "warn"
    max_images_per_example: int | None = Field(default=None, gt=0)
    max_image_bytes: int | None = Field(default=None, gt=0)
    max_image_examples: int | None = Field(default=None, gt=0)
    requires_validation: tuple[str, ...] = ()
    max_examples: dict[str, dict[str, int]] = Field(default_factory=dict)  # method -> kind -> limit
    models: dict[str, dict[str, Any]] = Field(default_factory=dict)  # overrides of the base's models
    # The platform's own verdicts, as a layer under the user's config: rules it adds (its policies),
    # rules that do not apply to it, and severities it gives (FT208 is an error on Azure). A derived
    # target's list replaces its base's.
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)
    successors: tuple[str, ...] = ()  # where the same data still trains once this target stops taking jobs
    # A model id missing from the table: an error with suggestions (OpenAI, Azure), or accepted with
    # unknown limits (Together, Fireworks, Hugging Face trainers: their lists change every month).
    unknown_models: Literal["error", "allow"] = "error"
    aliases: tuple[str, ...] = ()  # other names for --provider (hf: trl)
    # Take the models of every other target too (their limits and tokenizers, not their prices or dates):
    # generic knows gpt-4o-mini's encoding and context when you name it, without OpenAI's verdicts.
    borrow_models: bool = False
    # Keys a record, or any of its messages, may carry beyond the format's schema on this target
    # (Fireworks: a float `weight` per example; Together: `weight` 0/1 on any message).
    record_keys: tuple[str, ...] = ()
    message_keys: tuple[str, ...] = ()
    image_urls: Literal["https-or-data", "data-only"] = "https-or-data"  # Together: base64 data URLs only
    # Content part types it reads beyond OpenAI's: Hugging Face's `{"type": "image"}` (the image itself
    # in the dataset's images column) for the trainers.
    part_types: tuple[str, ...] = ()
    tool_arguments: Literal["string", "object", "either"] = "string"  # what a call's `arguments` must be
    bills_validation: bool = False  # Together bills validation tokens too (epochs x train + evals x validation)
    # The layouts it reads, the one it wants first (empty: every layout, so that a config-defined
    # target is never told it cannot read a file), and the `ftlint convert --to` value that writes it.
    formats: tuple[str, ...] = ()
    convert: str | None = None
    source: str = ""  # where these facts come from (docs pages, spec sections)
    as_of: dt.date | None = None

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in value if name not in FORMATS]
        if unknown:
            raise ValueError(f"unknown formats {unknown}; expected some of {', '.join(FORMATS)}")
        return value

    def reads(self, format_name: str | None) -> bool:
        """Whether the target reads a file of this format (None: not known, so not judged)."""
        return not self.formats or format_name is None or format_name in self.formats


class LayoutFacts(BaseModel):
    """What a layout's platform requires that its schema cannot say (models.toml ``[layouts.NAME]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reserved_keywords: tuple[str, ...] = ()
    max_videos_per_example: int | None = Field(default=None, gt=0)
    media_uri_pattern: str = ""  # what a media URI must match; empty: anything goes
    media_uri_rule: str = "a URI the platform reads"  # what the pattern asks for, in words
    source: str = ""

    @functools.cached_property
    def media_uri(self) -> re.Pattern[str] | None:
        return re.compile(self.media_uri_pattern) if self.media_uri_pattern else None


@functools.cache
def layout_facts(layout: str) -> LayoutFacts:
    """The bundled facts of one layout (no facts: an empty record)."""
    fields = _bundled().get("layouts", {}).get(layout)
    return LayoutFacts(**fields) if fields else LayoutFacts()


def _bundled() -> dict[str, Any]:
    return tomlload.bundled("models.toml")


class ModelInfo(BaseModel):
    """One fine-tunable model. Prices in USD per 1M tokens (or per training hour)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    provider: str
    aliases: tuple[str, ...] = ()
    # An OpenAI encoding ftlint ships; None: the model's own tokenizer (local files, ftlint.hf), else an
    # estimate, labelled so.
    encoding: str | None = None
    training_context: int | None = Field(default=None, gt=0)  # None: not published; no length check
    # False for a model id the target's table does not hold, on targets whose model lists change every
    # month (``unknown_models = "allow"``): its limits are unknown.
    known: bool = True
    training_price: float | None = Field(default=None, ge=0)
    hourly_price: float | None = Field(default=None, ge=0)
    input_price: float | None = Field(default=None, ge=0)
    output_price: float | None = Field(default=None, ge=0)
    methods: tuple[str, ...] = ("supervised",)
    vision: bool = False
    function_calls: bool = True  # False: the model's tuning rejects function-call parts (Gemini 2.5)
    jobs_end: dt.date | None = None
    # An open-weight model's own files (ftlint.hf): a tokenizer.json / model folder, and a .jinja template;
    # paths relative to the config file. The run's `tokenizer` / `chat-template` settings win.
    tokenizer: str | None = None
    chat_template: str | None = None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None and value not in ENCODINGS:
            raise ValueError(f"unknown encoding {value!r}; ftlint ships {', '.join(sorted(ENCODINGS))}")
        return value

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("a model needs at least one training method; expected some of "
                             + ", ".join(FORMAT_BY_METHOD))
        unknown = [m for m in value if m not in FORMAT_BY_METHOD]
        if unknown:
            raise ValueError(f"unknown methods {unknown}; expected {', '.join(FORMAT_BY_METHOD)}")
        return value


class Catalog:
    """One target's models, looked up by id, alias or fine-tuned name."""

    def __init__(self, target: Target, models: dict[str, ModelInfo]) -> None:
        self.target = target
        self.models = models
        self._names: dict[str, str] = {}
        for model in models.values():
            self._names[model.id] = model.id
            for alias in model.aliases:
                self._names.setdefault(alias, model.id)

    def resolve(self, name: str) -> ModelInfo:
        """Find a model by id, alias or fine-tuned name (``ft:BASE:org::id``)."""
        base = name.split(":")[1] if name.startswith("ft:") and name.count(":") >= 1 else name
        found = self._names.get(base)
        if found is None and self.target.unknown_models == "allow":
            return ModelInfo(id=name, provider=self.target.id, known=False, methods=TRAINING_METHODS, vision=True)
        if found is None:
            close = difflib.get_close_matches(base, list(self._names), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise CatalogError(
                f"unknown model {name!r} for provider {self.target.id}{hint} (see `ftlint models`, or add "
                f"it under [tool.ftlint.models.\"{base}\"] in your config)"
            )
        return self.models[found]

    def jobs_end(self, model: ModelInfo) -> tuple[dt.date | None, str]:
        return jobs_end(model, self.target)

    def model_for(self, method: str, today: dt.date) -> ModelInfo | None:
        """The model this target would train ``method`` with: the default model if it can, else the
        first in the table that can and still takes jobs, else the first that can (its date then
        decides the verdict: FT820). None when no model of the target trains it."""
        default = self.resolve(self.target.default_model)
        if method in default.methods:
            return default
        able = [model for model in self.models.values() if method in model.methods and model.known]
        open_ = [model for model in able if (self.jobs_end(model)[0] or dt.date.max) > today]
        chosen = open_ or able
        return chosen[0] if chosen else None


def jobs_end(model: ModelInfo, target: Target) -> tuple[dt.date | None, str]:
    """The first day no new job can be created for ``model`` on ``target`` (the earlier of the model's and
    the target's dates), and the target's note when its date is the one that counts."""
    dates = [d for d in (model.jobs_end, target.jobs_end) if d is not None]
    if not dates:
        return None, ""
    end = min(dates)
    note = target.jobs_end_note if end == target.jobs_end and end != model.jobs_end else ""
    return end, note


def load_catalog(overrides: dict[str, dict[str, Any]] | None = None, provider: str = "openai",
                 provider_overrides: dict[str, dict[str, Any]] | None = None) -> Catalog:
    """Load models.toml for one target and apply user overrides.

    ``overrides`` change or add models of that target; ``provider_overrides``
    change or add whole targets (``[tool.ftlint.providers.NAME]``). Fields
    merge; new names add entries.
    """
    data = _bundled()
    raw_targets = {key: dict(fields) for key, fields in data.get("providers", {}).items()}
    for key, fields in (provider_overrides or {}).items():
        raw_targets[key] = {**raw_targets.get(key, {}), **_snake(fields)}
    if provider not in raw_targets:  # an alias (trl for hf)?
        provider = next((key for key, fields in raw_targets.items() if provider in fields.get("aliases", ())),
                        provider)
    if provider not in raw_targets:
        close = difflib.get_close_matches(provider, list(raw_targets), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise CatalogError(f"unknown provider {provider!r}; {hint}known: {', '.join(sorted(raw_targets))}")
    chain = _chain(provider, raw_targets)
    try:
        target = Target(id=provider, **_inherit(chain, raw_targets))
    except ValidationError as exc:
        raise CatalogError(f"provider {provider}: {_describe(exc)}") from None
    raw_models = _models_along(chain, raw_targets, data.get("models", {}))
    if target.borrow_models:
        for other in raw_targets:
            for name, fields in _models_along(_chain(other, raw_targets), raw_targets, data.get("models", {})).items():
                if name not in raw_models:
                    kept = {k: v for k, v in fields.items() if k not in (*PRICE_FIELDS, "jobs_end")}
                    raw_models[name] = {**kept, "provider": provider}
    for name, fields in (overrides or {}).items():
        raw_models[name] = {"provider": provider, **raw_models.get(name, {}), **fields}
    try:
        models = {name: ModelInfo(id=name, **fields) for name, fields in raw_models.items()}
    except ValidationError as exc:
        raise CatalogError(_describe(exc)) from None
    except TypeError as exc:
        raise CatalogError(str(exc)) from None
    return Catalog(target, models)


def _snake(fields: dict[str, Any]) -> dict[str, Any]:
    """Config keys are kebab-case, like every other setting; the bundled data is snake_case."""
    return {key.replace("-", "_"): value for key, value in fields.items()}


def _chain(target: str, raw: dict[str, dict[str, Any]]) -> list[str]:
    """``target``, its base, the base's base... (a loop or an unknown base is an error)."""
    chain = [target]
    while (base := raw[chain[-1]].get("base")) is not None:
        if base not in raw:
            raise CatalogError(f"provider {chain[-1]}: unknown base {base!r}; known: {', '.join(sorted(raw))}")
        if base in chain:
            raise CatalogError(f"providers {' -> '.join([*chain, base])} form a loop")
        chain.append(base)
    return chain


def _inherit(chain: list[str], raw: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The target's own fields over the inheritable fields of its bases (nearest first)."""
    fields: dict[str, Any] = {}
    for name in reversed(chain[1:]):
        fields.update({k: v for k, v in raw[name].items() if k not in NOT_INHERITED})
    return {**fields, **raw[chain[0]]}


def _models_along(chain: list[str], raw: dict[str, dict[str, Any]],
                  table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The models of ``chain[0]``: its own, then those of its bases, whose limits, tokenizers and methods
    carry over while prices and dates stay the base's own; each target's ``models`` table adjusts them."""
    target = chain[0]
    found: dict[str, dict[str, Any]] = {}
    for owner in reversed(chain):
        adjust = raw[owner].get("models", {})
        for name, fields in table.items():
            if fields.get("provider") == owner:
                found[name] = dict(fields)
        for name in list(found):
            if owner != found[name]["provider"]:
                found[name] = {k: v for k, v in found[name].items() if k not in (*PRICE_FIELDS, "jobs_end")}
                found[name]["provider"] = owner
            found[name].update(adjust.get(name, {}))
    for fields in found.values():
        fields["provider"] = target
    return found


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(s) for s in error["loc"])
        parts.append(f"model {exc.title}: `{where}`: {error['msg']}" if where else error["msg"])
    return "; ".join(parts)


# OpenAI's documented default for n_epochs="auto" (cookbook Chat_finetuning_data_prep).
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def default_epochs(examples: int, target: Target | None = None) -> int:
    """The epochs a job runs when none are given: the target's fixed default, or OpenAI's n_epochs="auto"
    (3, adjusted to keep examples x epochs in 100..25,000)."""
    if target is not None and isinstance(target.default_epochs, int):
        return target.default_epochs
    if examples <= 0:
        return TARGET_EPOCHS
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // examples)
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS


def training_cost(billed_tokens: int, epochs: int, model: ModelInfo) -> float | None:
    """Estimated training cost in USD, or None when the model is not priced per token."""
    if model.training_price is None:
        return None
    return billed_tokens * epochs * model.training_price / 1_000_000

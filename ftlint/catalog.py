"""The model catalog (models.toml plus user overrides), epochs and cost.

Every provider and model fact lives in models.toml; this module only loads,
validates and looks them up.
"""

from __future__ import annotations

import datetime as dt
import difflib
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ftlint import tomlload
from ftlint.formats import FORMAT_BY_METHOD
from ftlint.tokens import ENCODINGS

DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"


class CatalogError(ValueError):
    """The catalog or a user override is invalid, or a model is unknown."""


class ProviderInfo(BaseModel):
    """A provider profile: the limits and policies its fine-tuning service applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = "openai"
    name: str
    base: str | None = None  # inherit this provider's models (prices and dates are not inherited)
    jobs_end: dt.date | None = None
    jobs_end_note: str = ""
    min_examples: int = Field(default=10, ge=0)
    max_file_bytes: int | None = Field(default=None, gt=0)
    bom: Literal["warn", "allow"] = "warn"
    max_images_per_example: int | None = Field(default=None, gt=0)
    max_image_bytes: int | None = Field(default=None, gt=0)
    max_image_examples: int | None = Field(default=None, gt=0)
    requires_validation: tuple[str, ...] = ()
    max_examples: dict[str, dict[str, int]] = Field(default_factory=dict)  # method -> kind -> limit
    models: dict[str, dict[str, Any]] = Field(default_factory=dict)  # overrides of the base's models


class ModelInfo(BaseModel):
    """One fine-tunable model. Prices in USD per 1M tokens (or per training hour)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    provider: str
    aliases: tuple[str, ...] = ()
    encoding: str
    training_context: int = Field(gt=0)
    training_price: float | None = Field(default=None, ge=0)
    hourly_price: float | None = Field(default=None, ge=0)
    input_price: float | None = Field(default=None, ge=0)
    output_price: float | None = Field(default=None, ge=0)
    methods: tuple[str, ...] = ("supervised",)
    vision: bool = False
    jobs_end: dt.date | None = None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value not in ENCODINGS:
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
    """One provider's models, looked up by id, alias or fine-tuned name."""

    def __init__(self, provider: ProviderInfo, models: dict[str, ModelInfo],
                 providers: dict[str, ProviderInfo] | None = None) -> None:
        self.profile = provider
        self.providers = providers or {provider.id: provider}
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
        if found is None:
            close = difflib.get_close_matches(base, list(self._names), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise CatalogError(
                f"unknown model {name!r} for provider {self.profile.id}{hint} (see `ftlint models`, or add "
                f"it under [tool.ftlint.models.\"{base}\"] in your config)"
            )
        return self.models[found]

    def provider(self, model: ModelInfo) -> ProviderInfo:
        return self.profile

    def jobs_end(self, model: ModelInfo) -> tuple[dt.date | None, str]:
        provider = self.profile
        dates = [d for d in (model.jobs_end, provider.jobs_end) if d is not None]
        if not dates:
            return None, ""
        end = min(dates)
        note = provider.jobs_end_note if end == provider.jobs_end and end != model.jobs_end else ""
        return end, note


PROVIDERS_NOTE = "see `ftlint models --provider NAME`; known: "


def load_catalog(overrides: dict[str, dict[str, Any]] | None = None, provider: str = "openai",
                 provider_overrides: dict[str, dict[str, Any]] | None = None) -> Catalog:
    """Load models.toml for one provider and apply user overrides.

    ``overrides`` change or add models of that provider; ``provider_overrides``
    change or add whole provider profiles (``[tool.ftlint.providers.NAME]``).
    Fields merge; new names add entries.
    """
    text = resources.files("ftlint").joinpath("models.toml").read_text(encoding="utf-8")
    data = tomlload.loads(text)
    raw_providers = {key: dict(fields) for key, fields in data.get("providers", {}).items()}
    for key, fields in (provider_overrides or {}).items():
        raw_providers[key] = {**raw_providers.get(key, {}), **fields}
    try:
        providers = {key: ProviderInfo(id=key, **fields) for key, fields in raw_providers.items()}
    except ValidationError as exc:
        raise CatalogError(_describe(exc)) from None
    profile = providers.get(provider)
    if profile is None:
        close = difflib.get_close_matches(provider, list(providers), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise CatalogError(f"unknown provider {provider!r}; {hint}known: {', '.join(sorted(providers))}")
    raw_models: dict[str, dict[str, Any]] = {}
    for name, fields in data.get("models", {}).items():
        fields = dict(fields)
        if fields.get("provider") == provider:
            raw_models[name] = fields
        elif profile.base is not None and fields.get("provider") == profile.base:
            # Inherited: limits, tokenizers and methods carry over; prices and dates are the base's own.
            inherited = {k: v for k, v in fields.items()
                         if k not in ("training_price", "hourly_price", "input_price", "output_price", "jobs_end")}
            raw_models[name] = {**inherited, "provider": provider, **profile.models.get(name, {})}
    for name, fields in (overrides or {}).items():
        raw_models[name] = {"provider": provider, **raw_models.get(name, {}), **fields}
    try:
        models = {name: ModelInfo(id=name, **fields) for name, fields in raw_models.items()}
    except ValidationError as exc:
        raise CatalogError(_describe(exc)) from None
    except TypeError as exc:
        raise CatalogError(str(exc)) from None
    return Catalog(profile, models, providers)


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


def default_epochs(examples: int) -> int:
    """Epochs OpenAI picks by default: 3, adjusted to keep examples x epochs in 100..25,000."""
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

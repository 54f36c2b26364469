"""The model catalog (models.toml plus user overrides), epochs and cost.

Every provider and model fact lives in models.toml; this module only loads,
validates and looks them up.
"""

from __future__ import annotations

import datetime as dt
import difflib
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ftlint import tomlload
from ftlint.formats import FORMAT_BY_METHOD
from ftlint.tokens import ENCODINGS

DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"


class CatalogError(ValueError):
    """The catalog or a user override is invalid, or a model is unknown."""


class ProviderInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    jobs_end: dt.date | None = None
    jobs_end_note: str = ""
    min_examples: int = Field(default=10, ge=0)
    max_file_bytes: int | None = Field(default=None, gt=0)


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
        unknown = [m for m in value if m not in FORMAT_BY_METHOD]
        if unknown:
            raise ValueError(f"unknown methods {unknown}; expected {', '.join(FORMAT_BY_METHOD)}")
        return value


class Catalog:
    def __init__(self, providers: dict[str, ProviderInfo], models: dict[str, ModelInfo]) -> None:
        self.providers = providers
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
                f"unknown model {name!r}{hint} (see `ftlint models`, or add it under "
                f"[tool.ftlint.models.\"{base}\"] in your config)"
            )
        return self.models[found]

    def provider(self, model: ModelInfo) -> ProviderInfo:
        return self.providers.get(model.provider) or ProviderInfo(name=model.provider)

    def jobs_end(self, model: ModelInfo) -> tuple[dt.date | None, str]:
        provider = self.provider(model)
        dates = [d for d in (model.jobs_end, provider.jobs_end) if d is not None]
        if not dates:
            return None, ""
        end = min(dates)
        note = provider.jobs_end_note if end == provider.jobs_end and end != model.jobs_end else ""
        return end, note


def load_catalog(overrides: dict[str, dict[str, Any]] | None = None) -> Catalog:
    """Load models.toml and apply user overrides (fields merge; new names add models)."""
    text = resources.files("ftlint").joinpath("models.toml").read_text(encoding="utf-8")
    data = tomlload.loads(text)
    raw_models: dict[str, dict[str, Any]] = {k: dict(v) for k, v in data.get("models", {}).items()}
    for name, fields in (overrides or {}).items():
        raw_models[name] = {**raw_models.get(name, {}), **fields}
    try:
        providers = {k: ProviderInfo(**v) for k, v in data.get("providers", {}).items()}
        models = {name: ModelInfo(id=name, **fields) for name, fields in raw_models.items()}
    except ValidationError as exc:
        raise CatalogError(_describe(exc)) from None
    except TypeError as exc:
        raise CatalogError(str(exc)) from None
    return Catalog(providers, models)


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

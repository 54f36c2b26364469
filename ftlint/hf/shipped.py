"""The chat templates that ship with ftlint (``ftlint/templates.toml``), looked up by model id."""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from ftlint import tomlload


class ShippedTemplate(BaseModel):
    """One entry of templates.toml; see the file's header for what each field means."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str
    file: str
    source: str
    licence: str
    as_of: dt.date
    models: tuple[str, ...]
    except_: tuple[str, ...] = Field(default=(), alias="except")
    special_tokens: dict[str, str] = Field(default_factory=dict)
    control_tokens: tuple[str, ...] = ()

    def matches(self, model_id: str) -> bool:
        return (any(fnmatch.fnmatchcase(model_id, pattern) for pattern in self.models)
                and not any(fnmatch.fnmatchcase(model_id, pattern) for pattern in self.except_))

    @property
    def text(self) -> str:
        return resources.files("ftlint").joinpath(f"templates/{self.file}").read_text(encoding="utf-8")


@functools.cache
def shipped_templates() -> tuple[ShippedTemplate, ...]:
    """Every entry, in file order (the order in which model ids are matched)."""
    templates = tomlload.bundled("templates.toml").get("templates", {})
    return tuple(ShippedTemplate(name=name, **fields) for name, fields in templates.items())


def shipped_template(model_id: str) -> ShippedTemplate | None:
    """The first shipped template whose patterns match ``model_id`` (case-sensitive, as on the Hub)."""
    return next((entry for entry in shipped_templates() if entry.matches(model_id)), None)

"""Which layouts a target reads, and the layout facts rules need (ftlint/targets_layouts.toml).

Rules ask this module about the run's target (``RunInfo.target.id``); they never test a target's
name themselves. Until the target entries of models.toml carry these fields, this table is keyed by
the provider profile's id; a target it does not list reads every layout.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from ftlint import tomlload

if TYPE_CHECKING:
    from ftlint.rule import RunInfo


class TargetLayouts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    formats: tuple[str, ...]
    convert: str | None = None  # the `ftlint convert --to` value that writes this target's layout
    function_calls_rejected: frozenset[str] = frozenset()  # model ids whose tuning rejects function calls


class LayoutFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reserved_keywords: tuple[str, ...] = ()
    max_videos_per_example: int | None = Field(default=None, gt=0)
    media_uri_scheme: str = ""
    media_uri_pattern: str = ""
    media_uri_rule: str = "a URI the platform reads"  # what the pattern asks for, in words


class LayoutTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: dict[str, TargetLayouts]
    layouts: dict[str, LayoutFacts]


@functools.cache
def table() -> LayoutTable:
    text = resources.files("ftlint").joinpath("targets_layouts.toml").read_text(encoding="utf-8")
    return LayoutTable.model_validate(tomlload.loads(text))


def layouts_of(run: RunInfo) -> TargetLayouts | None:
    """The layouts the run's target reads; None when the table does not know the target."""
    return table().targets.get(run.target.id)


def accepts(run: RunInfo, format_name: str | None) -> bool:
    target = layouts_of(run)
    return target is None or format_name is None or format_name in target.formats


def facts(layout: str) -> LayoutFacts:
    return table().layouts.get(layout) or LayoutFacts()


@functools.cache
def media_uri(layout: str) -> re.Pattern[str] | None:
    """What a media URI of the layout must look like, or None when anything goes."""
    pattern = facts(layout).media_uri_pattern
    return re.compile(pattern) if pattern else None

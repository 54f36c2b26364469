"""Rule discovery through the ``ftlint.rules`` entry-point group (built-ins included).

Modelled on flake8's plugin finder: discover, sort for determinism, validate
each rule's declaration, and wrap load errors so one broken plugin is reported
instead of stopping the run.
"""

from __future__ import annotations

import importlib.metadata as metadata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ftlint.rule import Rule

GROUP = "ftlint.rules"
BUILTIN_DIST = "ftlint"


class RegistryError(RuntimeError):
    """ftlint's own rules could not be found (the package is not installed properly)."""


@dataclass(frozen=True)
class Plugin:
    entry_point: str
    distribution: str
    version: str
    rules: tuple[type[Rule[Any]], ...]


@dataclass(frozen=True)
class PluginError:
    entry_point: str
    distribution: str
    version: str
    message: str

    def __str__(self) -> str:
        return f"plugin {self.distribution} {self.version} ({self.entry_point}): {self.message}"


@dataclass
class Registry:
    rules: dict[str, type[Rule[Any]]] = field(default_factory=dict)
    plugins: list[Plugin] = field(default_factory=list)
    errors: list[PluginError] = field(default_factory=list)

    def add(self, plugin: Plugin) -> None:
        for rule in plugin.rules:
            existing = self.rules.get(rule.code)
            if existing is not None and existing is not rule:
                self.errors.append(PluginError(plugin.entry_point, plugin.distribution, plugin.version,
                                               f"rule code {rule.code} is already taken by {existing.name}"))
                continue
            self.rules[rule.code] = rule
        self.plugins.append(plugin)

    def sorted_rules(self) -> list[type[Rule[Any]]]:
        return [self.rules[code] for code in sorted(self.rules)]


def discover() -> Registry:
    registry = Registry()
    entry_points = sorted(
        metadata.entry_points(group=GROUP),
        key=lambda ep: (_dist_name(ep) != BUILTIN_DIST, _dist_name(ep), ep.name),
    )
    for entry_point in entry_points:
        dist, version = _dist_name(entry_point), _dist_version(entry_point)
        try:
            rules = _as_rules(entry_point.load())
        except Exception as exc:
            registry.errors.append(PluginError(entry_point.name, dist, version, f"failed to load: {exc!r}"))
            continue
        problems = [f"{getattr(rule, '__name__', rule)}: {problem}"
                    for rule in rules for problem in rule.validate_definition()]
        if problems:
            registry.errors.append(PluginError(entry_point.name, dist, version, "; ".join(problems)))
            continue
        registry.add(Plugin(entry_point.name, dist, version, tuple(rules)))
    if not any(plugin.distribution == BUILTIN_DIST for plugin in registry.plugins):
        raise RegistryError(
            "ftlint's built-in rules are not registered (no `ftlint.rules` entry points); "
            "install ftlint with `pip install .` rather than running it from a source folder"
        )
    return registry


def _as_rules(obj: object) -> list[type[Rule[Any]]]:
    if isinstance(obj, type):
        candidates: Iterable[object] = [obj]
    elif isinstance(obj, Iterable):
        candidates = obj
    else:
        raise TypeError(f"expected a Rule subclass or a list of them, got {type(obj).__name__}")
    rules = []
    for candidate in candidates:
        if not (isinstance(candidate, type) and issubclass(candidate, Rule)):
            raise TypeError(f"{candidate!r} is not a subclass of ftlint.Rule")
        rules.append(candidate)
    return rules


def _dist_name(entry_point: metadata.EntryPoint) -> str:
    dist = entry_point.dist
    return dist.metadata["Name"] if dist is not None else "?"


def _dist_version(entry_point: metadata.EntryPoint) -> str:
    dist = entry_point.dist
    return dist.version if dist is not None else "?"

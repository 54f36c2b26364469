"""Rule discovery through the ``ftlint.rules`` entry-point group (built-ins included).

Modelled on flake8's plugin finder: discover, sort for determinism, validate
each rule's declaration, and wrap load errors so one broken plugin is reported
instead of stopping the run.
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftlint.plugintime import PluginTimeout

if TYPE_CHECKING:  # at run time imported where needed: `ftlint --version` must not pay for pydantic
    from ftlint.rule import Rule

# What a rule or a plugin may raise and have contained (reported, the rule turned off): SystemExit
# too, since a plugin's `sys.exit(0)` must not end the run with exit 0 and half a report. Ctrl-C
# (KeyboardInterrupt) is not contained: it stops the run. A plugin past its `plugin-timeout` is.
RULE_ERRORS: tuple[type[BaseException], ...] = (Exception, SystemExit, PluginTimeout)


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
    origin: dict[str, Plugin] = field(default_factory=dict)  # rule code -> the plugin that brought it

    def is_builtin(self, code: str) -> bool:
        plugin = self.origin.get(code)
        return plugin is None or plugin.distribution == BUILTIN_DIST

    def with_local(self, paths: list[Path]) -> Registry:
        """A copy with the rules of local rule files added (``plugins = [...]`` in config)."""
        extended = Registry(dict(self.rules), list(self.plugins), list(self.errors), dict(self.origin))
        for path in paths:
            try:
                rules = _as_rules(_load_file(path))
            except RULE_ERRORS as exc:  # a broken local file is reported like a broken plugin
                extended.errors.append(PluginError(path.name, f"local:{path}", "", f"failed to load: {exc!r}"))
                continue
            problems = [f"{rule.__name__}: {p}" for rule in rules for p in rule.validate_definition()]
            if problems:
                extended.errors.append(PluginError(path.name, f"local:{path}", "", "; ".join(problems)))
                continue
            extended.add(Plugin(path.name, f"local:{path}", "", tuple(rules)))
        return extended

    def with_rules(self, source: str, rules: list[type[Rule[Any]]]) -> Registry:
        """A copy with rules made elsewhere (from configuration) added."""
        extended = Registry(dict(self.rules), list(self.plugins), list(self.errors), dict(self.origin))
        extended.add(Plugin(source, BUILTIN_DIST, "", tuple(rules)))
        return extended

    def add(self, plugin: Plugin) -> None:
        for rule in plugin.rules:
            existing = self.rules.get(rule.code)
            if existing is not None and existing is not rule:
                self.errors.append(PluginError(plugin.entry_point, plugin.distribution, plugin.version,
                                               f"rule code {rule.code} is already taken by {existing.name}"))
                continue
            self.rules[rule.code] = rule
            self.origin[rule.code] = plugin
        self.plugins.append(plugin)

    def sorted_rules(self) -> list[type[Rule[Any]]]:
        return [self.rules[code] for code in sorted(self.rules)]


def discover() -> Registry:
    registry = Registry()
    found = _with_distributions(metadata.entry_points(group=GROUP))
    found.sort(key=lambda item: (item[1] != BUILTIN_DIST, item[1], item[0].name))
    for entry_point, dist, version in found:
        try:
            rules = _as_rules(entry_point.load())
        except RULE_ERRORS as exc:
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


def _load_file(path: Path) -> object:
    """Import a local rule file and return its RULES list. It runs code from the repository,
    as pre-commit hooks do, and only when configured."""
    name = f"ftlint_local_rules_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if not hasattr(module, "RULES"):
        raise AttributeError(f"{path} defines no RULES list")
    return module.RULES


def installed_plugins() -> list[tuple[str, str]]:
    """(distribution, version) of installed rule plugins, read from metadata without importing them."""
    found = {(dist, version) for _, dist, version in _with_distributions(metadata.entry_points(group=GROUP))}
    return sorted(item for item in found if item[0] != BUILTIN_DIST)


def _as_rules(obj: object) -> list[type[Rule[Any]]]:
    from ftlint.rule import Rule

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


def _with_distributions(entry_points: Iterable[metadata.EntryPoint]) -> list[tuple[metadata.EntryPoint, str, str]]:
    """Each entry point with its distribution's name and version. A distribution's METADATA is parsed
    on every access (importlib.metadata does not cache it): read it once per distribution; it took
    ~0.1 s of a 0.6 s start-up when read three times per entry point."""
    known: dict[int, tuple[str, str]] = {}
    found = []
    for entry_point in entry_points:
        dist = entry_point.dist
        if dist is None:
            found.append((entry_point, "?", "?"))
            continue
        if id(dist) not in known:
            fields = dist.metadata  # (`dist.version` would parse it again)
            known[id(dist)] = (fields["Name"], fields["Version"])
        found.append((entry_point, *known[id(dist)]))
    return found

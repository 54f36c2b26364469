"""Rule discovery through entry points: built-ins like plugins; broken plugins are contained."""

from __future__ import annotations

import importlib.metadata as metadata
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import run_cli
from ftlint import registry as registry_module
from ftlint.rule import ExampleContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity


class ShoutingAnswer(Rule[NoOptions]):
    """Assistant answers in capitals.

    Why: nobody likes being shouted at.
    """

    code = "ABC101"
    name = "shouting-answer"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Answer is in capitals"
    fix = "Write in sentence case"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.messages:
            if message.role == "assistant" and isinstance(message.content, str) and message.content.isupper():
                yield Finding(f"{message.label} shouts", pointer=message.pointer)


class BadCode(ShoutingAnswer):
    code = "abc1"


class FakeDist:
    def __init__(self, name: str) -> None:
        self.metadata = {"Name": name}
        self.version = "9.9"


class FakeEntryPoint:
    def __init__(self, name: str, dist: str, target: Any) -> None:
        self.name = name
        self.dist = FakeDist(dist)
        self._target = target

    def load(self) -> Any:
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> list[FakeEntryPoint]:
    real = list(metadata.entry_points(group=registry_module.GROUP))
    extra: list[FakeEntryPoint] = []
    monkeypatch.setattr(registry_module.metadata, "entry_points", lambda group: [*real, *extra])
    return extra


def test_builtin_rules_come_from_entry_points() -> None:
    registry = registry_module.discover()
    assert {p.distribution for p in registry.plugins} == {"ftlint"}
    assert len(registry.rules) >= 40 and registry.errors == []


def test_plugin_rules_are_loaded_and_run(plugins: list[FakeEntryPoint], tmp_path: Any) -> None:
    plugins.append(FakeEntryPoint("shout", "ftlint-shout", [ShoutingAnswer]))
    registry = registry_module.discover()
    assert registry.rules["ABC101"] is ShoutingAnswer
    path = tmp_path / "t.jsonl"
    path.write_text("".join(f'{{"messages": [{{"role": "user", "content": "hi"}}, {{"role": "assistant", '
                            f'"content": "{"HELLO" if i == 3 else "hello"}"}}]}}\n' for i in range(10)))
    result = run_cli("check", str(path), "--select", "ABC")
    assert "t.jsonl:4:" in result.stdout and "ABC101 [warning] message 2 (assistant) shouts" in result.stdout
    assert "shouting-answer" in run_cli("rule", "--all").stdout


@pytest.mark.parametrize(("target", "message"), [
    (ImportError("No module named 'shout'"), "failed to load: ImportError"),
    (42, "expected a Rule subclass or a list of them"),
    ([BadCode], "code 'abc1' is not 2-3 capital letters and 3 digits"),
])
def test_a_broken_plugin_is_reported_not_fatal(plugins: list[FakeEntryPoint], target: Any, message: str) -> None:
    plugins.append(FakeEntryPoint("shout", "ftlint-shout", target))
    registry = registry_module.discover()
    (error,) = registry.errors
    assert message in str(error) and "ftlint-shout 9.9" in str(error)
    assert "FT201" in registry.rules
    result = run_cli("check", "-", input=b"".join([b'{"messages": [{"role": "user", "content": "x"}]}\n'] * 10))
    assert result.exit_code == 1  # FT201 still runs
    assert "plugin ftlint-shout 9.9 (shout)" in result.stderr


def test_a_plugin_cannot_take_a_builtin_code(plugins: list[FakeEntryPoint]) -> None:
    class Impostor(ShoutingAnswer):
        code = "FT201"

    plugins.append(FakeEntryPoint("impostor", "ftlint-impostor", [Impostor]))
    registry = registry_module.discover()
    assert registry.rules["FT201"].name == "no-assistant-message"
    assert "already taken" in str(registry.errors[0])


def test_missing_builtins_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module.metadata, "entry_points", lambda group: [])
    with pytest.raises(registry_module.RegistryError, match="pip install"):
        registry_module.discover()

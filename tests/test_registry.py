"""Rule discovery through entry points: built-ins like plugins; broken plugins are contained."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import signal
import time
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
    """As importlib.metadata's: `version` reads (parses) METADATA again."""

    def __init__(self, name: str) -> None:
        self.metadata = {"Name": name, "Version": "9.9"}

    @property
    def version(self) -> str:
        return self.metadata["Version"]


class FakeEntryPoint:
    def __init__(self, name: str, dist: str, target: Any) -> None:
        self.name = name
        self.dist = FakeDist(dist)
        self._target = target

    def load(self) -> Any:
        if isinstance(self._target, BaseException):
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
    (SystemExit(0), "failed to load: SystemExit(0)"),  # a plugin that exits when imported
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


class Crashing(ShoutingAnswer):
    code = "ABC102"
    name = "crashing-rule"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        raise ValueError("plugin bug")


def _data(tmp_path: Any) -> str:
    path = tmp_path / "data.jsonl"
    path.write_text("".join(f'{{"messages": [{{"role": "user", "content": "q{i}"}}, {{"role": "assistant", '
                            f'"content": "answer {i}"}}]}}\n' for i in range(10)), encoding="utf-8")
    return str(path)


def test_a_plugin_that_fails_during_a_check_is_contained(plugins: list[FakeEntryPoint], tmp_path: Any) -> None:
    plugins.append(FakeEntryPoint("crash", "ftlint-crash", [Crashing]))
    data = _data(tmp_path)
    result = run_cli("check", data)
    assert result.exit_code == 0, result.stderr  # the data is clean; the plugin's failure is not the data's
    assert result.stderr.count("ftlint-crash") == 1 and "its rules are disabled" in result.stderr
    assert "ValueError('plugin bug')" in result.stderr
    required = run_cli("check", data, "--require-plugins", "ftlint-crash")
    assert required.exit_code == 2


class Quitting(ShoutingAnswer):
    code = "ABC103"
    name = "quitting-rule"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        raise SystemExit(0)


def test_a_plugin_that_exits_does_not_end_the_run(plugins: list[FakeEntryPoint], tmp_path: Any) -> None:
    # `sys.exit(0)` in a plugin's check once gave exit 0 and half a report.
    plugins.append(FakeEntryPoint("quit", "ftlint-quit", [Quitting]))
    lines = [b'{"messages": [{"role": "user", "content": "x"}]}\n'] * 10
    result = run_cli("check", "-", "--format", "json", input=b"".join(lines))
    assert result.exit_code == 1, result.stderr  # every line's FT201 is still there
    report = json.loads(result.stdout)
    assert [v["code"] for v in report["files"][0]["violations"]].count("FT201") == 10
    assert "SystemExit(0)" in result.stderr and "ftlint-quit" in result.stderr


class Looping(ShoutingAnswer):
    code = "ABC104"
    name = "looping-rule"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if context.record.line == 2:
            while True:  # a plugin bug: never returns
                pass
        yield from ()


class Sleeping(Looping):
    code = "ABC105"
    name = "sleeping-rule"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        time.sleep(3600)  # blocked, as on a read that never ends
        yield from ()


class Swallowing(Looping):
    code = "ABC106"
    name = "swallowing-rule"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                time.sleep(0.05)
            except Exception:  # a plugin that swallows every error
                continue
        yield from ()


class Lazy(Looping):
    code = "ABC107"
    name = "lazy-rule"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        return map(lambda _: (time.sleep(3600), Finding("never"))[1], [1])  # consumed by the caller


class Nested(Looping):
    code = "ABC108"
    name = "nested-rule"

    def collect(self, state: Any, context: ExampleContext) -> None:
        pass

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        self.collect(None, context)  # a timed method inside a timed method keeps the outer limit
        time.sleep(3600)
        yield from ()


@pytest.mark.parametrize("rule", [Looping, Sleeping, Swallowing, Lazy, Nested])
def test_a_plugin_that_hangs_is_stopped_and_named(plugins: list[FakeEntryPoint], tmp_path: Any,
                                                 rule: type[Rule[NoOptions]]) -> None:
    plugins.append(FakeEntryPoint("hang", "ftlint-hang", [rule]))
    (tmp_path / "ftlint.toml").write_text("plugin-timeout = 0.5\n", encoding="utf-8")
    lines = [b'{"messages": [{"role": "user", "content": "x"}]}\n'] * 10
    (tmp_path / "data.jsonl").write_bytes(b"".join(lines))
    result = run_cli("check", str(tmp_path / "data.jsonl"), "--format", "json")
    assert result.exit_code == 1, result.stderr  # the run ends, with every line's FT201
    report = json.loads(result.stdout)
    assert [v["code"] for v in report["files"][0]["violations"]].count("FT201") == 10
    assert f"{rule.code} ({rule.name}) ran for more than 0.5 s (plugin-timeout)" in result.stderr
    assert "ftlint-hang" in result.stderr


def test_a_required_plugin_must_be_installed(tmp_path: Any) -> None:
    result = run_cli("check", _data(tmp_path), "--require-plugins", "ftlint-nope")
    assert result.exit_code == 2 and "required plugin 'ftlint-nope' is not installed" in result.stderr


def test_local_rule_files_from_config(tmp_path: Any) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "team_rules.py").write_text(
        "from collections.abc import Iterator\n"
        "from ftlint import ExampleContext, Finding, Rule, Scope, Severity\n\n"
        "class NoQ7(Rule):\n"
        '    """Question 7 is retired.\n\n    Why: policy.\n    """\n'
        '    code = "LOC001"\n    name = "retired-question"\n    severity = Severity.ERROR\n'
        '    scope = Scope.EXAMPLE\n    summary = "Retired question"\n    fix = "Drop it"\n\n'
        "    def check(self, context: ExampleContext) -> Iterator[Finding]:\n"
        '        if "q7" in context.record.text:\n'
        '            yield Finding("question 7 is retired")\n\n'
        "RULES = [NoQ7]\n", encoding="utf-8")
    data = _data(tmp_path)
    assert run_cli("check", data).exit_code == 0  # not configured: not loaded
    (tmp_path / "ftlint.toml").write_text('plugins = ["tools/team_rules.py"]\n', encoding="utf-8")
    result = run_cli("check", data)
    assert result.exit_code == 1 and "data.jsonl:8:1: LOC001 [error] question 7 is retired" in result.stdout
    (tmp_path / "ftlint.toml").write_text('plugins = ["tools/missing.py"]\n', encoding="utf-8")
    broken = run_cli("check", data)
    assert broken.exit_code == 0 and "missing.py" in broken.stderr and "failed to load" in broken.stderr


def test_team_json_schema_rules(tmp_path: Any) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "message.json").write_text(json.dumps({
        "type": "object",
        "properties": {"content": {"type": "string", "maxLength": 12}},
    }), encoding="utf-8")
    (tmp_path / "ftlint.toml").write_text(
        '[[schema]]\npath = "schemas/message.json"\nselect = "/messages/*"\nseverity = "warning"\n',
        encoding="utf-8")
    data = _data(tmp_path)
    with open(data, "a", encoding="utf-8") as handle:
        handle.write('{"messages": [{"role": "user", "content": "a question that is long"}, '
                     '{"role": "assistant", "content": "ok"}]}\n')
    result = run_cli("check", data, "--format", "json")
    violations = json.loads(result.stdout)["files"][0]["violations"]
    assert [(v["code"], v["name"], v["severity"], v["line"], v["pointer"]) for v in violations] == [
        ("FTX001", "message", "warning", 11, "/messages/0/content")]
    assert "'a question that is long' is too long" in violations[0]["message"]
    (tmp_path / "schemas" / "message.json").write_text('{"type": "text"}', encoding="utf-8")
    broken = run_cli("check", data)
    assert broken.exit_code == 2 and "is not a valid JSON Schema" in broken.stderr


def test_each_distributions_metadata_is_read_once(plugins: list[FakeEntryPoint]) -> None:
    # importlib.metadata parses METADATA on every access (`dist.version` too): three reads per entry
    # point cost ~0.1 s of start-up. One plugin distribution with three entry points is read once.
    reads = []

    class CountingDist(FakeDist):
        @property
        def metadata(self) -> dict[str, str]:  # type: ignore[override]
            reads.append(1)
            return {"Name": "ftlint-many", "Version": "9.9"}

        @metadata.setter
        def metadata(self, value: Any) -> None:
            pass

    dist = CountingDist("ftlint-many")
    for name, rule in (("a", ShoutingAnswer), ("b", Crashing), ("c", Quitting)):
        entry = FakeEntryPoint(name, "ftlint-many", [rule])
        entry.dist = dist
        plugins.append(entry)
    registry = registry_module.discover()
    assert {"ABC101", "ABC102", "ABC103"} <= set(registry.rules) and len(reads) == 1


def test_plugin_timeout_is_bounded_and_leaves_other_alarms_alone(plugins: list[FakeEntryPoint], tmp_path: Any) -> None:
    (tmp_path / "ftlint.toml").write_text("plugin-timeout = inf\n", encoding="utf-8")
    data = _data(tmp_path)
    result = run_cli("check", data)
    assert result.exit_code == 2 and "plugin-timeout" in result.stderr
    (tmp_path / "ftlint.toml").write_text("plugin-timeout = 30\n", encoding="utf-8")
    plugins.append(FakeEntryPoint("shout", "ftlint-shout", [ShoutingAnswer]))
    signal.setitimer(signal.ITIMER_REAL, 500)  # the embedding program's own alarm
    try:
        assert run_cli("check", data).exit_code == 0
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert 400 < remaining <= 500

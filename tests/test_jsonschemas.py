"""JSON Schemas from the data and from the config: nothing is fetched or read beyond the config's folder,
no pattern backtracks, and nothing about a schema is an internal error (issue 13 items 1, 5 and 7)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli
from ftlint import lint_records

EVIL = "^(a+)+$"  # Python's re takes ~30 s on 30 characters, doubling with each one
BENIGN = "^a+$"
FORMATS = ("full", "concise", "grouped", "json", "json-lines", "sarif", "github", "junit", "gitlab", "html")


def tool_record(parameters: Any, arguments: Any) -> dict[str, Any]:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": json.dumps(arguments)
                                                          if not isinstance(arguments, str) else arguments}}
    return {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [call]},
                         {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                         {"role": "assistant", "content": "done"}],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": parameters}}]}


def _found(record: dict[str, Any], code: str) -> list[str]:
    result = lint_records([record], select=[code])
    assert result.report.internal_errors == []
    return [v.message for v in result.violations]


# Each keyword that matches a pattern: where jsonschema calls re.search itself.
PATTERN_SCHEMAS = {
    "pattern": lambda p: {"type": "object", "properties": {"a": {"type": "string", "pattern": p}}},
    "patternProperties": lambda p: {"type": "object", "patternProperties": {p: {"type": "integer"}}},
    "additionalProperties": lambda p: {"type": "object", "patternProperties": {p: {}},
                                       "additionalProperties": False},
    "unevaluatedProperties": lambda p: {"type": "object", "patternProperties": {p: {}},
                                        "unevaluatedProperties": False},
    "draft 2019-09": lambda p: {"$schema": "https://json-schema.org/draft/2019-09/schema", "type": "object",
                                "patternProperties": {p: {}}, "unevaluatedProperties": False},
    "draft-04": lambda p: {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
                           "patternProperties": {p: {}}, "additionalProperties": False},
    "draft-07 pattern": lambda p: {"$schema": "http://json-schema.org/draft-07/schema#",
                                   "properties": {"a": {"pattern": p}}},
    # A nested `$schema` would make jsonschema switch to its stock validator (and to re) there.
    "nested $schema": lambda p: {"properties": {"a": {"$schema": "http://json-schema.org/draft-07/schema#",
                                                      "pattern": p}}},
    "behind a $ref": lambda p: {"$defs": {"s": {"type": "string", "pattern": p}},
                                "properties": {"a": {"$ref": "#/$defs/s"}}},
}


@pytest.mark.parametrize("keyword", PATTERN_SCHEMAS)
def test_data_patterns_run_in_linear_time(keyword: str, monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = "a" * 30 + "!"
    arguments = {"a": hostile, hostile: "x"}
    original = re.search

    def search(pattern: Any, *args: Any, **kwargs: Any) -> Any:
        assert pattern not in (EVIL, BENIGN), "a data pattern ran in Python's re"
        return original(pattern, *args, **kwargs)

    monkeypatch.setattr(re, "search", search)

    def cpu(pattern: str) -> tuple[float, list[str]]:
        start = time.process_time()
        messages = _found(tool_record(PATTERN_SCHEMAS[keyword](pattern), arguments), "FT606")
        return time.process_time() - start, messages

    benign, benign_messages = cpu(BENIGN)
    evil, evil_messages = cpu(EVIL)
    assert evil_messages and benign_messages  # the pattern still decides: "!" matches neither
    assert evil < 10 * max(benign, 0.02), f"{evil:.2f}s against {benign:.2f}s for a pattern without nesting"


@pytest.mark.parametrize("pattern", ["(?=a)b", "(a)\\1", "(?<!x)y"])
def test_a_data_pattern_re2_cannot_compile_is_a_finding(pattern: str) -> None:
    for schema in (PATTERN_SCHEMAS["pattern"](pattern), PATTERN_SCHEMAS["draft-04"](pattern)):
        (message,) = _found(tool_record(schema, {"a": "b"}), "FT602")
        assert "re2 cannot compile" in message and "lookaround" in message


def test_ecma_patterns_that_python_re_rejects_are_fine() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^\\p{L}+$"}}}
    assert _found(tool_record(schema, {"a": "Ölçü"}), "FT602") == []
    assert _found(tool_record(schema, {"a": "Ölçü"}), "FT606") == []
    assert len(_found(tool_record(schema, {"a": "x1"}), "FT606")) == 1


@pytest.mark.parametrize("reference", [
    "#/$defs/missing", "#nowhere", "http://127.0.0.1:9/x.json", "https://example.com/schema.json#/a",
    "file:///etc/passwd", "other.json", "https://json-schema.org/draft/2020-12/schema",
])
def test_a_reference_outside_the_schema_is_a_finding(reference: str) -> None:
    record = tool_record({"type": "object", "properties": {"a": {"$ref": reference}}}, {"a": 1})
    (message,) = _found(record, "FT602")
    assert f"unresolvable $ref {reference!r}, not fetched" in message
    assert _found(record, "FT606") == []  # no validator to run: FT602 has said why


def test_references_inside_the_schema_resolve() -> None:
    schema = {"$defs": {"count": {"type": "integer", "minimum": 0}},
              "type": "object",
              "properties": {"n": {"$ref": "#/$defs/count"}, "m": {"$ref": "#positive"},
                             "e": {"$ref": "embedded.json"}},
              "items": {"$anchor": "positive", "exclusiveMinimum": 0},
              "$comment": "an embedded resource, found by its $id",
              "dependentSchemas": {"x": {"$id": "embedded.json", "type": "string"}}}
    assert _found(tool_record(schema, {"n": 1, "m": 1, "e": "s"}), "FT602") == []
    assert _found(tool_record(schema, {"n": 1, "m": 1, "e": "s"}), "FT606") == []
    for arguments, expected in (({"n": -1}, "less than the minimum"), ({"m": 0}, "less than or equal"),
                                ({"e": 3}, "is not of type 'string'")):
        (message,) = _found(tool_record(schema, arguments), "FT606")
        assert expected in message


def _nested(depth: int) -> str:
    return '{"a": ' + "[" * depth + "]" * depth + "}"


def test_deeply_nested_arguments_are_findings_not_internal_errors(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    schema = {"type": "object", "properties": {"a": {"type": "array", "items": {"$ref": "#/properties/a"}}}}
    path.write_text("\n".join(json.dumps(tool_record(schema, _nested(depth))) for depth in (990, 400)) + "\n",
                    encoding="utf-8")
    result = run_cli("check", str(path), "--format", "json", "--select", "FT6")
    assert result.exit_code == 0, result.stderr  # warnings only; an internal error would be exit 2
    report = json.loads(result.stdout)["files"][0]
    messages = {(v["code"], v["line"]): v["message"] for v in report["violations"]}
    assert "nested too deeply to be checked" in messages["FT605", 1]  # too deep for Python's parser
    assert "could not be checked against its parameters: it is nested too deeply" in messages["FT606", 2]


@contextlib.contextmanager
def listener() -> Iterator[tuple[int, list[str]]]:
    """A real TCP listener on 127.0.0.1 that records every connection and closes it at once."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    connections: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connections.append(str(address))
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], connections
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def _ftlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command in its own process: no test double stands between it and the network."""
    return subprocess.run([sys.executable, "-m", "ftlint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd),
                                            "FTLINT_TODAY": "2026-11-24"})


def test_no_schema_reference_opens_a_connection(tmp_path: Path) -> None:
    with listener() as (port, connections):
        url = f"http://127.0.0.1:{port}"
        data = tmp_path / "data.jsonl"
        data.write_text("".join(json.dumps(tool_record(schema, {"a": 1})) + "\n" for schema in (
            {"$ref": f"{url}/root.json"},
            {"type": "object", "properties": {"a": {"$ref": f"{url}/a.json#/defs/x"}}},
            {"$id": f"{url}/base/", "type": "object", "properties": {"a": {"$ref": "relative.json"}}},
            {"$schema": f"{url}/meta.json", "type": "object"},
        )), encoding="utf-8")
        checked = _ftlint("check", "data.jsonl", "--format", "json", "--select", "FT6", cwd=tmp_path)
        (tmp_path / "config").mkdir()
        (tmp_path / "config" / "team.json").write_text(json.dumps({"$ref": f"{url}/team.json"}), encoding="utf-8")
        (tmp_path / "config" / "ftlint.toml").write_text('[[schema]]\npath = "team.json"\n', encoding="utf-8")
        (tmp_path / "config" / "data.jsonl").write_bytes(data.read_bytes())
        configured = _ftlint("check", "data.jsonl", cwd=tmp_path / "config")
    assert connections == []
    assert checked.returncode == 1, checked.stderr
    found = [v for v in json.loads(checked.stdout)["files"][0]["violations"] if v["code"] == "FT602"]
    assert [v["line"] for v in found] == [1, 2, 3], found  # an unknown $schema picks the default dialect
    assert all("not fetched" in v["message"] for v in found)
    assert configured.returncode == 2 and "unresolvable $ref" in configured.stderr
    assert "Traceback" not in checked.stderr + configured.stderr


SECRET = "client-secret-7Qm2ZpL9xR4vT8wK"


def test_a_file_reference_is_never_read(tmp_path: Path) -> None:
    creds = tmp_path / "creds.json"
    creds.write_text(json.dumps({"type": "object", "properties": {"x": {"const": SECRET}}, "required": ["x"]}),
                     encoding="utf-8")
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps(tool_record({"$ref": creds.as_uri()}, {"a": 1})) + "\n", encoding="utf-8")
    for output in FORMATS:
        result = run_cli("check", str(data), "--format", output)
        assert result.exit_code == 1, (output, result.stderr)
        assert "FT602" in result.stdout + result.stderr, output
        assert SECRET not in result.stdout + result.stderr, output


@pytest.mark.parametrize("reference", ["CREDS_URI", "../creds.json", "link.json", "/etc/passwd"])
def test_config_schemas_read_no_file_outside_the_config_folder(tmp_path: Path, reference: str) -> None:
    creds = tmp_path / "creds.json"
    creds.write_text(json.dumps({"const": SECRET}), encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.json").symlink_to(creds)  # inside by name, outside in fact
    reference = creds.as_uri() if reference == "CREDS_URI" else reference
    (project / "team.json").write_text(json.dumps({"properties": {"messages": {"$ref": reference}}}),
                                       encoding="utf-8")
    (project / "ftlint.toml").write_text('[[schema]]\npath = "team.json"\n', encoding="utf-8")
    (project / "data.jsonl").write_text('{"messages": [{"role": "user", "content": "hi"}]}\n', encoding="utf-8")
    result = run_cli("check", str(project / "data.jsonl"))
    assert result.exit_code == 2
    assert f"has an unresolvable $ref {reference!r}, not fetched (only files inside {project} are read)" \
        in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_config_schemas_may_use_files_of_their_folder(tmp_path: Path) -> None:
    (tmp_path / "schemas" / "parts").mkdir(parents=True)
    (tmp_path / "schemas" / "record.json").write_text(json.dumps({
        "properties": {"messages": {"items": {"$ref": "parts/message.json"}}}}), encoding="utf-8")
    (tmp_path / "ftlint.toml").write_text('[[schema]]\npath = "schemas/record.json"\n', encoding="utf-8")
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"messages": [{"role": "user", "content": "a" * 30 + "!"},
                                             {"role": "assistant", "content": "aaa"}]}) + "\n", encoding="utf-8")

    def check(pattern: str) -> tuple[float, list[Any]]:
        (tmp_path / "schemas" / "parts" / "message.json").write_text(json.dumps({
            "$schema": "http://json-schema.org/draft-07/schema#",  # ignored: the root's dialect applies
            "type": "object", "properties": {"content": {"type": "string", "pattern": pattern}}}),
            encoding="utf-8")
        start = time.process_time()
        result = run_cli("check", str(data), "--format", "json", "--select", "FTX001")
        return time.process_time() - start, json.loads(result.stdout)["files"][0]["violations"]

    benign, benign_found = check(BENIGN)
    evil, evil_found = check(EVIL)
    assert evil < 10 * max(benign, 0.05), f"{evil:.2f}s against {benign:.2f}s"
    for found in (benign_found, evil_found):
        assert [(v["code"], v["pointer"]) for v in found] == [("FTX001", "/messages/0/content")]
        assert "does not match" in found[0]["message"]


def test_re2_is_loaded_only_for_patterns(tmp_path: Path) -> None:
    script = ("import json, sys\nfrom ftlint import lint_records\n"
              "record = json.loads(sys.argv[1])\nlint_records([record])\nprint('re2' in sys.modules)\n")
    plain = tool_record({"type": "object", "properties": {"a": {"type": "string"}}}, {"a": "b"})
    patterned = tool_record(PATTERN_SCHEMAS["pattern"](BENIGN), {"a": "b"})
    # Without the line prefilter (ftlint.prefilter), which scans every line with an re2.Set.
    quiet = {**os.environ, "FTLINT_PREFILTER": "0"}
    loaded = [subprocess.run([sys.executable, "-c", script, json.dumps(record)], capture_output=True, text=True,
                             timeout=300, cwd=tmp_path, env=quiet).stdout.strip() for record in (plain, patterned)]
    assert loaded == ["False", "True"]


def test_an_invalid_schema_is_worded_the_same_in_every_process() -> None:
    # jsonschema walks `properties` errors through a set: the first error found changed with
    # PYTHONHASHSEED, and with it FT602's message and fingerprint (baselines would not match).
    import subprocess
    import sys

    code = ("from ftlint.jsonschemas import SchemaProblem, compile_schema\n"
            "try:\n    compile_schema({'properties': {'a': {'description': 1}, 'b': {'writeOnly': None}}})\n"
            "except SchemaProblem as exc:\n    print(exc)")
    said = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(6)}
    assert len(said) == 1 and "is not a valid JSON Schema" in said.pop()

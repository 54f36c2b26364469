"""Rules made from configuration: a team's own JSON Schemas, applied to each record.

    [[tool.ftlint.schema]]
    path = "schemas/record.schema.json"   # relative to the config file
    code = "FTX001"                       # optional (FTX001, FTX002... in order)
    name = "record-schema"                # optional
    severity = "error"                    # optional
    select = "/messages/*"                # the part of each record the schema applies to ("" = all)

Each schema is compiled once. Python's jsonschema validates at only a few MB/s,
so a schema over whole records costs more than tokenizing them: select the
smallest part you need.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ftlint.jsonschemas import LocalFiles, SchemaProblem, Validator, compile_schema
from ftlint.pointer import escape
from ftlint.rule import CODE_PATTERN, NAME_PATTERN, ExampleContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity


class SchemaEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    code: str | None = Field(default=None, pattern=CODE_PATTERN.pattern)
    name: str | None = Field(default=None, pattern=NAME_PATTERN.pattern)
    severity: Severity = Severity.ERROR
    select: str = ""


class SchemaRule(Rule[NoOptions]):
    """Base of the rules built from `[[tool.ftlint.schema]]` entries."""

    scope = Scope.EXAMPLE
    fix = "Make the record match the team's schema"
    validator: Validator
    select: tuple[str, ...] = ()

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for pointer, value in _select(context.example.raw, self.select, ""):
            error = self.validator.first_error(value)
            if error is not None and not error.checked:
                yield Finding(f"{pointer or 'record'}: could not be checked against the schema: {error.message}",
                              pointer=pointer)
            elif error is not None:
                where = pointer + "".join(f"/{escape(str(part))}" for part in error.path)
                yield Finding(f"{where or 'record'}: {error.message}", pointer=where)


def schema_rules(entries: list[SchemaEntry], root: Path) -> list[type[Rule[Any]]]:
    """One rule class per entry, its validator compiled once. Raises ValueError with the fix.

    A schema's references may name other files inside ``root`` (the config's folder) and below,
    relative to the schema file or as file: URIs; nothing else is read and nothing is fetched.
    """
    rules: list[type[Rule[Any]]] = []
    for index, entry in enumerate(entries, start=1):
        path = root / entry.path
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"schema {entry.path}: cannot read it: {exc.strerror}") from None
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"schema {entry.path}: not JSON: {exc}") from None
        try:
            validator = compile_schema(schema, LocalFiles(root=root, base=path.parent))
        except SchemaProblem as exc:
            raise ValueError(f"schema {entry.path} {exc}") from None
        code = entry.code or f"FTX{index:03d}"
        name = entry.name or Path(entry.path).name.split(".")[0].lower().replace("_", "-") or "team-schema"
        attributes = {
            "__doc__": f"Records must match the team's JSON Schema `{entry.path}`"
                       f"{f' at `{entry.select}`' if entry.select else ''}.\n\n"
                       "Why: a rule from your configuration (`[[tool.ftlint.schema]]`).",
            "code": code, "name": name, "severity": entry.severity,
            "summary": f"Record does not match {entry.path}",
            "validator": validator,
            "select": tuple(entry.select.split("/")[1:]) if entry.select else (),
        }
        rules.append(type(f"Schema_{code}", (SchemaRule,), attributes))
    return rules


def _select(value: Any, parts: tuple[str, ...], pointer: str) -> Iterator[tuple[str, Any]]:
    """The values a pointer selects; `*` matches every item of an array or object."""
    if not parts:
        yield pointer, value
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            yield from _select(item, rest, f"{pointer}/{key}")
    elif isinstance(value, dict) and head in value:
        yield from _select(value[head], rest, f"{pointer}/{head}")
    elif isinstance(value, list) and head.isdigit() and int(head) < len(value):
        yield from _select(value[int(head)], rest, f"{pointer}/{head}")

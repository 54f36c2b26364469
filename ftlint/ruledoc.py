"""Rule documentation, rendered from the rules' own metadata and docstrings.

The same text feeds `ftlint rule CODE`, `ftlint rule --all` and docs/rules.md.
"""

from __future__ import annotations

from typing import Any

from ftlint.rule import Rule

FAMILIES = {
    "FT0": "File and JSON",
    "FT1": "Schema",
    "FT2": "Roles",
    "FT3": "Tokens",
    "FT4": "Content",
    "FT5": "Dataset",
    "FT6": "Tools and function calling",
    "FT7": "Secrets and personal data",
    "FT8": "Training methods: preference, reinforcement, completion",
    "FT9": "ftlint's own inputs",
}


def rule_text(rule: type[Rule[Any]]) -> str:
    """What `ftlint rule CODE` prints."""
    lines = [f"# {rule.name} ({rule.code})", ""]
    facts = f"Default severity: {rule.severity.value}. Scope: {rule.scope.value}."
    if not rule.enabled_by_default:
        facts += " Off by default."
    if rule.formats:
        facts += f" Formats: {', '.join(sorted(rule.formats))}."
    lines += [facts, "", rule.documentation()]
    if rule.fix:
        lines += ["", f"Fix: {rule.fix}"]
    options = rule.options_model.model_fields
    if options:
        lines += ["", f"Options ([tool.ftlint.rules.{rule.code}] or [tool.ftlint.rules.{rule.name}]):"]
        lines += [f"  {name} = {field.default!r}" for name, field in options.items()]
    return "\n".join(lines)


def rule_json(rule: type[Rule[Any]]) -> dict[str, Any]:
    return {
        "code": rule.code, "name": rule.name, "severity": rule.severity.value, "scope": rule.scope.value,
        "summary": rule.summary, "fix": rule.fix, "explanation": rule.documentation(),
        "formats": sorted(rule.formats) if rule.formats else None,
        "enabled_by_default": rule.enabled_by_default,
        "options": {name: repr(field.default) for name, field in rule.options_model.model_fields.items()},
    }


def rules_markdown(rules: list[type[Rule[Any]]]) -> str:
    """docs/rules.md: an index table, then every rule's full text."""
    out = ["# ftlint rules", "",
           "Generated from the rules' metadata by `make docs`; `ftlint rule CODE` prints the same text.",
           "Severities are defaults: override them with `[tool.ftlint.severity]`.", ""]
    out += ["| code | name | severity | what |", "|---|---|---|---|"]
    out += [f"| {r.code} | [{r.name}](#{r.code.lower()}) | {r.severity.value} | {r.summary} |" for r in rules]
    family = ""
    for rule in rules:
        prefix = rule.code[:3]
        if prefix != family:
            family = prefix
            out += ["", f"## {FAMILIES.get(prefix, prefix)} ({prefix}xx)"]
        body = rule_text(rule).split("\n", 2)[2]
        out += ["", f"### {rule.code}", "", f"**{rule.name}**", "", body]
    return "\n".join(out) + "\n"

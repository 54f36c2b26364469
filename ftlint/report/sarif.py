"""SARIF 2.1.0 for GitHub code scanning (validated against the OASIS schema in the tests).

Results carry a partial fingerprint built from the record's content and the
rule, not the line number, so alerts survive lines inserted above them.
"""

from __future__ import annotations

from typing import Any

from ftlint import __version__
from ftlint.report import SRCROOT, Reporter, Summary, artifact_location, base_uri
from ftlint.sanitize import dumps
from ftlint.violation import Severity, Violation

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "ftlintRecordHash/v1"


class SarifReporter(Reporter):
    def start(self) -> None:
        self._violations: list[Violation] = []

    def violation(self, violation: Violation) -> None:
        self._violations.append(violation)

    def finish(self, summary: Summary) -> None:
        codes = sorted({v.code for v in self._violations})
        index = {code: position for position, code in enumerate(codes)}
        document = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "ftlint",
                    "version": __version__,
                    "informationUri": "https://github.com/ftlint/ftlint",
                    "rules": [self._rule(code) for code in codes],
                }},
                "originalUriBaseIds": {SRCROOT: {"uri": base_uri()}},
                "results": [_result(v, index[v.code]) for v in self._violations],
                # The engine counts columns in characters of the decoded line (Python str indices).
                "columnKind": "unicodeCodePoints",
            }],
        }
        self.out.write(dumps(document, indent=2) + "\n")

    def _rule(self, code: str) -> dict[str, Any]:
        rule = self.rules.get(code)
        example = next(v for v in self._violations if v.code == code)
        if rule is None:  # a rule unknown to this run (should not happen): describe it from a result
            return {"id": code, "name": example.name, "shortDescription": {"text": example.name}}
        return {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.documentation()},
            "help": {"text": f"{rule.fix}. See `ftlint rule {rule.code}`." if rule.fix else rule.summary},
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {"tags": ["fine-tuning", rule.code[:3]]},
        }


def _result(violation: Violation, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": violation.code,
        "ruleIndex": rule_index,
        "level": LEVELS[violation.severity],
        "message": {"text": violation.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(violation.path),
                "region": {"startLine": violation.line, "startColumn": violation.column},
            },
        }],
        "partialFingerprints": {FINGERPRINT: f"{violation.code}:{violation.fingerprint}"},
    }

"""Small bases for rules that only report a problem found by the reader or the schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ftlint.records import Problem
from ftlint.rule import SCHEMA_PROBLEMS, ExampleContext, LineContext, NoOptions, Rule, Scope
from ftlint.schema import Issue
from ftlint.violation import Finding


class ParseProblemRule(Rule[NoOptions]):
    """Reports the reader's parse problem of one kind."""

    scope = Scope.LINE
    requires = frozenset({"parse-problem"})
    problem: ClassVar[Problem]

    def check(self, context: LineContext) -> Iterator[Finding]:
        problem = context.record.problem
        if problem is not None and problem.kind is self.problem:
            yield Finding(problem.message, column=problem.column)


class SchemaIssueRule(Rule[NoOptions]):
    """Reports the schema problems of one kind."""

    scope = Scope.EXAMPLE
    requires = SCHEMA_PROBLEMS
    issue: ClassVar[Issue]

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for problem in context.schema_problems:
            if problem.kind is self.issue:
                yield Finding(problem.message, pointer=problem.pointer)

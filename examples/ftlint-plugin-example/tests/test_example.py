"""The example plugin's rules, run through ftlint as any user would."""

from __future__ import annotations

from click.testing import CliRunner

import ftlint
from ftlint.cli import main


def chat(answer: str, question: str = "Can I get my money back?") -> dict[str, object]:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def test_the_plugin_is_discovered() -> None:
    listing = CliRunner().invoke(main, ["rule", "--all"]).output
    assert "XPL001  short-answer" in listing and "XPL002  missing-refund-topic" in listing
    assert "plugin ftlint-plugin-example 0.1.0" in CliRunner().invoke(main, ["--version"]).output


def test_short_answer() -> None:
    result = ftlint.lint_records([chat("Yes."), chat("Yes, within 30 days.")], select=["XPL001"])
    assert [(v.code, v.line) for v in result.violations] == [("XPL001", 1)]


def test_short_answer_option() -> None:
    result = ftlint.lint_records([chat("Yes, within 30 days.")], select=["XPL001"],
                                 rules={"XPL001": {"min_words": 5}})
    assert [v.message for v in result.violations] == ["message 2 (assistant) has 4 word(s); the minimum is 5"]


def test_missing_topic() -> None:
    no_refunds = [chat(f"Answer number {i} here.", question=f"Question {i}?") for i in range(20)]
    result = ftlint.lint_records(no_refunds, select=["XPL002"])
    assert [v.message for v in result.violations] == ["only 0 of 20 examples mention a refund"]
    with_refunds = [*no_refunds[:18], chat("Your refund is on its way."), chat("Refunds take 5 days.")]
    assert ftlint.lint_records(with_refunds, select=["XPL002"]).violations == []

"""Real public fine-tuning files (../shared/corpus/real): no crash, the right format, the known defects
at the right lines, and no error on the clean ones. Skipped when the corpus is not beside the repo."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import pytest

from conftest import CORPUS, OPENAI, run_cli

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real is not available")


@dataclass
class Known:
    file: str
    format: str | None
    args: tuple[str, ...] = ()
    findings: list[str] = field(default_factory=list)  # exact "CODE:line" list; [] means clean
    counts: dict[str, int] | None = None  # exact counts per code, for files with many findings


KNOWN = [
    # OpenAI's demo file: 5 examples, line 4 has no user turn, line 5 is ~8K tokens (over 4,096 on 0613).
    Known("cookbook-toy-chat.jsonl", "chat", ("--model", "gpt-3.5-turbo-0613"),
          ["FT501:1", "FT209:4", "FT301:5"]),
    Known("cookbook-toy-chat.jsonl", "chat", (), ["FT501:1", "FT209:4"]),
    # Another linter's broken fixture (SOURCES.md lists its defects by line).
    Known("pypi-parallelogram-broken.jsonl", "chat", (),
          ["FT405:2", "FT201:4", "FT203:7", "FT001:8", "FT501:1", "FT505:5", "FT420:6"]),
    Known("edersonbadeca-pretty-printed-val.jsonl", None, (), ["FT003:1", "FT013:1"]),  # nothing parses
    # A 5-label classification set: 33 reports are labelled again with a different specialty.
    Known("edersonbadeca-medical-crlf.jsonl", "chat", (), counts={"FT013": 1, "FT506": 33}),
    # One mojibake string (fianceÃ©) and two C1 control characters left by broken decoding.
    Known("msft-orca-dpo-validation.jsonl", "preference", ("--model", "gpt-4o-2024-08-06"),
          counts={"FT012": 1, "FT420": 1, "FT421": 2}),
    Known("msft-orca-dpo-validation.jsonl", "preference", (), counts={"FT012": 1, "FT113": 1, "FT420": 1, "FT421": 2}),
    # 6,150 validation records: over the 1,000 OpenAI and Azure take for reinforcement (a real defect).
    # FT804 (info) lists each reinforcement file's grader fields; medmcq has none at all.
    Known("msft-medmcq-rft-valid.jsonl", "reinforcement", ("--model", "o4-mini-2025-04-16"),
          ["FT012:6150", "FT502:1", "FT804:1"]),
    # The Zava retail demos carry customer e-mail addresses (FT704): personal data on upload.
    Known("msft-zava-rft-train.jsonl", "reinforcement", ("--model", "o4-mini-2025-04-16"),
          counts={"FT804": 1, "FT704": 20}),
    Known("msft-zava-rft-train.jsonl", "reinforcement", (), counts={"FT113": 1, "FT804": 1, "FT704": 20}),
    Known("msft-rft-toolcall-train.jsonl", "reinforcement", ("--model", "o4-mini-2025-04-16"), ["FT804:1"]),
    # Contracts with the parties' fax numbers and e-mail addresses.
    Known("msft-clause-matching-rft-valid.jsonl", "reinforcement", ("--model", "o4-mini-2025-04-16"),
          counts={"FT804": 1, "FT704": 35, "FT705": 41}),
    Known("msft-chartqa-vision-train.jsonl", "chat", ("--model", "gpt-4o-2024-08-06")),
    Known("msft-chartqa-vision-train.jsonl", "chat", (), counts={"FT401": 100}),
    Known("gptchem-bandgap-inverse-prompt-completion.jsonl", "completion", ("--model", "babbage-002"),
          counts={"FT102": 2000}),
    Known("azure-samples-context-switching-prepared-train.jsonl", "completion", ("--model", "babbage-002")),
    # Completions without the leading space the legacy models expect (FT806, info).
    Known("michaelinzo-azure-prompt-completion-crlf.jsonl", "completion", ("--model", "babbage-002"),
          counts={"FT013": 1, "FT806": 10}),
    Known("msft-zava-tooluse-sft-valid.jsonl", "chat", (), counts={"FT208": 25, "FT704": 242, "FT705": 18}),
    # Answers start with a space, a habit from the legacy format (FT424, info).
    Known("msft-gsm8k-chat-train.jsonl", "chat", (), counts={"FT424": 449}),
    Known("msft-cnn-dailymail-sft-valid.jsonl", "chat", (), counts={"FT704": 1, "FT705": 1}),
    Known("pirate-training-set.jsonl", "chat", (), counts={"FT424": 2}),
    Known("msft-stock-toolcall-train.jsonl", "chat"),
    Known("cookbook-drone-function-calling.jsonl", "chat"),
    Known("msft-zava-retail-sft-test.jsonl", "chat", (), counts={"FT704": 305}),
]


def _lint(file: str, *args: str) -> tuple[int, dict]:
    # FT82x judge the target and model chosen, not the data: the corpus is checked with dead models too.
    # The known defects are OpenAI's (or the named target's) verdicts.
    target = () if "--provider" in args else OPENAI
    result = run_cli("check", str(CORPUS / file), "--format", "json", "--max-repeats", "0", "--ignore", "FT82",
                     *target, *args)
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("known", KNOWN, ids=lambda k: f"{k.file}{' ' + ' '.join(k.args) if k.args else ''}")
def test_known_defects(known: Known) -> None:
    code, report = _lint(known.file, *known.args)
    (file,) = report["files"]
    assert file["format"] == known.format
    got = [f"{v['code']}:{v['line']}" for v in file["violations"]]
    if known.counts is not None:
        assert Counter(g.split(":")[0] for g in got) == Counter(known.counts)
    else:
        assert Counter(got) == Counter(known.findings)
    errors = file["counts"]["error"]
    assert code == (1 if errors else 0)


def test_every_corpus_file_is_covered() -> None:
    assert {p.name for p in CORPUS.glob("*.jsonl")} == {k.file for k in KNOWN}


def test_whole_corpus_in_one_run() -> None:
    result = run_cli("check", str(CORPUS), "--format", "json")
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == len(list(CORPUS.glob("*.jsonl")))
    assert report["summary"]["internal_errors"] == []
    assert report["summary"]["tokens"]["total"] > 1_000_000

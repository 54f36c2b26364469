"""What a rule requires (Rule.requires) is a necessary condition: a record without it would have given the
rule nothing to find. Whole reports are identical with every rule run on every record (FTLINT_REQUIRES=0)
on the fixtures (every target's and layout's, open models' templates included), the real corpus and
hypothesis-generated files; and a clean record does skip the rules that find nothing on it."""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES, run_cli, switched
from ftlint import lint_records
from ftlint.formats import view
from ftlint.rule import Rule


def gated(on: bool) -> contextlib.AbstractContextManager[None]:
    return switched("FTLINT_REQUIRES", on)


def both(*args: str) -> tuple[str, str]:
    """The JSON report of ``ftlint check ARGS`` with every rule run on every record, and gated."""
    outputs = []
    for on in (False, True):
        with gated(on):
            result = run_cli("check", "-f", "json", "--max-repeats", "0", "-j1", *args)
            outputs.append(f"exit {result.exit_code}\n{result.output}")
    return outputs[0], outputs[1]


def test_a_clean_record_skips_the_rules_that_find_nothing_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The line rules (parse problems, duplicate keys, lone surrogates, blank lines), the schema-issue rules,
    the role-order rules and the chat-template rules do not run on a plain, valid record."""
    from ftlint.rules import _base, file, roles, templates

    ran: set[str] = set()

    def spied(check: Callable[[Rule[Any], Any], Any]) -> Callable[[Rule[Any], Any], Any]:
        def spy(self: Rule[Any], context: Any) -> Any:
            ran.add(self.code)
            return check(self, context)
        return spy

    classes = [*_base.ParseProblemRule.__subclasses__(), *_base.SchemaIssueRule.__subclasses__(),
               file.LoneSurrogate, file.DuplicateKey, file.BlankLine, *roles.RULES, templates.ChatTemplateError]
    for kind in classes:
        monkeypatch.setattr(kind, "check", spied(kind.check))
    plain = [{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": f"Q{i}?"},
                           {"role": "assistant", "content": f"A{i}."}]} for i in range(3)]
    lint_records(plain, provider="openai", select=["FT0", "FT1", "FT2", "FT3"])
    assert not ran
    odd = [{"messages": [{"role": "user", "content": "Q?"}, {"role": "user", "content": "Q2?"}]}, "", "{"]
    lint_records(odd, provider="openai", select=["FT0", "FT1", "FT2", "FT3"])
    assert {"FT001", "FT011", "FT201", "FT202"} <= ran


def test_only_plain_conversations_lack_the_role_order_feature() -> None:
    """Plain: an optional system message, then user and assistant in turn, ending on the assistant."""
    plain = re.compile(r"(s)?(ua)+")
    for length in range(7):
        for roles in itertools.product("suat", repeat=length):
            names = [{"s": "system", "u": "user", "a": "assistant", "t": "tool"}[role] for role in roles]
            example = view({"messages": [{"role": name, "content": "x"} for name in names]}, "chat")
            assert ("role-order" not in example.features) == bool(plain.fullmatch("".join(roles))), roles


def test_identical_reports_on_fixtures_and_the_real_corpus() -> None:
    inputs = [str(FIXTURES / "clean"), str(FIXTURES / "bad")]
    if CORPUS.is_dir():
        inputs += sorted(str(path) for path in CORPUS.glob("*.jsonl"))
    ungated, gated_report = both(*inputs)
    assert ungated == gated_report
    assert len(json.loads(gated_report.split("\n", 1)[1])["files"]) > 10


def test_identical_reports_on_every_target_and_layout_fixture() -> None:
    """Each folder names its target in ftlint.toml; the hf ones render through a model's chat template."""
    folders = sorted({path.parent for base in ("targets", "layouts")
                      for path in (FIXTURES / base).rglob("ftlint.toml")})
    assert len(folders) > 8
    for folder in folders:
        ungated, gated_report = both(str(folder))
        assert ungated == gated_report, folder


roles = st.sampled_from(["system", "developer", "user", "assistant", "tool", "function", "robot", None, 3])
contents = st.sampled_from(["ok", "", " x ", None, [], [{"type": "text", "text": "t"}], 5, "[INST] hi"])
messages = st.builds(lambda role, content, extra: {**({"role": role} if role is not None else {}),
                                                   **({"content": content} if content is not None else {}), **extra},
                     roles, contents, st.sampled_from([{}, {"weight": 0}, {"weight": 2}, {"name": "n"},
                                                       {"tool_calls": [{"id": "c1", "type": "function", "function": {
                                                           "name": "f", "arguments": "{}"}}]},
                                                       {"tool_call_id": "c1"}, {"extra": 1}]))
records = st.one_of(
    st.builds(lambda ms, extra: json.dumps({"messages": ms, **extra}), st.lists(messages, max_size=6),
              st.sampled_from([{}, {"tools": [{"type": "function", "function": {"name": "f"}}]}, {"x": 1}])),
    st.sampled_from(["", "  ", "{", "[1]", '{"a": 1, "a": 2}', '{"messages": "no"}', '{"t": "\\ud800"}',
                     '{"prompt": "p", "completion": "c"}', "NaN", '{"input": {"messages": []}}']),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(records, min_size=1, max_size=20))
def test_identical_reports_on_generated_files(tmp_path: Path, generated: list[str]) -> None:
    path = tmp_path / f"generated-{random.randrange(1 << 30)}.jsonl"
    path.write_text("\n".join(generated) + "\n", encoding="utf-8")
    ungated, gated_report = both(str(path))
    assert ungated == gated_report


def test_identical_reports_through_open_models_chat_templates(tmp_path: Path) -> None:
    """With a model's tokenizer and chat template (run.chat), the template rules run on every record."""
    from hf_models import TEMPLATE_FAMILY, model_folder, template_text, train_tokenizer

    tokenizer = train_tokenizer(tmp_path / "tok" / "tokenizer.json")
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    call = {"id": "abcdefghi", "type": "function", "function": {"name": "get_weather", "arguments": '{"c": 1}'}}
    lines = [{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2 + 2?"},
                           {"role": "assistant", "content": "4."}]},
             {"messages": [{"role": "developer", "content": "Terse."}, {"role": "user", "content": "<|im_end|> hi"},
                           {"role": "assistant", "content": "ok " * 400}]},
             {"messages": [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": "",
                                                                     "tool_calls": [call]},
                           {"role": "tool", "tool_call_id": "abcdefghi", "content": "sunny"},
                           {"role": "assistant", "content": "Sunny."}], "tools": tools},
             {"messages": [{"role": "assistant", "content": "first"}, {"role": "user", "content": "then"}]}]
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    for template in ("qwen3", "gemma"):
        folder = model_folder(tmp_path / template, tokenizer, template_text(template), TEMPLATE_FAMILY[template])
        ungated, gated_report = both(str(data), "--provider", "hf", "--tokenizer", str(folder),
                                     "--max-seq-length", "64")
        assert ungated == gated_report, template
        codes = {v["code"] for f in json.loads(gated_report.split("\n", 1)[1])["files"] for v in f["violations"]}
        assert codes & {"FT310", "FT311", "FT312", "FT314", "FT611", "FT613"}, template  # not vacuous

"""The prefilter (ftlint.prefilter) only skips checks that would have found nothing: whole JSON reports
are identical with it on and off, on the fixtures, the real corpus, lines that hold every gated rule's
trigger (plain, escaped, case-folded, amid Unicode whitespace) and hypothesis-generated files; and it
does skip the rules on lines that hold none of their triggers."""

from __future__ import annotations

import contextlib
import json
import pickle
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, FIXTURES, run_cli, switched
from ftlint import workers
from ftlint.prefilter import WHITESPACE, Prefilter, _compiled, caseless
from ftlint.rules import content, quality, secrets, tokens

GATED = {"FT405", "FT701", "FT702", "FT703", "FT704", "FT705", "FT706", "FT707", "FT420", "FT421", "FT422", "FT423",
         "FT302", "FT303"}

# Text that sets off each gated rule (and near misses), in the forms a file may hold it.
TRIGGERS = [
    "sk-proj-" + "aB3dE5fG7hJ9kL1mN2pQ4rS6", "AKIA" + "IOSFODNN7EXAMPLE", "ghp_" + "a1B2" * 9, "xoxb-" + "1234567890ab",
    "AIza" + "Sy" + "D1x" * 11, "github_pat_" + "11ABCDEFG" * 3, 'api_key = "Zx9Qw8Er7Ty6Ui5Op"',
    'TOKEN:\\t"Zx9Qw8Er7Ty6Ui5Op4"', "PASSWORD=Zx9Qw8Er7Ty6Ui5Op4As", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "mail jane.doe@mail.example.org now", "a@b", "+44 20 7946 0958", "(555) 010-4477", "555-010-4477",
    "4111 1111 1111 1111", "4111-1111-1111-1111", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
    # Python's \d is Unicode: the phone, card and IBAN patterns match other scripts' digits too, on a
    # line that also holds ten ASCII digits (_has_long_number).
    "ref 1234567890 call \u0665\u0665\u0665-\u0660\u0661\u0660-\u0664\u0664\u0667\u0667",
    "ref 1234567890 card 4\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 1111",
    "ref 1234567890 iban GB\u0668\u0662 WEST 1234 5698 7654 32", "+1 (555) 010 4477 x 1234567890",
    "Ã©", "â€™", "Â\u00a0", "\ufffd", "\x01", "\x08", "\x0c", "\x7f", "\x85", "\x9f", "\u200b", "\u2060", "\ufeff",
    "\u202e", "\u2067", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "<s>", "</s>", "### Human:", "###\u3000Response :",
    "User: ", "user :\n", "ASSISTANT:\u2003", "ſystem: ", "Aı: ", "aİ:\t", "bot:\u2028", "Human\u00a0:\u0085",
    "<|endoftext|>", "<|im_start|>", "<|fim_suffix|>", "<|custom_marker|>", "<|x",
    "", " ", "\n\t", "\u3000", "\u2028 \x1f",
]
FILLER = ["hello", " ", "\n", "\t", "/", "\\", '"', "é", "字", "🙂", "0", "12", "-", ".", "(", ")", "+", "A", "Z", ":",
          "@", "\u3000", "\u00a0", "#", "<", "|", ">", "[", "]", "key", "i", "\u0131"]


def prefilter(on: bool) -> contextlib.AbstractContextManager[None]:
    return switched("FTLINT_PREFILTER", on)


def reports(*args: str) -> tuple[str, str]:
    """The JSON report of ``ftlint check ARGS`` with the prefilter off and on."""
    outputs = []
    for on in (False, True):
        with prefilter(on):
            outputs.append(run_cli("check", "-f", "json", "--max-repeats", "0", "-j1", *args).output)
    return outputs[0], outputs[1]


def codes_in(report: str) -> set[str]:
    return {violation["code"] for file in json.loads(report)["files"] for violation in file["violations"]}


def serialized(record: dict[str, Any], ascii_only: bool, escaped_slashes: bool) -> str:
    line = json.dumps(record, ensure_ascii=ascii_only)
    return line.replace("/", "\\/") if escaped_slashes else line  # "/" occurs only inside strings here


def trigger_lines() -> list[str]:
    """Each trigger alone, at a text's start and inside it, raw, \\u-escaped and with \\/; as a broken line
    too (line rules scan lines that do not parse); and one long adversarial line."""
    lines = []
    for index, trigger in enumerate(TRIGGERS):
        for text in (trigger, f"Say {index}: {trigger} ok"):
            record = {"messages": [{"role": "user", "content": text}, {"role": "assistant", "content": f"{index}."}]}
            for ascii_only, slashes in ((False, False), (True, False), (False, True)):
                lines.append(serialized(record, ascii_only, slashes))
        lines.append(serialized({"prompt": trigger, "completion": f" {index}"}, False, False)[:-2])  # truncated
    lines.append(json.dumps({"messages": [{"role": "user", "content": "1 2 " * 250_000 + "x@y.io " + "(555) " * 9999},
                                          {"role": "assistant", "content": "ok"}]}))
    return lines


def test_every_rule_that_scans_text_has_a_condition() -> None:
    """What the rest of this file compares: the rules that are gated."""
    rules = [rule() for rule in secrets.RULES + quality.RULES + tokens.RULES + content.RULES]
    assert {rule.code for rule in rules if rule.prefilter is not None} == GATED


def test_lines_without_triggers_skip_the_gated_rules() -> None:
    rules = [rule() for rule in secrets.RULES + quality.RULES + tokens.RULES + content.RULES]
    gate = Prefilter(rules)
    plain = json.dumps({"messages": [{"role": "user", "content": "What is 2 + 2?\nThanks"},
                                     {"role": "assistant", "content": "4."}]}).encode()
    assert gate.skipped(plain) == GATED
    assert "FT704" not in gate.skipped(plain.replace(b"Thanks", b"jane@mail.example.org"))
    # A \\u escape can hide a character from the raw line: the example rules run, the line rules (which
    # scan the line as written) are still skipped.
    escaped = plain.replace(b"Thanks", b"\\u200b")
    assert gate.skipped(escaped) == {code for code in GATED if code.startswith("FT7")}
    with prefilter(False):
        assert Prefilter(rules).skipped(plain) == frozenset()


def test_a_users_own_patterns_and_tokens_turn_the_condition_off() -> None:
    """A user's FT701 pattern or an FT302 token that JSON must escape can match what no condition foresees."""
    assert secrets.SecretToken(secrets.SecretOptions(patterns={"badge": "B-[0-9]{4}"})).prefilter is None
    assert secrets.SecretToken(secrets.SecretOptions(allow=["sk-test-.*"])).prefilter is not None
    assert tokens.SpecialTokenText(tokens.SpecialTokenOptions(tokens=('<"q">',))).prefilter is None
    gate = Prefilter([tokens.SpecialTokenText(tokens.SpecialTokenOptions(tokens=("</eos>", "[x]")))])
    assert gate.skipped(b'{"t": "a </eos> b"}') == gate.skipped(b'{"t": "[x]"}') == frozenset()
    assert gate.skipped(b'{"t": "a <eos> b [x)"}') == {"FT302"}


def test_whitespace_is_what_pythons_s_matches() -> None:
    """FT423's condition spells out Python's Unicode `\\s` for re2 (whose `\\s` is ASCII only)."""
    python = re.compile(r"\s")
    whitespace = _compiled([rf"\A{WHITESPACE}\z"])
    for point in range(0x110000):
        if 0xD800 <= point < 0xE000:
            continue
        char = chr(point)
        if python.fullmatch(char):
            assert whitespace.Match(char.encode()), hex(point)
    for char in "\t\n\r\f":
        assert whitespace.Match(json.dumps(char)[1:-1].encode())


def test_re2s_decimal_digits_hold_pythons() -> None:
    """FT705-FT707's conditions use re2's \\p{Nd} where their patterns use Python's Unicode \\d."""
    python, nd = re.compile(r"\d"), _compiled([r"\A\p{Nd}\z"])
    assert all(nd.Match(chr(point).encode()) for point in range(0x110000)
               if not 0xD800 <= point < 0xE000 and python.fullmatch(chr(point)))


def test_caseless_matches_what_ignorecase_matches() -> None:
    """Python's IGNORECASE folds U+0131 and U+0130 to `i` (re2's (?i) does not), U+017F to `s`, U+212A to `k`."""
    pattern = _compiled([rf"\A{caseless('ai', 'system', 'key')}\z"])
    for word in ("AI", "aı", "Aİ", "ſyſtem", "SYSTEM", "\u212aey", "kEY"):
        assert re.fullmatch("(?i)ai|system|key", word)
        assert pattern.Match(word.encode()), word


def test_identical_reports_on_triggers_in_every_form(tmp_path: Path) -> None:
    path = tmp_path / "triggers.jsonl"
    path.write_text("\n".join(trigger_lines()) + "\n", encoding="utf-8")
    off, on = reports(str(path))
    assert off == on
    assert codes_in(on) >= GATED  # every gated rule found something: the comparison is not vacuous


def test_identical_reports_with_a_users_patterns_allow_list_and_tokens(tmp_path: Path) -> None:
    config = tmp_path / "ftlint.toml"
    config.write_text('[rules.FT701]\npatterns = { badge = "B-[0-9]{4}" }\nallow = ["sk-proj-aB3d.*"]\n'
                      '[rules.FT302]\ntokens = ["</eos>", "<\\"q\\">"]\n', encoding="utf-8")
    path = tmp_path / "data.jsonl"
    lines = [*trigger_lines()[:60], *(serialized({"messages": [{"role": "user", "content": text},
                                                                {"role": "assistant", "content": "ok"}]}, a, s)
                                      for text in ("badge B-1234", 'a </eos> b', 'say <"q"> now')
                                      for a, s in ((False, False), (True, True)))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    off, on = reports(str(path), "--config", str(config))
    assert off == on
    found = [v["message"] for f in json.loads(on)["files"] for v in f["violations"] if v["code"] in ("FT701", "FT302")]
    assert any("badge" in message for message in found) and any("</eos>" in message for message in found)
    assert any('<"q">' in message for message in found)


def test_identical_reports_on_fixtures_and_the_real_corpus() -> None:
    inputs = [str(FIXTURES / "clean"), str(FIXTURES / "bad")]
    if CORPUS.is_dir():
        inputs += sorted(str(path) for path in CORPUS.glob("*.jsonl"))
    off, on = reports(*inputs)
    assert off == on
    assert len(json.loads(on)["files"]) > 10


def test_identical_reports_on_every_layout_fixture() -> None:
    """The layouts (ShareGPT, Alpaca, Gemini...) keep their texts elsewhere; each folder names its target."""
    for folder in sorted(path.parent for path in (FIXTURES / "layouts").rglob("ftlint.toml")):
        off, on = reports(str(folder))
        assert off == on, folder


texts = st.lists(st.sampled_from(TRIGGERS + FILLER) | st.text(max_size=4), max_size=8).map("".join)
records = st.fixed_dictionaries({
    "messages": st.lists(st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant"]),
                                                "content": texts | st.lists(st.fixed_dictionaries(
                                                    {"type": st.just("text"), "text": texts}), max_size=2)}),
                         min_size=1, max_size=4)})
lines = st.tuples(records, st.booleans(), st.booleans(), st.integers(0, 9)).map(
    lambda item: (lambda line: line[: len(line) // 2] if item[3] == 0 else line)(serialized(*item[:3])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.lists(lines, min_size=1, max_size=25))
def test_identical_reports_on_generated_files(tmp_path: Path, generated: list[str]) -> None:
    path = tmp_path / f"generated-{random.randrange(1 << 30)}.jsonl"
    path.write_text("\n".join(generated) + "\n", encoding="utf-8", errors="surrogatepass")
    off, on = reports(str(path))
    assert off == on


def test_identical_reports_in_parallel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers scan with the plan's Set too, and skip the same rules."""
    monkeypatch.setattr(workers, "MIN_PARALLEL_BYTES", 0)  # even a small file runs in ranges
    path = tmp_path / "triggers.jsonl"
    path.write_text("\n".join(trigger_lines()[:-1] * 3) + "\n", encoding="utf-8")
    with prefilter(False):
        off = run_cli("check", "-f", "json", "--max-repeats", "0", "-j1", str(path)).output
    with prefilter(True):
        on = run_cli("check", "-f", "json", "--max-repeats", "0", "--jobs", "3", str(path)).output
    assert off == on and codes_in(on) >= GATED


def test_a_plan_pickles_without_its_compiled_set() -> None:
    """Plans travel to spawned workers and partitions (lint_partition): the Set is compiled again there."""
    gate = Prefilter([rule() for rule in secrets.RULES])
    line = b'{"note": "mail jane@mail.example.org"}'
    before = gate.skipped(line)
    again = pickle.loads(pickle.dumps(gate))
    assert again.skipped(line) == before and "FT704" not in before


def test_identical_reports_on_parquet_rows(tmp_path: Path) -> None:
    # A Parquet row's raw line is its JSON serialization: the conditions read that.
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    rows = [json.loads(line) for line in trigger_lines()[:-1] if line.endswith("}")]
    rows = [row for row in rows if "messages" in row]
    table = pa.Table.from_pylist(rows)  # messages as a list of {role, content} structs
    path = tmp_path / "triggers.parquet"
    pq.write_table(table, path, row_group_size=64)
    off, on = reports(str(path))
    assert off == on
    assert len(codes_in(on) & GATED) >= 5  # the comparison is not vacuous

"""Dataset-level analysis: properties of the cross-record rules, and bounded memory."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import ftlint
from conftest import assistant, chat, conversation, peak_run, user

POOL = [chat("Hi?", "Hello."), chat("Hi?", "Hey."), chat("Bye?", "Bye."),
        conversation(user("Hi?"), assistant("Hello.", weight=1)), chat("Hi?  ", "Hello.")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(range(len(POOL))), max_size=40))
def test_duplicates_are_exactly_the_repeats(picks: list[int]) -> None:
    records = [POOL[i] for i in picks]
    result = ftlint.lint_records(records, select=["FT505"], tokens=False)
    expected = [(index + 1, picks.index(pick) + 1) for index, pick in enumerate(picks) if pick in picks[:index]]
    got = [(v.line, int(v.message.rsplit(" ", 1)[1])) for v in result.violations]
    assert got == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(range(len(POOL))), min_size=1, max_size=30), st.data())
def test_partitions_merge_to_the_same_findings(picks: list[int], data: st.DataObject) -> None:
    records = [POOL[i] for i in picks]
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(records) - 1)), max_size=4)))
    bounds = [0, *[c for c in cuts if c < len(records)], len(records)]
    select = ["FT505", "FT506", "FT511"]
    whole = ftlint.lint_records(records, select=select, tokens=False)
    parts = [ftlint.lint_partition(records[a:b], first_line=a + 1, file_format="chat", select=select, tokens=False)
             for a, b in itertools.pairwise(bounds) if b > a]
    merged = ftlint.merge_partitions(parts, select=select, tokens=False)
    assert merged.violations == whole.violations


def _write(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            record: dict[str, Any] = chat(f"Question {index}: " + "lorem ipsum dolor " * 60,
                                          f"Answer {index}: " + "sit amet " * 80)
            handle.write(json.dumps(record) + "\n")


def _peak_rss(path: Path) -> int:
    """Peak RSS (bytes) of a CLI run on ``path``: the whole process, measured by the kernel."""
    code, peak_bytes, errors = peak_run([sys.executable, "-m", "ftlint", "check", str(path), "--no-tokens",
                                         "--jobs", "1"])
    assert code == 0, errors
    return peak_bytes


def test_memory_grows_only_with_digests_not_data(tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    _write(small, 1_000)
    _write(large, 10_000)
    growth = _peak_rss(large) - _peak_rss(small)
    data_growth = large.stat().st_size - small.stat().st_size  # about 17 MB
    # Records are never kept: only the cross-record rules' digests and counters grow (about 0.8 KB per
    # example measured). Keeping the parsed records would cost several times the data's 17 MB; the
    # bound leaves room for allocator noise while still telling the two apart.
    assert growth < 0.8 * data_growth, (growth, data_growth)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(range(len(POOL))), min_size=1, max_size=40))
def test_big_logs_sorted_in_slices_find_the_same_repeats(picks: list[int]) -> None:
    from ftlint.rules import duplicates

    records = [POOL[i] for i in picks] + [chat(f"q{i % 7}", "I am sorry, but I cannot help with that.")
                                          for i in range(len(picks))]
    select = ["FT505", "FT506", "FT511"]
    whole = ftlint.lint_records(records, select=select, tokens=False)
    saved = duplicates._SLICE
    duplicates._SLICE = 3  # as if the file had millions of examples
    try:
        sliced = ftlint.lint_records(records, select=select, tokens=False)
    finally:
        duplicates._SLICE = saved
    assert sliced.violations == whole.violations


TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {
    "a": {"type": "string"}, "b": {"type": "integer"}}}}}
REORDERED = {"function": {"parameters": {"properties": {"b": {"type": "integer"}, "a": {"type": "string"}},
                                         "type": "object"}, "name": "f"}, "type": "function"}
OTHER = {"type": "function", "function": {"name": "g"}}
TOOLED = [chat("Hi?", "Hello.", tools=[TOOL]), chat("Hi?", "Hello.", tools=[REORDERED]),
          chat("Hi?", "Hello.", tools=[OTHER]), chat("Hi?", "Hello.", tools=[TOOL, OTHER]),
          chat("Hi?", "Hello.", tools=[OTHER, TOOL]), chat("Hi?", "Hello."), chat("Hi?", "Hey.", tools=[TOOL])]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(range(len(TOOLED))), max_size=20))
def test_duplicates_with_tools_are_the_equal_values(picks: list[int]) -> None:
    """The same tools in another key order are the same example (the digest of the tools is remembered
    by how they are written: both orders must land on one canonical digest); other tools, or the same
    in another order of the list, are not. Python's == on the parsed values is the reference."""
    records = [TOOLED[i] for i in picks]
    result = ftlint.lint_records(records, select=["FT505"], tokens=False)
    duplicates = [(v.line, int(v.message.rsplit(" ", 1)[1])) for v in result.violations]
    first = [next(j for j in range(len(records)) if records[j] == record) for record in records]
    assert duplicates == [(index + 1, first[index] + 1) for index in range(len(records)) if first[index] < index]


def test_duplicates_ignore_whitespace_and_escapes_but_not_values(tmp_path: Path) -> None:
    lines = [
        '{"messages":[{"role":"user","content":"caf\\u00e9 \\ud83d\\ude00"},{"role":"assistant","content":"1"}]}',
        '{"messages": [ {"role": "user", "content": "café 😀"}, {"role": "assistant", "content": "1"} ] }',
        '{"messages":[{"role":"user","content":"café 😀"},{"role":"assistant","content":"1.0"}]}',
        '{"messages":[{"role":"user","content":"café 😀"},{"role":"assistant","content":"1", "weight": 1}]}',
        '{"messages":[{"role":"user","content":"café 😀"},{"role":"assistant","content":"1", "weight": 1.0}]}',
    ]
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ftlint.lint_file(path, select=["FT505"], tokens=False)
    assert [(v.line, v.message) for v in result.violations] == [(2, "example duplicates line 1")]


def test_records_with_harmless_schema_errors_are_counted_and_compared() -> None:
    """An extra key does not hide a record from the totals or the dataset rules (it used to: 0 tokens)."""
    records = [{**chat(f"question {i % 5}", f"answer {i % 5}"), "source": "forum"} for i in range(20)]
    plain = ftlint.lint_records([chat(f"question {i % 5}", f"answer {i % 5}") for i in range(20)], tokenizer="tiktoken",
                                provider="openai")
    result = ftlint.lint_records(records, tokenizer="tiktoken", provider="openai")
    codes = [v.code for v in result.violations]
    assert codes.count("FT102") == 20  # every extra key is still reported
    assert codes.count("FT505") == 15  # and the repeats are found, as in the same file without the key
    totals = result.report.totals
    assert (totals.valid, totals.counted) == (0, 20)
    assert totals.tokens == plain.report.totals.tokens > 0
    assert result.report.cost_usd is not None and result.report.cost_usd > 0


def test_unreadable_records_stay_out_of_the_totals() -> None:
    records = [{"messages": [{"content": "no role"}, {"role": "assistant", "content": "a"}]}] * 3
    totals = ftlint.lint_records(records, tokenizer="tiktoken").report.totals
    assert (totals.examples, totals.valid, totals.counted, totals.tokens) == (3, 0, 0, 0)

"""Pretty-printed (multi-line) JSON files: `check` (FT003) and `fix` read them with one scanner, so they
agree on how many objects there are, which part is broken and where parsing stopped.

`fix` keeps every object that parses, one per line, and sends each broken part to the rejects file
once, with its first and last line and its original text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import chat, many, run_cli
from ftlint import lint_file
from ftlint.records import document_parts


def pretty(objects: list[Any]) -> str:
    return "".join(json.dumps(item, indent=2) + "\n" for item in objects)


def fix(tmp_path: Path, text: str, *args: str) -> tuple[list[Any], list[dict[str, Any]], str]:
    source = tmp_path / "pretty.jsonl"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_cli("fix", str(source), "-o", str(out), *args)
    assert result.exit_code in (0, 1), result.stderr
    rejects = tmp_path / "out.jsonl.rejects.jsonl"
    found = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()] if rejects.exists() else []
    rejects.unlink(missing_ok=True)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], found, result.stderr


def ft003(tmp_path: Path, text: str) -> str:
    source = tmp_path / "check.jsonl"
    source.write_text(text, encoding="utf-8")
    (finding,) = [v.message for v in lint_file(source).violations if v.code == "FT003"]
    return finding


def test_one_broken_object_costs_only_its_own_lines(tmp_path: Path) -> None:
    objects = many(11)
    blocks = [json.dumps(item, indent=2) for item in objects]
    blocks[7] = blocks[7].replace('"content": "What', '"content" "What', 1)  # a missing colon in object 8
    text = "\n".join(blocks) + "\n"
    first = sum(block.count("\n") + 1 for block in blocks[:7]) + 1
    last = first + blocks[7].count("\n")
    kept, rejects, stderr = fix(tmp_path, text)
    assert kept == objects[:7] + objects[8:]
    assert [(r["line"], r["last_line"], r["code"]) for r in rejects] == [(first, last, "FT003")]
    assert rejects[0]["original"] == blocks[7]
    assert "10 kept, 1 rejected" in stderr
    message = ft003(tmp_path, text)
    assert "10 pretty-printed JSON objects and 1 part that does not parse" in message
    assert f"parsing stopped at line {first}: Expecting ':' delimiter at line {first + 4}" in message
    assert "at at" not in message and "jq" not in message and "`ftlint fix FILE -o FILE.jsonl`" in message


def test_an_array_with_a_broken_item_keeps_the_others(tmp_path: Path) -> None:
    objects = many(3)
    text = "[\n" + ",\n".join("  " + json.dumps(item) for item in objects) + "\n]\n"
    text = text.replace('"2."', '"2.",,', 1)
    kept, rejects, _ = fix(tmp_path, text)
    assert kept == [objects[0], objects[2]] and [(r["line"], r["code"]) for r in rejects] == [(3, "FT003")]
    assert "one JSON array of 2 objects and 1 part that does not parse" in ft003(tmp_path, text)


def test_objects_separated_by_commas_are_all_kept(tmp_path: Path) -> None:
    objects = many(4)
    text = ",\n".join(json.dumps(item, indent=2) for item in objects) + "\n"
    kept, rejects, _ = fix(tmp_path, text)
    assert kept == objects and rejects == []


def test_the_rest_after_an_unclosed_object_is_kept(tmp_path: Path) -> None:
    objects = many(3)
    blocks = [json.dumps(item, indent=2) for item in objects]
    blocks[0] = blocks[0].removesuffix("}")  # never closed: the next object starts where it should end
    kept, rejects, _ = fix(tmp_path, "\n".join(blocks) + "\n")
    assert kept == objects[1:] and [(r["line"], r["last_line"]) for r in rejects] == [(1, blocks[0].count("\n"))]


@pytest.mark.parametrize(("value", "kept"), [('"\\ud800"', '{"messages": "\\ud800"}'), ("NaN", None),
                                             ("1e999999", None), ('"caf\\u00e9"', '{"messages": "café"}')])
def test_a_rewritten_object_is_valid_json_or_rejected(tmp_path: Path, value: str, kept: str | None) -> None:
    source = tmp_path / "pretty.jsonl"
    source.write_text('{\n  "messages": ' + value + "\n}\n" + pretty(many(10)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_cli("fix", str(source), "-o", str(out))
    first = out.read_text(encoding="utf-8").splitlines()[0]
    if kept:  # the lone surrogate keeps its escape: the output is valid UTF-8 and JSON
        assert first == kept
        assert {v.code for v in lint_file(out).violations} & {"FT001", "FT004", "FT008"} == set()
    else:
        assert json.loads(first) == many(10)[0]
        rejects = (tmp_path / "out.jsonl.rejects.jsonl").read_text(encoding="utf-8")
        assert json.loads(rejects)["original"] == '{\n  "messages": ' + value + "\n}"


def test_invalid_utf8_inside_a_document_is_rejected_with_its_bytes(tmp_path: Path) -> None:
    source = tmp_path / "pretty.jsonl"
    broken = b'{\n  "messages": "caf\xe9"\n}'
    source.write_bytes(pretty(many(10)[:1]).encode() + broken + b"\n" + pretty(many(10)[1:]).encode())
    out = tmp_path / "out.jsonl"
    run_cli("fix", str(source), "-o", str(out))
    assert [json.loads(line) for line in out.read_bytes().splitlines()] == many(10)
    import base64

    reject = json.loads((tmp_path / "out.jsonl.rejects.jsonl").read_text())
    assert base64.b64decode(reject["original_base64"]) == broken


OBJECTS = st.lists(st.dictionaries(st.sampled_from(["messages", "a", "b"]),
                                   st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2),
                                             st.dictionaries(st.just("k"), st.text(max_size=3), max_size=1)),
                                   min_size=1), min_size=2, max_size=6)
BREAKS = [lambda block: block.removesuffix("}"), lambda block: block.replace("{", "{,", 1),
          lambda block: block.replace(":", ": NaN, ", 1)]


@settings(max_examples=150, deadline=None)
@given(OBJECTS, st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), max_size=3))
def test_check_and_fix_agree_on_any_pretty_printed_file(objects: list[dict[str, Any]],
                                                        breaks: list[tuple[int, int]]) -> None:
    blocks = [json.dumps(item, indent=2) for item in objects]
    broken = {index % len(blocks) for index, _ in breaks}
    for index, how in breaks:
        blocks[index % len(blocks)] = BREAKS[how](blocks[index % len(blocks)])
    text = "\n".join(blocks) + "\n"
    parts = list(document_parts(text))
    lines = text.split("\n")[:-1]
    # Every line that is not blank is in exactly one part, and parts come in order.
    covered = [line for part in parts for line in range(part.first_line, part.last_line + 1)]
    assert covered == [number for number, line in enumerate(lines, start=1) if line.strip() or number in covered]
    # Every object that was not broken is found as it was; every broken one is in a broken part.
    assert [part.value for part in parts if not part.error] == [o for i, o in enumerate(objects) if i not in broken]
    starts = [sum(block.count("\n") + 1 for block in blocks[:index]) + 1 for index in range(len(blocks))]
    assert {part.first_line for part in parts if part.error} <= {starts[index] for index in broken}


def test_a_large_document_is_kept_whole(tmp_path: Path) -> None:
    objects = [chat(f"question {n}", f"answer {n}") for n in range(3000)]
    kept, rejects, stderr = fix(tmp_path, pretty(objects))
    assert kept == objects and rejects == [] and "one object per line (3,000)" in stderr


def test_a_pretty_printed_pipe_is_read_once(tmp_path: Path) -> None:
    """`ftlint fix <(zcat x.json.gz) -o out.jsonl`: a pipe cannot be read twice, so fix keeps a copy."""
    from conftest import fed_fifo

    objects = many(10)
    with fed_fifo(tmp_path / "pipe", pretty(objects).encode()) as pipe:
        result = run_cli("fix", str(pipe), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()] == objects

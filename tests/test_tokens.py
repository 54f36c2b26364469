"""Token counting: shipped vocabularies, exactness against tiktoken, the formula, failure handling."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tiktoken
from tiktoken.load import load_tiktoken_bpe
from tiktoken_ext import openai_public

from conftest import FIXTURES, assistant, conversation, data_values, system, user
from ftlint import lint_file, lint_records
from ftlint import tokens as tokens_module
from ftlint.tokens import ENCODINGS, TokenCounter, TokenizerFailure, count_messages, count_tools, read_vocabulary


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_shipped_vocabulary_matches_tiktokens_pinned_hash(name: str) -> None:
    data = read_vocabulary(name)
    assert hashlib.sha256(data).hexdigest() == ENCODINGS[name].sha256


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_encoding_constants_agree_with_tiktoken(name: str, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """ftlint copies pat_str and special tokens from tiktoken_ext; this catches drift."""
    vocab = tmp_path / f"{name}.tiktoken"
    vocab.write_bytes(read_vocabulary(name))
    seen_hashes: list[str] = []

    def local(blobpath: str, expected_hash: str | None = None) -> dict[bytes, int]:
        seen_hashes.append(expected_hash or "")
        return load_tiktoken_bpe(str(vocab), expected_hash=expected_hash)  # tiktoken checks the hash

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", local)
    reference = getattr(openai_public, name)()
    spec = ENCODINGS[name]
    assert seen_hashes == [spec.sha256]
    assert reference["pat_str"] == spec.pat_str
    assert reference["special_tokens"] == spec.special_tokens


@pytest.mark.parametrize(("name", "text", "ids"), [
    ("o200k_base", "hello world", [24912, 2375]),
    ("cl100k_base", "hello world", [15339, 1917]),
])
def test_canonical_token_ids(name: str, text: str, ids: list[int]) -> None:
    assert tokens_module.load_encoding(name).encode_ordinary(text) == ids


def _reference_encoding(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tiktoken.Encoding:
    """tiktoken's own construction path (its loader, its hash check, its constants)."""
    vocab = tmp_path / f"ref-{name}.tiktoken"
    vocab.write_bytes(read_vocabulary(name))
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe",
                        lambda blobpath, expected_hash=None: load_tiktoken_bpe(str(vocab), expected_hash))
    return tiktoken.Encoding(**getattr(openai_public, name)())


def _cookbook_num_tokens(messages: list[dict[str, Any]], encoding: tiktoken.Encoding) -> int:
    """num_tokens_from_messages from OpenAI's cookbook, verbatim in substance."""
    num_tokens = 0
    for message in messages:
        num_tokens += 3
        for key, value in message.items():
            num_tokens += len(encoding.encode(value))
            if key == "name":
                num_tokens += 1
    return num_tokens + 3


@pytest.mark.parametrize("tokenizer", ["tiktoken", "bpe-openai"])
@pytest.mark.parametrize(("model", "encoding"), [
    ("gpt-4o-mini-2024-07-18", "o200k_base"),
    ("gpt-3.5-turbo-0125", "cl100k_base"),
])
def test_totals_equal_the_cookbook_formula(model: str, encoding: str, tokenizer: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Every example of the clean fixture whose message values are all strings (the formula's domain).
    lines = (FIXTURES / "clean" / "support-chat.jsonl").read_text(encoding="utf-8").splitlines()
    examples = [json.loads(line) for line in lines]
    plain = [e for e in examples if set(e) == {"messages"}
             and all(isinstance(v, str) for m in e["messages"] for v in m.values())]
    plain.append(conversation(system("Be brief.", name="policy"), user("Hi, I'm Ada", name="ada"),
                              assistant("Hello Ada!")))
    assert len(plain) >= 10
    reference = _reference_encoding(encoding, tmp_path, monkeypatch)
    expected = [_cookbook_num_tokens(e["messages"], reference) for e in plain]
    path = tmp_path / "plain.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in plain), encoding="utf-8")
    report = lint_file(path, model=model, tokenizer=tokenizer).report
    assert report.tokenizer == tokenizer
    assert report.totals.tokens == sum(expected)
    assert report.totals.max_example == max(expected)
    assert report.totals.billed == sum(expected)


def test_trainable_tokens_are_the_weighted_assistant_output() -> None:
    counter = TokenCounter("o200k_base")
    messages = [user("Question?"), assistant("Skipped answer.", weight=0), user("Again?"),
                assistant("Trained answer.")]
    counted = count_messages(messages, counter)
    assert counted.trainable == counter.count("Trained answer.")
    assert counted.total == sum(3 + counter.count(m["role"]) + counter.count(m["content"]) for m in messages) + 3


def test_tool_calls_count_name_and_arguments() -> None:
    counter = TokenCounter("o200k_base")
    call = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}
    counted = count_messages([user("Weather?"), {"role": "assistant", "content": None, "tool_calls": [call]}], counter)
    body = counter.count("get_weather") + counter.count('{"city": "Oslo"}')
    assert counted.messages[1].body == body
    assert counted.trainable == body


def test_tools_follow_the_cookbook_estimate() -> None:
    counter = TokenCounter("o200k_base")
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Get the weather.",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City name."},
            "unit": {"type": "string", "description": "Unit", "enum": ["c", "f"]}}}}}]
    expected = (7 + counter.count("get_weather:Get the weather") + 3
                + 3 + counter.count("city:string:City name")
                + 3 - 3 + 3 + counter.count("c") + 3 + counter.count("f") + counter.count("unit:string:Unit")
                + 12)
    assert count_tools(tools, counter) == expected
    assert count_tools([], counter) == 0


def _calls_counted(counter: TokenCounter) -> list[str]:
    """The strings ``counter`` hands its tokenizer from now on."""
    seen: list[str] = []
    length = counter._length
    counter._length = lambda text: seen.append(text) or length(text)  # type: ignore[method-assign]
    return seen


def test_long_strings_are_memoized_without_changing_counts() -> None:
    counter = TokenCounter("o200k_base")
    seen = _calls_counted(counter)
    text = "A long shared system prompt. " * 40
    first = counter.count(text)
    assert counter.count("".join(list(text))) == first  # an equal string, another object
    assert seen == [text]
    assert first == len(tokens_module.load_encoding("o200k_base").encode_ordinary(text))
    lone = "\udfff" + text  # a lone surrogate (an escape in the data) is a key like any other
    assert counter.count(lone) == counter.count(lone) and len(seen) == 2


def test_the_memo_starts_over_when_its_strings_fill_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens_module, "_MEMO_MAX_CHARS", 10_000)
    counter = TokenCounter("o200k_base")
    seen = _calls_counted(counter)
    texts = [f"prompt {index} " * 100 for index in range(20)]  # ~1,000 characters each
    counts = [counter.count(text) for text in texts]
    assert counter._texts_chars <= 10_000
    assert counter.count(texts[-1]) == counts[-1] and len(seen) == len(texts)  # the latest are kept
    assert [counter.count(text) for text in texts] == counts  # the early ones were dropped and counted again
    assert len(seen) > len(texts)
    encoding = tokens_module.load_encoding("o200k_base")
    assert counts == [len(encoding.encode_ordinary(text)) for text in texts]


class PanicException(BaseException):
    """Stands in for pyo3_runtime.PanicException, which derives from BaseException."""


class _PanickyEncoding:
    def encode_ordinary(self, text: str) -> list[int]:
        if "\u2003" in text:
            raise PanicException("StackOverflow")
        return [0] * len(text.split())


def test_tokenizer_panic_becomes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens_module, "load_encoding", lambda name: _PanickyEncoding())
    with pytest.raises(TokenizerFailure):
        TokenCounter("o200k_base").count("a\u2003b")
    records = [conversation(user("fine"), assistant("fine")),
               conversation(user("boom \u2003 here"), assistant("fine"))]
    result = lint_records(records, select=["FT304"], tokenizer="tiktoken", provider="openai")
    assert [(v.code, v.line) for v in result.violations] == [("FT304", 2)]
    assert result.report.totals.uncounted == 1
    assert result.report.totals.valid == 2


def test_other_base_exceptions_are_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    class Exploding:
        def encode_ordinary(self, text: str) -> list[int]:
            raise KeyboardInterrupt

    monkeypatch.setattr(tokens_module, "load_encoding", lambda name: Exploding())
    with pytest.raises(KeyboardInterrupt):
        TokenCounter("o200k_base").count("x")


def test_no_tokenizer_is_loaded_when_nothing_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(name: str) -> None:
        raise AssertionError("tokenizer loaded")

    monkeypatch.setattr(tokens_module, "load_encoding", forbidden)
    result = lint_records([conversation(user(), assistant())], tokens=False, select=["FT2"])
    assert result.report.tokens_counted is False


def _corpus_strings() -> list[str]:
    strings = ["", " ", "hello world", "<|endoftext|> and <|fim_suffix|> as text", "\ud800 lone", "e\u0301",
               "👩‍👩‍👧‍👦 🇳🇴", " " * 300_000, "\t\n" * 1000, "a" * 100_000, "日本語のテキスト" * 500]
    stack = list(data_values())
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return strings


@pytest.mark.skipif(not tokens_module.bpe_openai_available(), reason="ftlint[fast] is not installed")
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_bpe_openai_counts_equal_tiktoken(encoding: str) -> None:
    reference = TokenCounter(encoding, "tiktoken")
    fast = TokenCounter(encoding, "bpe-openai")
    strings = _corpus_strings()
    assert len(strings) > 50_000
    mismatches = [s[:60] for s in strings if reference._count(s) != fast._count(s)]
    assert mismatches == []


@pytest.mark.skipif(not tokens_module.bpe_openai_available() or not sys.platform.startswith("linux"),
                    reason="ftlint[fast] is not installed, or not Linux")
def test_bpe_openai_vocabulary_pages_are_released_and_counts_stay_exact(tmp_path: Path) -> None:
    # In a fresh process, so that the extension's pages are loaded by this very run.
    script = """
import sys
from pathlib import Path
from ftlint.tokens import TokenCounter
fast = TokenCounter("o200k_base", "bpe-openai")
library = str(Path(sys.modules["bpe_openai._bindings"].__file__).resolve())
resident = mapping = 0
for line in open("/proc/self/smaps"):
    head = line.split()
    if "-" in head[0] and not head[0].endswith(":"):
        mapping = len(head) >= 6 and head[1] == "r--p" and head[5] == library
    elif mapping and head[0] == "Rss:":
        resident += int(head[1])
reference = TokenCounter("o200k_base", "tiktoken")
text = Path(sys.argv[1]).read_text(encoding="utf-8")
print(resident, fast.count(text) == reference.count(text), fast.count(text))
"""
    text = "".join(path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "clean").glob("*.jsonl")))
    sample = tmp_path / "sample.txt"
    sample.write_text(text, encoding="utf-8")
    resident, equal, count = subprocess.run([sys.executable, "-c", script, str(sample)], check=True,
                                            capture_output=True, text=True).stdout.split()
    # Without the release, ~32 MB of the vocabulary's pages stay resident after loading.
    assert int(resident) < 4_000, resident
    assert equal == "True" and int(count) > 1_000


def test_only_wholly_clean_read_only_mappings_of_the_library_are_released() -> None:
    smaps = """\
7f0000000000-7f0000001000 r--p 00000000 08:01 42 /lib/x.so
Rss:                   4 kB
Private_Dirty:         0 kB
Shared_Dirty:          0 kB
Anonymous:             0 kB
VmFlags: rd mr mw me
7f0000001000-7f0000003000 r-xp 00001000 08:01 42 /lib/x.so
Rss:                   8 kB
Private_Dirty:         0 kB
Shared_Dirty:          0 kB
Anonymous:             0 kB
7f0000003000-7f0000004000 r--p 00003000 08:01 42 /lib/x.so
Rss:                   4 kB
Private_Dirty:         4 kB
Shared_Dirty:          0 kB
Anonymous:             4 kB
7f0000004000-7f0000005000 r--p 00000000 08:01 43 /lib/other.so
Rss:                   4 kB
Private_Dirty:         0 kB
Shared_Dirty:          0 kB
Anonymous:             0 kB
7f0000005000-7f0000008000 r--p 00004000 08:01 42 /lib/x.so
Rss:                  12 kB
Private_Dirty:         0 kB
Shared_Dirty:          0 kB
Anonymous:             0 kB
7f0000008000-7f0000009000 r--p 00000000 08:01 44 /usr/lib/x.so
Rss:                   4 kB
Private_Dirty:         0 kB
Shared_Dirty:          0 kB
Anonymous:             0 kB
7f0000009000-7f000000a000 rw-p 00000000 00:00 0
Rss:                   4 kB
Private_Dirty:         4 kB
"""
    expected = [(0x7F0000000000, 0x7F0000001000, 4), (0x7F0000005000, 0x7F0000008000, 12)]
    # The executable code, the relocated (written) data and the other libraries stay.
    assert list(tokens_module._clean_read_only_mappings(smaps.splitlines(), "/lib/x.so")) == expected
    # Only the library's own mappings are parsed, and they give the same answer.
    lines = tokens_module._mappings_of(smaps, "/lib/x.so")
    assert all("/usr/lib" not in line and "rw-p" not in line for line in lines)
    assert list(tokens_module._clean_read_only_mappings(lines, "/lib/x.so")) == expected


def test_auto_prefers_bpe_openai_only_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens_module, "bpe_openai_available", lambda: False)
    assert tokens_module.resolve_tokenizer("auto") == "tiktoken"
    with pytest.raises(tokens_module.VocabularyError, match="pip install 'ftlint\\[fast\\]'"):
        tokens_module.resolve_tokenizer("bpe-openai")
    monkeypatch.setattr(tokens_module, "bpe_openai_available", lambda: True)
    assert tokens_module.resolve_tokenizer("auto") == "bpe-openai"


def _cookbook_tools_tokens(functions: list[dict[str, object]], encoding: object) -> int:
    """The cookbook's num_tokens_for_tools, written out independently (gpt-4o constants)."""
    enc: Any = encoding
    func_init, prop_init, prop_key, enum_init, enum_item, func_end = 7, 3, 3, -3, 3, 12
    count = 0
    for function in functions:
        count += func_init
        description = str(function.get("description", "")).removesuffix(".")
        count += len(enc.encode(f"{function['name']}:{description}"))
        properties = dict(function.get("parameters", {}).get("properties", {}))  # type: ignore[attr-defined]
        if properties:
            count += prop_init
            for key, prop in properties.items():
                count += prop_key
                for item in prop.get("enum", []):
                    count += enum_item + len(enc.encode(item))
                if "enum" in prop:
                    count += enum_init
                count += len(enc.encode(f"{key}:{prop['type']}:{str(prop.get('description', '')).removesuffix('.')}"))
    return count + func_end


def test_legacy_functions_are_counted_like_tools() -> None:

    from ftlint import lint_records
    from ftlint.tokens import load_encoding

    functions = [{"name": "get_weather", "description": "Get the weather.", "parameters": {
        "type": "object", "properties": {"city": {"type": "string", "description": "City name."},
                                         "unit": {"type": "string", "enum": ["c", "f"]}}}}]
    messages = [user("Weather in Oslo?"),
                {"role": "assistant", "function_call": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}]
    encoding: tiktoken.Encoding = load_encoding("o200k_base")
    body = (3 + len(encoding.encode("user")) + len(encoding.encode("Weather in Oslo?"))
            + 3 + len(encoding.encode("assistant")) + len(encoding.encode("get_weather"))
            + len(encoding.encode('{"city": "Oslo"}')) + 3)
    expected = body + _cookbook_tools_tokens(functions, encoding)
    report = lint_records([{"messages": messages, "functions": functions}], tokenizer="tiktoken",
                          provider="openai").report
    assert report.totals.tokens == expected
    with_tools = [{"messages": messages, "tools": [{"type": "function", "function": f} for f in functions]}]
    assert lint_records(with_tools, tokenizer="tiktoken", provider="openai").report.totals.tokens == expected

"""The piece encoder (ftlint.hf.pieces) counts exactly what the Rust ``Tokenizer.encode`` counts.

Every comparison is with ``tokenizers`` itself: the same token count and the same trainable
token ranges, on every fixture and sampled corpus example rendered through real chat templates,
on generated texts, for the two byte-level layouts the encoder reproduces (GPT-2's ByteLevel
regex; Qwen's and Llama 3's Split regex before a regex-less ByteLevel); configurations it does
not reproduce keep the Rust path. The regex runs in Python's `regex` module: its split is compared
with Oniguruma's (the pre-tokenizer's own `pre_tokenize_str`) around every code point.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hf_oracle import EXAMPLES

from ftlint.hf import ChatModel, ChatTemplate, HfTokenizer, find_model_files
from ftlint.hf import pieces as pieces_module
from ftlint.hf.pieces import BYTE_LEVEL_PATTERN
from hf_models import SPECIAL_TOKENS, TEMPLATE_FAMILY, model_folder, template_text, train_tokenizer

# The pre-tokenizer regexes of Qwen2/2.5/3 and Llama 3 (their tokenizer.json, `pre_tokenizer.pretokenizers[0]`).
QWEN_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
                r"|\s+(?!\S)|\s+")
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
TEMPLATES = ("qwen3", "qwen3_training", "llama3_1", "gemma3", "mistral_nemo", "gptoss")


def split_tokenizer(path: Path, byte_level: Path, pattern: str) -> Path:
    """The trained byte-level tokenizer with a Qwen-style pre-tokenizer: Split(regex, Isolated), ByteLevel(no regex)."""
    data = json.loads(byte_level.read_text(encoding="utf-8"))
    data["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]}
    data["post_processor"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                              "use_regex": False}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tokenizers_dir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pieces")
    byte_level = train_tokenizer(folder / "byte_level.json")
    return {"byte_level": byte_level, "qwen": split_tokenizer(folder / "qwen.json", byte_level, QWEN_PATTERN),
            "llama3": split_tokenizer(folder / "llama3.json", byte_level, LLAMA3_PATTERN)}


def _pair(path: Path) -> tuple[HfTokenizer, HfTokenizer]:
    fast, rust = HfTokenizer(path), HfTokenizer(path, fast=False)
    assert fast.fast, fast.fast_reason
    assert not rust.fast
    return fast, rust


@pytest.mark.parametrize("layout", ["byte_level", "qwen", "llama3"])
@pytest.mark.parametrize("name", TEMPLATES)
def test_counts_and_ranges_equal_the_rust_encode(layout: str, name: str, tokenizers_dir: dict[str, Path],
                                                 tmp_path: Path) -> None:
    """Every example through a real template: the same Counted (total, trainable, ranges) both ways."""
    folder = model_folder(tmp_path / name, tokenizers_dir[layout], template_text(name), TEMPLATE_FAMILY[name])
    files = find_model_files(None, folder)
    assert files is not None
    fast_model, rust_model = ChatModel.from_files(files), ChatModel.from_files(files)
    rust_model.tokenizer = HfTokenizer(folder / "tokenizer.json", fast=False)
    assert fast_model.tokenizer is not None and fast_model.tokenizer.fast
    compared = 0
    for example in EXAMPLES:
        fast, rust = fast_model.analyse(example, "chat"), rust_model.analyse(example, "chat")
        assert fast is not None and rust is not None
        assert fast.counted == rust.counted, example
        compared += fast.counted is not None and bool(fast.counted.trainable_ranges)
    assert compared >= 20, f"only {compared} examples had trainable ranges: the comparison proves too little"


_SPECIAL = st.sampled_from(SPECIAL_TOKENS)
_PIECE = st.one_of(st.text(min_size=1, max_size=12), st.sampled_from(
    ["'s", "'RE", "'ll", " ", "  ", "\n\n", "\r\n", " \t", "123", "4567", "日本語", "héllo", "🙂", "ſ", "\u0085",
     "\u3000", "<|im", "_start|>", "\x00", "a\x00b"]), _SPECIAL)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_PIECE, max_size=25), cuts=st.lists(st.integers(0, 400), max_size=6))
def test_generated_texts_count_the_same(parts: list[str], cuts: list[int], tokenizers_dir: dict[str, Path]) -> None:
    """Arbitrary text, special tokens in it, spans anywhere (empty ones too), on each layout."""
    text = "".join(parts).replace("\ud800", "")
    bounds = sorted(min(cut, len(text)) for cut in cuts)
    spans = tuple(zip(bounds[::2], bounds[1::2], strict=False))
    for path in tokenizers_dir.values():
        fast, rust = _pairs(path)
        assert fast.count(text, spans) == rust.count(text, spans)


_LOADED: dict[Path, tuple[HfTokenizer, HfTokenizer]] = {}


def _pairs(path: Path) -> tuple[HfTokenizer, HfTokenizer]:
    if path not in _LOADED:
        _LOADED[path] = _pair(path)
    return _LOADED[path]


def test_a_lone_surrogate_is_refused_as_by_the_rust_side(tokenizers_dir: dict[str, Path]) -> None:
    from ftlint.hf.counter import TokenizerError

    fast, rust = _pairs(tokenizers_dir["byte_level"])
    errors = []
    for tokenizer in (fast, rust):
        with pytest.raises(TokenizerError) as caught:
            tokenizer.count("a\ud800b", ((0, 1),))
        errors.append(str(caught.value))
    assert errors[0] == errors[1]


def test_pieces_holding_a_nul_count_as_the_rust_side(tokenizers_dir: dict[str, Path]) -> None:
    """New pieces go to the model joined by NULs, unless one holds a NUL itself: then one by one."""
    for path in tokenizers_dir.values():
        fast, rust = _pair(path)  # fresh memos: every piece here is new
        for text in ("plain words first, then a\x00b and \x00\x00 and x\x00", "wörld\x00 🙂 \x00 <|im_end|>",
                     "no nul at all here", "\x00"):
            assert fast.count(text, ((0, 3),)) == rust.count(text, ((0, 3),)), (path.name, text)


def test_only_patterns_that_can_match_empty_are_checked_for_empty_pieces() -> None:
    """The empty-piece scan is skipped only for a regex whose every match takes a character."""
    for pattern in (BYTE_LEVEL_PATTERN, QWEN_PATTERN, LLAMA3_PATTERN, r"\s+(?!\S)|\p{L}+"):
        assert not pieces_module.may_match_empty(pattern), pattern
    for pattern in (r"\p{L}*|\s+", r"(?=a)|b", r"\b|a", r"a?", r"\w+|\s+"):  # \w: not read, so checked
        assert pieces_module.may_match_empty(pattern), pattern


def test_bounded_memos_stay_exact(tokenizers_dir: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Memos that start over all the time (tiny bounds) give the same counts: memory is bounded, results are not."""
    monkeypatch.setattr(pieces_module, "MEMO_PIECES", 3)
    monkeypatch.setattr(pieces_module, "REPEATED_MIN_CHARS", 8)
    monkeypatch.setattr(pieces_module, "REPEATED_MAX_CHARS", 40)
    monkeypatch.setattr(pieces_module, "REPEATED_SEEN", 2)
    fast, rust = _pair(tokenizers_dir["qwen"])
    shared = "You are a helpful assistant. " * 3
    for index in range(30):
        text = f"<|im_start|>system\n{shared}<|im_end|>\n<|im_start|>user\nquestion {index % 4}<|im_end|>\n"
        assert fast.count(text, ((5, len(text) - 3),)) == rust.count(text, ((5, len(text) - 3),))


def _variant(path: Path, tmp_path: Path, change: Any) -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    out = tmp_path / "variant.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def _lstrip(data: dict[str, Any]) -> None:
    data["added_tokens"][0]["lstrip"] = True


def _nfc(data: dict[str, Any]) -> None:
    data["normalizer"] = {"type": "NFC"}


def _trimming(data: dict[str, Any]) -> None:
    data["post_processor"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}


def _prefix_space(data: dict[str, Any]) -> None:
    data["pre_tokenizer"]["add_prefix_space"] = True


@pytest.mark.parametrize("change, reason", [(_lstrip, "strips spaces"), (_nfc, "normalizer"),
                                            (_trimming, "moves offsets"), (_prefix_space, "pre-tokenizer")])
def test_other_configurations_keep_the_rust_encode(change: Any, reason: str, tokenizers_dir: dict[str, Path],
                                                   tmp_path: Path) -> None:
    """What the encoder does not reproduce (here: four such settings) is counted by tokenizers itself."""
    tokenizer = HfTokenizer(_variant(tokenizers_dir["byte_level"], tmp_path, change))
    assert not tokenizer.fast and reason in tokenizer.fast_reason
    rust = tokenizer._tokenizer.encode(" héllo <|im_end|> wörld ", add_special_tokens=False)
    assert tokenizer.count(" héllo <|im_end|> wörld ", ())[0] == len(rust)


@functools.lru_cache(maxsize=1)
def _code_points() -> list[str]:
    """Every code point of planes 0-3 and 14 (all assigned ones in every Unicode version so far), no surrogates,
    except those the encoder leaves to tokenizers (assigned after Unicode 14.0 as a letter, digit or space)."""
    import regex

    unassigned = pieces_module._unassigned_in_unicode_14()
    disputed = regex.compile(r"[\p{L}\p{N}\s\p{Cn}]")
    points = [chr(point) for point in (*range(0x323B0), *range(0xE0000, 0xE01F0)) if not 0xD800 <= point < 0xE000]
    return [point for point in points if not (unassigned.match(point) and disputed.match(point))]


_UNCASED = None


def _probes(point: str) -> str:
    """Letter, digit, punctuation, space and newline neighbours tell the classes apart; for a code point that has
    case (Lo ideographs, unassigned and private ones have none), apostrophes test the case-insensitive contractions."""
    global _UNCASED
    if _UNCASED is None:
        import regex

        _UNCASED = regex.compile(r"[\p{Lo}\p{Cn}\p{Co}]")
    classes = f"a{point}a1{point}1!{point}! {point}  \n{point}\n"
    if _UNCASED.match(point):
        return classes
    return f"{classes}'{point}'{point}e'{point}l'l{point}'r{point}'v{point} "


@pytest.mark.parametrize("pattern, layout", [(BYTE_LEVEL_PATTERN, "byte_level"), (QWEN_PATTERN, "qwen"),
                                             (LLAMA3_PATTERN, "llama3")])
def test_python_regex_splits_as_oniguruma_around_every_code_point(pattern: str, layout: str,
                                                                  tokenizers_dir: dict[str, Path]) -> None:
    import regex
    from tokenizers import Tokenizer

    pre_tokenizer = Tokenizer.from_file(str(tokenizers_dir[layout])).pre_tokenizer
    compiled = regex.compile(pattern)
    points = _code_points()
    for start in range(0, len(points), 20_000):
        text = "".join(_probes(point) for point in points[start:start + 20_000])
        theirs = [(begin, end) for _, (begin, end) in pre_tokenizer.pre_tokenize_str(text)]  # in characters
        mine = [match.span() for match in compiled.finditer(text)]
        if mine != theirs:
            first = next(i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b)
            pytest.fail(f"split differs at {text[mine[first][0]:mine[first][1] + 3]!r}")


_ASCII = st.text(st.characters(max_codepoint=127), max_size=60)


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.one_of(_ASCII, st.sampled_from(["'S", "'Re", "'LL", " \t\n", "\x1c", "\x0b", "a1", " !"])),
                     max_size=12).map("".join))
def test_the_ascii_regex_splits_ascii_text_as_the_unicode_one(text: str) -> None:
    import regex

    for pattern in (BYTE_LEVEL_PATTERN, QWEN_PATTERN, LLAMA3_PATTERN):
        fast = pieces_module.ascii_pattern(pattern)
        assert fast is not None
        assert fast.findall(text) == regex.findall(pattern, text)


def test_patterns_with_other_classes_keep_the_regex_module() -> None:
    for pattern in (r"\w+|\s+", r"\d+", r"[[a-z]--[aeiou]]", r"\p{Lu}+", r"(a)\1"):
        assert pieces_module.ascii_pattern(pattern) is None


def test_letters_newer_than_unicode_14_are_left_to_tokenizers(tokenizers_dir: dict[str, Path]) -> None:
    """U+0558 (assigned after Unicode 14.0): this `regex` may call it a letter where Oniguruma does not know it;
    the text is counted by tokenizers, and the count is its count."""
    fast, rust = _pairs(tokenizers_dir["byte_level"])
    text = "a\u0558a 1\u0558 x"
    assert fast._pieces is not None and fast._pieces.token_bytes(text) is None
    assert fast.count(text, ((0, 3),)) == rust.count(text, ((0, 3),))
    assert fast._pieces.token_bytes("a\U0001FAE8a") is not None  # a newer emoji is no letter: no dispute


def test_the_oracle_tokenizer_goes_through_the_piece_encoder(tmp_path: Path) -> None:
    """The transformers oracle (test_hf_oracle) checks the default path: the piece encoder, for its tokenizer."""
    assert HfTokenizer(train_tokenizer(tmp_path / "tokenizer.json")).fast


def test_the_sandbox_still_refuses_what_it_refused(tmp_path: Path) -> None:
    """The remembered attribute verdicts and the direct key reads change no answer of the sandbox."""
    def render(text: str) -> str:
        rendering = ChatTemplate(text).render([{"role": "user", "content": "hi", "items": "key"}])
        return rendering.text or rendering.error

    assert render("{{ messages[0].role }}|{{ messages[0].nokey is defined }}|{{ messages[0].items is callable }}"
                   "|{{ messages[0]['items'] }}") == "user|False|True|key"
    assert "unsafe" in render("{{ messages[0].content.upper() }}{{ messages.append(1) }}")
    assert "unsafe" in render("{{ messages[0].update({}) }}")
    assert "unsafe" in render("{{ messages[0].content.upper() }}{{ messages[0].__class__.__mro__ }}")
    assert render("{{ messages[0].content.upper() }}{{ messages[0].content.upper() }}") == "HIHI"
    assert render("{{ '{0}!'.format(messages[0].role) }}") == "user!"
    # a str's own methods are called directly, in a loop too (where the compiler adds its bookkeeping arguments)
    assert render("{% for m in messages %}{{ m.content.split('i')|length }}{{ m.content.replace('h', 'H') }}"
                  "{{ m.content.split(maxsplit=1) }}{% endfor %}") == "2Hi['hi']"
    assert render("{% for m in messages %}{{ m.role.format(1) }}{{ '{x.__class__}'.format_map({'x': 1}) }}"
                  "{% endfor %}") == "user"
    assert render("{{ '{0.__class__}'.format(messages[0].role) }}") == ""  # the sandbox's formatter hides it
    assert render("{% for m in messages %}{{ loop.index0 }}{{ loop.__class__ is defined }}{% endfor %}") == "0False"
    assert render("{% set ns = namespace(a=1) %}{{ ns.a }}{{ ns.b is defined }}{{ ns._Namespace__attrs is defined }}") \
        == "1FalseFalse"

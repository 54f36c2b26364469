"""Exact token counts of a byte-level BPE ``tokenizer.json``, by memoizing the model's own work per piece.

``tokenizers`` encodes a text in fixed stages (``tokenizers/src/tokenizer/mod.rs``,
``encode_single_sequence``): split the text on the added tokens (each is one token),
normalize each remaining segment, pre-tokenize it into pieces (for byte-level BPE:
a regex split, then bytes mapped to printable characters), and run the BPE model on
each piece on its own. Most of the time goes to the first stages (the pieces and
their character alignments, about 80% of ``encode`` on chat data), not to BPE,
which the Rust side already caches per piece.

:class:`PieceEncoder` runs the same stages for the configurations where each one is
simple enough to reproduce exactly, and nothing else (:func:`piece_encoder` says why
a tokenizer does not qualify; it then keeps the Rust ``encode``):

- added tokens matched leftmost-longest (aho-corasick's ``LeftmostLongest``, as
  ``AddedVocabulary`` does), none with ``lstrip``, ``rstrip`` or ``single_word``,
  all with the same ``normalized`` flag, special tokens not encoded as text;
- no normalizer; no truncation or padding in the file;
- the ByteLevel pre-tokenizer (``add_prefix_space`` off), with its own GPT-2 regex or
  after one ``Split`` by a regex with the ``Isolated`` behaviour (Qwen, Llama 3);
- a BPE model without dropout, subword prefix or suffix, holding all 256 byte symbols;
- a post-processor that leaves offsets alone (none, ``ByteLevel`` with
  ``trim_offsets`` off, ``TemplateProcessing``, ``RobertaProcessing`` with
  ``trim_offsets`` off, or a sequence of those), so that trainable ranges stay those
  of the Rust offsets.

The regex runs in Python's ``regex`` module instead of Oniguruma: the same
backtracking semantics, and a test compares both engines' splits on every Unicode
code point (``tests/test_hf_pieces.py``). The BPE of each new piece is the model's
own (``Model.tokenize``), then memoized: the result is the Rust one by construction.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import itertools
import json
import operator
import re
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tokenizers

# tokenizers' ByteLevel pre-tokenizer regex (src/pre_tokenizers/byte_level.rs), the GPT-2 one.
BYTE_LEVEL_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
# Post-processors that never move an offset (with add_special_tokens=False they add no token either).
_QUIET_PROCESSORS = {"TemplateProcessing", "BertProcessing"}
_TRIMMING_PROCESSORS = {"ByteLevel", "RobertaProcessing"}  # quiet only with trim_offsets off
MEMO_PIECES = 1 << 18  # pieces remembered (about 40 MB at most); the memo starts over when full
# Long segments (the text between two added tokens) are remembered from their second sight, up to a total size.
REPEATED_MIN_CHARS, REPEATED_MAX_CHARS, REPEATED_SEEN = 256, 1 << 24, 1 << 16


def byte_symbols() -> dict[int, str]:
    """GPT-2's map of the 256 bytes to printable characters (``bytes_to_unicode``), as ByteLevel applies it."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    symbols = {byte: chr(byte) for byte in printable}
    extra = 0
    for byte in range(256):
        if byte not in symbols:
            symbols[byte] = chr(256 + extra)
            extra += 1
    return symbols


class PieceEncoder:
    """The byte length of each token of a text, as ``Tokenizer.encode(text, add_special_tokens=False)`` makes them."""

    def __init__(self, tokenizer: tokenizers.Tokenizer, pattern: str, added: Sequence[str]) -> None:
        import regex

        self._model = tokenizer.model
        self._pattern = regex.compile(pattern)
        self._ascii_pattern = ascii_pattern(pattern)
        self._may_be_empty = may_match_empty(pattern)
        # Longest first: Python's alternation takes the first alternative that matches at the leftmost
        # position, which is then the longest one, as aho-corasick's LeftmostLongest.
        ordered = sorted(added, key=len, reverse=True)
        self._added = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._added_lengths = {token: len(token.encode("utf-8")) for token in added}
        table = byte_symbols()
        self._symbol_table = "".join(table[byte] for byte in range(256))  # byte -> symbol, for codecs.charmap_decode
        self._unassigned = _unassigned_in_unicode_14()
        self._letter_digit_space = regex.compile(r"[\p{L}\p{N}\s\p{Cn}]")
        self._memo: dict[str, tuple[int, ...]] = {}
        self._repeated: dict[str, list[tuple[int, ...]]] = {}
        self._repeated_chars = 0
        self._seen: set[int] = set()

    def token_bytes(self, text: str) -> list[int] | None:
        """Each token's length in UTF-8 bytes, in order; None when this text needs the Rust path (it cannot be
        encoded as UTF-8, or the regex matched an empty piece, which this reimplementation does not model)."""
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return None  # a lone surrogate: the Rust side reports it
            if self._unassigned.search(text) and self._disputed(text):
                return None
        lengths: list[int] = []
        for segment, added in self._segments(text):
            if added:
                lengths.append(self._added_lengths[segment])
                continue
            found = self._segment(segment)
            if found is None:
                return None
            lengths.extend(itertools.chain.from_iterable(found))
        return lengths

    def _disputed(self, text: str) -> bool:
        """Does the text hold a code point unassigned in Unicode 14.0 that this ``regex`` takes for a letter, a
        digit or a space, or does not know? Oniguruma's tables may be older: only tokenizers can say."""
        return any(self._letter_digit_space.match(match.group()) for match in self._unassigned.finditer(text))

    def _segments(self, text: str) -> Iterator[tuple[str, bool]]:
        """The text cut at its added tokens: (segment, is it an added token), in order."""
        if self._added is None:
            yield text, False
            return
        at = 0
        for match in self._added.finditer(text):
            if match.start() > at:
                yield text[at:match.start()], False
            yield match.group(), True
            at = match.end()
        if at < len(text):
            yield text[at:], False

    def _segment(self, segment: str) -> Sequence[tuple[int, ...]] | None:
        """A segment's token lengths, piece by piece; a long one seen before (a shared system prompt or tool list)
        from memory.

        Segments are encoded independently of each other (added tokens always end a piece),
        so a repeated segment has the same tokens wherever it is.
        """
        if len(segment) < REPEATED_MIN_CHARS:
            return self._encode(segment)
        known = self._repeated.get(segment)
        if known is not None:
            return known
        found = self._encode(segment)
        key = hash(segment)
        if found is None or key not in self._seen:  # remembered from its second sight: most segments are unique
            if len(self._seen) >= REPEATED_SEEN:
                self._seen.clear()
            self._seen.add(key)
            return found
        if self._repeated_chars + len(segment) > REPEATED_MAX_CHARS:
            self._repeated, self._repeated_chars = {}, 0
        self._repeated[segment] = found
        self._repeated_chars += len(segment)
        return found

    def _encode(self, segment: str) -> list[tuple[int, ...]] | None:
        """Each piece's token lengths (the caller chains them: one pass over the tokens, not two)."""
        fast = self._ascii_pattern is not None and segment.isascii()
        pieces: list[str] = (self._ascii_pattern if fast else self._pattern).findall(segment)  # type: ignore[union-attr]
        if sum(map(len, pieces)) != len(segment) or (self._may_be_empty and "" in pieces):
            return None  # the regex leaves gaps (kept by Isolated as pieces) or matches empty: not modelled
        memo = self._memo
        new = set(pieces).difference(memo)  # at C speed (a str caches its hash); the new ones learnt in one call
        if new:
            if len(memo) + len(new) > MEMO_PIECES:  # start over, keeping this segment's pieces
                memo = self._memo = {}
                new = set(pieces)
            self._learn(new)
        return list(map(memo.__getitem__, pieces))

    def _learn(self, pieces: set[str]) -> None:
        """BPE of new pieces, by the model itself (``Model.tokenize``, what the pipeline calls on each piece)."""
        tokenize, value = self._model.tokenize, operator.attrgetter("value")  # a token's symbols: one per byte
        ordered = list(pieces)
        self._memo.update(zip(ordered, (tuple(map(len, map(value, tokenize(symbols)))) for symbols in
                                        self._byte_symbols(ordered)), strict=True))

    def _byte_symbols(self, pieces: list[str]) -> list[str]:
        """Each piece as ByteLevel hands it to the model: its UTF-8 bytes, each as its printable symbol. All the
        pieces in one decode, joined by a NUL (byte 0, the only byte whose symbol is U+0100) when none has one."""
        joined = "\0".join(pieces)
        if joined.count("\0") != len(pieces) - 1:  # a piece holds a NUL itself: one by one
            return [codecs.charmap_decode(piece.encode("utf-8"), "strict", self._symbol_table)[0] for piece in pieces]
        symbols: str = codecs.charmap_decode(joined.encode("utf-8"), "strict", self._symbol_table)[0]
        return symbols.split(self._symbol_table[0])


@functools.lru_cache(maxsize=1)
def _unassigned_in_unicode_14() -> Any:
    """The code points Unicode 14.0 leaves unassigned, as one character class (data/unassigned-unicode-14.json).

    Both engines know at least Unicode 14.0 (Python's ``regex`` since 2021, tokenizers' Oniguruma 6.9.8), and a
    test compares them on every code point, so only a character assigned later can split differently.
    """
    from ftlint.regex import linear  # re2: a class of 698 ranges is 50x slower in re

    data = json.loads(resources.files("ftlint").joinpath("data/unassigned-unicode-14.json").read_text("utf-8"))
    return linear("[" + "".join(f"{chr(start)}-{chr(end)}" for start, end in data["ranges"]
                                    if not 0xD800 <= start <= 0xDFFF) + "]")


def byte_ranges(text: str, token_bytes: Sequence[int], spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The token index ranges overlapping each character span: a token ``[s, e)`` in bytes overlaps a span
    ``[a, b)`` when ``s < B(b)`` and ``e > B(a)`` (``B``: a character's byte offset), which is the overlap of
    the token's character offsets with the span, since spans start and end on characters."""
    ends = list(itertools.accumulate(token_bytes))
    ascii_text = text.isascii()  # then a character's byte offset is its index
    ranges: list[tuple[int, int]] = []
    for start, end in spans:
        low = start if ascii_text else len(text[:start].encode("utf-8"))
        high = end if ascii_text else low + len(text[start:end].encode("utf-8"))
        # Token k starts at ends[k - 1] (the first at 0): those starting before `high` are the first one, when
        # high > 0, and one more for each earlier end before `high`.
        first = bisect.bisect_right(ends, low)
        stop = min(bisect.bisect_left(ends, high), len(ends) - 1) + 1 if high > 0 and ends else 0
        if stop > first:
            ranges.append((first, stop))
    return ranges


def may_match_empty(pattern: str) -> bool:
    """Can the regex match an empty string anywhere? Only when its shortest match is empty: lookarounds and
    anchors match nothing themselves, so a pattern whose every match takes a character never matches empty.
    True when the pattern is not one Python's re can read (the encoder then checks every split)."""
    fast = ascii_pattern(pattern)
    if fast is None:
        return True
    try:
        from re import _parser  # type: ignore[attr-defined]  # the parser re compiles with
    except ImportError:  # Python < 3.11
        import sre_parse as _parser
    shortest: int = _parser.parse(fast.pattern, fast.flags).getwidth()[0]
    return shortest == 0


# On ASCII text the Unicode classes of a pre-tokenizer regex are these sets (White_Space has no other ASCII
# member: not \x1c-\x1f, which Python's own re would take for \s), so the same regex in Python's re, about
# twice as fast, splits ASCII segments the same way.
_ASCII_CLASSES = {"p{L}": "A-Za-z", "p{N}": "0-9", "s": "\\t\\n\\x0b\\x0c\\r "}
_ASCII_ESCAPE = re.compile(r"\\(p\{[A-Za-z]+\}|P\{[A-Za-z]+\}|.)", re.DOTALL)


def ascii_pattern(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` for ASCII-only text in Python's re, or None when it uses a construct not translated here.

    Only ``\\p{L}``, ``\\p{N}``, ``\\s`` and ``\\S`` depend on Unicode in the pre-tokenizer regexes; each
    becomes its ASCII set, inside a class or as one. Any other class escape (``\\w``, ``\\d``, ``\\b``,
    another property) gives None, and the segment keeps the ``regex`` module.
    """
    out: list[str] = []
    in_class = False
    at = 0
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            match = _ASCII_ESCAPE.match(pattern, at)
            if match is None:
                return None
            name = match.group(1)
            if name in _ASCII_CLASSES:
                out.append(_ASCII_CLASSES[name] if in_class else f"[{_ASCII_CLASSES[name]}]")
            elif name == "S" and not in_class:
                out.append(f"[^{_ASCII_CLASSES['s']}]")
            elif name[0] in "pPSwWdDbBhHvVRXNKGz" or name.isdigit():
                return None  # Unicode-dependent, a backreference or a construct re lacks
            else:
                out.append(match.group())
            at = match.end()
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            at += 1
            for opening in ("^", "]"):  # a leading ^ negates; a ] right after the opening is literal
                if pattern.startswith(opening, at):
                    out.append(opening)
                    at += 1
            continue
        if char == "[":
            return None  # a nested class (set operations in regex): not translated
        in_class = in_class and char != "]"
        out.append(char)
        at += 1
    try:
        return re.compile("".join(out), re.ASCII)
    except re.error:
        return None


def piece_encoder(tokenizer: tokenizers.Tokenizer) -> tuple[PieceEncoder | None, str]:
    """A :class:`PieceEncoder` for ``tokenizer``, or None and the first reason it does not qualify."""
    reason = _unsupported(tokenizer)
    if reason:
        return None, reason
    pattern = _pattern(_state(tokenizer.pre_tokenizer))
    if pattern is None:
        return None, "the pre-tokenizer is not a byte-level one this encoder reproduces"
    added = [token.content for token in tokenizer.get_added_tokens_decoder().values()]
    return PieceEncoder(tokenizer, pattern, added), ""


def _state(component: Any) -> dict[str, Any]:
    """A component's own JSON (what ``tokenizer.json`` holds for it)."""
    if component is None:
        return {}
    state: dict[str, Any] = json.loads(component.__getstate__())
    return state


def _unsupported(tokenizer: tokenizers.Tokenizer) -> str:
    from tokenizers.models import BPE

    model = tokenizer.model
    checks = [
        (tokenizer.normalizer is not None, "it has a normalizer"),
        (tokenizer.truncation is not None or tokenizer.padding is not None, "it truncates or pads"),
        (bool(tokenizer.encode_special_tokens), "it encodes special tokens as text"),
        (not isinstance(model, BPE), "its model is not BPE"),
    ]
    for failed, reason in checks:
        if failed:
            return reason
    assert isinstance(model, BPE)
    if model.dropout or model.continuing_subword_prefix or model.end_of_word_suffix:
        return "its BPE has dropout, a subword prefix or a suffix"
    if any(tokenizer.token_to_id(symbol) is None for symbol in byte_symbols().values()):
        return "its vocabulary lacks some of the 256 byte symbols"
    added = list(tokenizer.get_added_tokens_decoder().values())
    if any(token.lstrip or token.rstrip or token.single_word for token in added):
        return "an added token strips spaces or matches single words only"
    if len({token.normalized for token in added}) > 1:
        return "its added tokens mix normalized and not"
    if not _quiet_processor(_state(tokenizer.post_processor)):
        return "its post-processor moves offsets"
    return ""


def _quiet_processor(state: dict[str, Any]) -> bool:
    kind = state.get("type")
    if kind is None or kind in _QUIET_PROCESSORS:
        return True
    if kind in _TRIMMING_PROCESSORS:
        return not state.get("trim_offsets", True)
    if kind == "Sequence":
        return all(_quiet_processor(step) for step in state.get("processors", []))
    return False


def _pattern(state: dict[str, Any]) -> str | None:
    """The one regex that splits text into pieces, for the pre-tokenizers reproduced here."""
    if _plain_byte_level(state, use_regex=True):
        return BYTE_LEVEL_PATTERN
    steps = state.get("pretokenizers", []) if state.get("type") == "Sequence" else []
    if len(steps) != 2 or not _plain_byte_level(steps[1], use_regex=False):
        return None
    split = steps[0]
    pattern = split.get("pattern", {})
    if (split.get("type") != "Split" or split.get("behavior") != "Isolated" or split.get("invert")
            or not isinstance(pattern, dict) or not isinstance(pattern.get("Regex"), str)):
        return None
    return str(pattern["Regex"])


def _plain_byte_level(state: dict[str, Any], *, use_regex: bool) -> bool:
    return (state.get("type") == "ByteLevel" and not state.get("add_prefix_space", True)
            and bool(state.get("use_regex", True)) == use_regex)

"""Counting a rendered conversation: total tokens and trainable (assistant) tokens.

With a ``tokenizer.json`` the counts are exact: the rendered text is encoded by the
``tokenizers`` library with ``add_special_tokens=False`` (the template already wrote
BOS and the turn markers), as ``apply_chat_template(..., tokenize=True)`` does.
Trainable tokens are those that overlap an assistant span, the rule transformers
uses for ``return_assistant_tokens_mask``. The spans come from the template's
``{% generation %}`` markers when it has them; otherwise from the assistant turns,
located by rendering each prefix of the conversation (see :func:`prefix_spans`).

Without a tokenizer the counts are an estimate (UTF-8 bytes / 4 by default) and are
labelled so everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftlint.hf.pieces import byte_ranges
from ftlint.hf.template import Rendering
from ftlint.tokens import bytes_estimate

if TYPE_CHECKING:
    import tokenizers

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Counted:
    """One example's counts; ``trainable_ranges`` are token index ranges ``[start, end)``, in order."""

    total: int
    trainable: int
    exact: bool
    source: str  # where the trainable spans came from: "generation", "prefix", or "" (none found)
    trainable_ranges: tuple[tuple[int, int], ...] = ()

    def truncation(self, limit: int) -> tuple[int, int, bool]:
        """Cut from the end to ``limit`` tokens: (tokens lost, trainable tokens lost, is the last answer cut)."""
        lost = max(0, self.total - limit)
        if not lost:
            return 0, 0, False
        trainable_lost = sum(max(0, end - max(start, limit)) for start, end in self.trainable_ranges)
        answer_cut = bool(self.trainable_ranges) and self.trainable_ranges[-1][1] > limit
        return lost, trainable_lost, answer_cut


class TokenizerError(ValueError):
    """The tokenizer could not encode a text (the Rust side refuses lone surrogates, for one)."""


class HfTokenizer:
    """A ``tokenizer.json`` loaded with the ``tokenizers`` library (Rust).

    Counting goes through :class:`ftlint.hf.pieces.PieceEncoder` (the same stages,
    memoized per piece) when the tokenizer's configuration is one it reproduces, and
    ``fast=False`` or any other configuration keeps the Rust ``encode``;
    ``fast_reason`` says why not.
    """

    def __init__(self, path: Path, *, fast: bool = True) -> None:
        from tokenizers import Tokenizer

        from ftlint.hf.pieces import piece_encoder

        try:
            self._tokenizer = Tokenizer.from_file(str(path))
        except Exception as exc:  # the Rust side raises plain Exception on a bad file
            raise ValueError(f"cannot load tokenizer {path}: {exc}") from None
        decoder = self._tokenizer.get_added_tokens_decoder()
        self.special_tokens = tuple(sorted(token.content for token in decoder.values() if token.special))
        self._pieces, self.fast_reason = piece_encoder(self._tokenizer) if fast else (None, "not asked")

    @property
    def fast(self) -> bool:
        return self._pieces is not None

    def count(self, text: str, spans: Spans) -> tuple[int, tuple[tuple[int, int], ...]]:
        """The number of tokens of ``text`` and the token ranges that overlap ``spans`` (see :func:`token_ranges`)."""
        lengths = self._pieces.token_bytes(text) if self._pieces is not None else None
        if lengths is None:
            encoding = self.encode(text)
            return len(encoding), token_ranges(encoding, spans) if spans else ()
        return len(lengths), _merge(byte_ranges(text, lengths, spans)) if spans else ()

    def encode(self, text: str) -> tokenizers.Encoding:
        try:
            return self._tokenizer.encode(text, add_special_tokens=False)
        except Exception as exc:  # TypeError for lone surrogates; a Rust panic is an Exception subclass too
            raise TokenizerError(f"the tokenizer cannot encode the rendered text ({type(exc).__name__}: {exc})") \
                from None


def token_ranges(encoding: tokenizers.Encoding, spans: Spans) -> tuple[tuple[int, int], ...]:
    """The token index ranges that overlap ``spans`` (character spans), merged, as transformers masks them.

    A token is masked when it overlaps a span (``start < span_end`` and ``end >
    span_start``); spans and tokens are both in order, so the masked tokens of one
    span are contiguous. The fast path asks the encoding which token holds a span's
    first and last character, then widens over tokens that share those characters
    (a character split across byte-level tokens); empty spans and characters no token
    covers fall back to the offsets.
    """
    ranges: list[tuple[int, int]] = []
    count = len(encoding)
    offsets: list[tuple[int, int]] | None = None
    for start, end in spans:
        first = encoding.char_to_token(start) if end > start else None
        last = encoding.char_to_token(end - 1) if first is not None else None
        if first is None or last is None:
            offsets = offsets if offsets is not None else encoding.offsets
            found = [i for i, (s, e) in enumerate(offsets) if s < end and e > start]
            if not found:
                continue
            first, last = found[0], found[-1]
        while first > 0 and _chars(encoding, first - 1)[1] > start:
            first -= 1
        while last + 1 < count and _chars(encoding, last + 1)[0] < end:
            last += 1
        ranges.append((first, last + 1))
    return _merge(ranges)


def _chars(encoding: tokenizers.Encoding, token: int) -> tuple[int, int]:
    found = encoding.token_to_chars(token)
    return found if found is not None else (0, 0)


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def prefix_spans(messages: Sequence[Any], full: Rendering, render: Callable[..., Rendering]) -> Spans:
    """Assistant spans of a template without ``{% generation %}``: what each assistant turn adds.

    For assistant message *i* (``weight`` not 0), the conversation up to *i*
    rendered with ``add_generation_prompt=True`` ends where the answer starts, and
    the conversation through *i* ends where it stops; the difference is the turn's
    span (the approach of TRL's older completion-only collators). When a template
    renders earlier turns differently in a longer conversation (Qwen3 drops earlier
    reasoning), the span is searched for in the full text after the previous one.
    ``render(n, add_generation_prompt=...)`` renders the first *n* messages
    (:meth:`ftlint.hf.template.Conversation.render`).
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "assistant" or message.get("weight", 1) == 0:
            continue
        before = render(index, add_generation_prompt=True)
        last = index == len(messages) - 1
        through = full if last else render(index + 1, add_generation_prompt=False)
        if not before.ok or not through.ok:
            continue
        if through.text.startswith(before.text) and full.text.startswith(through.text):
            start, end = len(before.text), len(through.text)
        else:
            answer = through.text[_common_prefix(before.text, through.text):]
            found = full.text.find(answer, cursor) if answer else -1
            if found < 0:
                continue
            start, end = found, found + len(answer)
        if end > start:
            spans.append((start, end))
            cursor = end
    return tuple(spans)


def _common_prefix(first: str, second: str) -> int:
    """The length of the longest common prefix, by bisection on slice comparisons (C speed, not a char loop)."""
    low, high = 0, min(len(first), len(second))
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def count_rendering(text: str, spans: Spans, source: str, tokenizer: HfTokenizer | None,
                    estimate: Callable[[str], int] = bytes_estimate) -> Counted:
    """Count a rendered text and its assistant spans, exactly with ``tokenizer``, else as an estimate."""
    if tokenizer is not None:
        total, ranges = tokenizer.count(text, spans)
        return Counted(total, sum(end - start for start, end in ranges), True, source, ranges)
    estimated = tuple((estimate(text[:start]), estimate(text[:end])) for start, end in spans)
    ranges = _merge([r for r in estimated if r[1] > r[0]])
    return Counted(estimate(text), sum(end - start for start, end in ranges), False, source, ranges)

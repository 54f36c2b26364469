"""Per-file totals and distributions. They merge associatively, so chunks and processes can each
compute a part. Distributions are exact histograms (value -> count): memory grows with the number
of distinct values, not of examples."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

_MAX_SYSTEM_PROMPTS = 100_000  # distinct system prompts remembered; beyond it the count is a lower bound


@dataclass
class FileTotals:
    examples: int = 0  # non-blank lines: what providers count as examples
    valid: int = 0  # examples that match their format's schema
    counted: int = 0  # examples whose structure is readable (valid, or with harmless schema problems)
    tokens: int = 0  # sum of per-example token counts of counted examples
    trainable: int = 0  # tokens of assistant output with weight != 0
    billed: int = 0  # sum of min(tokens, training context) over counted examples
    max_example: int = 0
    over_limit: int = 0  # counted examples longer than the training context
    uncounted: int = 0  # counted examples the tokenizer could not count
    image_examples: int = 0  # examples with at least one image
    images: int = 0
    images_uncounted: int = 0  # remote images: their size (and tokens) is unknown, never fetched
    with_system: int = 0  # counted examples with a system (or developer) prompt
    with_tool_calls: int = 0  # counted examples with at least one tool or function call
    system_prompts: set[bytes] = field(default_factory=set)  # digests of distinct system prompts
    tokens_histogram: dict[int, int] = field(default_factory=dict)  # tokens per example -> examples
    messages_histogram: dict[int, int] = field(default_factory=dict)  # messages per example -> examples

    def add_example(self, tokens: int, trainable: int, limit: int | None, billable: bool = True) -> None:
        """``limit`` is the training context (None: unknown, nothing is cut)."""
        limit = tokens if limit is None else limit
        self.tokens += tokens
        self.trainable += trainable
        if billable:  # validation files are not billed
            self.billed += min(tokens, limit)
        self.max_example = max(self.max_example, tokens)
        if tokens > limit:
            self.over_limit += 1
        self.tokens_histogram[tokens] = self.tokens_histogram.get(tokens, 0) + 1

    def add_shape(self, messages: int, system_prompt: bytes | None, tool_calls: bool) -> None:
        self.messages_histogram[messages] = self.messages_histogram.get(messages, 0) + 1
        if system_prompt is not None:
            self.with_system += 1
            if len(self.system_prompts) < _MAX_SYSTEM_PROMPTS:
                self.system_prompts.add(system_prompt)
        self.with_tool_calls += tool_calls

    def __add__(self, other: FileTotals) -> FileTotals:
        merged = FileTotals()
        for name in ("examples", "valid", "counted", "tokens", "trainable", "billed", "over_limit", "uncounted",
                     "image_examples", "images", "images_uncounted", "with_system", "with_tool_calls"):
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        merged.max_example = max(self.max_example, other.max_example)
        merged.system_prompts = set(self.system_prompts) | other.system_prompts
        merged.tokens_histogram = _merge(self.tokens_histogram, other.tokens_histogram)
        merged.messages_histogram = _merge(self.messages_histogram, other.messages_histogram)
        return merged


def _merge(first: dict[int, int], second: dict[int, int]) -> dict[int, int]:
    merged = dict(first)
    for value, count in second.items():
        merged[value] = merged.get(value, 0) + count
    return merged


def describe(histogram: dict[int, int]) -> dict[str, float] | None:
    """min, mean, p50, p95 and max of an exact histogram (None when it is empty)."""
    total = sum(histogram.values())
    if not total:
        return None
    values = sorted(histogram)
    result: dict[str, float] = {"min": values[0], "max": values[-1],
                                "mean": round(sum(v * n for v, n in histogram.items()) / total, 2)}
    for name, share in (("p50", 0.5), ("p95", 0.95)):
        rank, seen = math.ceil(share * total), 0
        for value in values:
            seen += histogram[value]
            if seen >= rank:
                result[name] = value
                break
    return result


def log2_bins(histogram: dict[int, int]) -> list[int]:
    """Counts per power-of-two bin: bin k holds values in [2^k, 2^(k+1)) (bin 0 also holds 0)."""
    bins: list[int] = []
    for value, count in histogram.items():
        index = max(value, 1).bit_length() - 1
        if index >= len(bins):
            bins.extend([0] * (index + 1 - len(bins)))
        bins[index] += count
    return bins


def stats_json(totals: FileTotals) -> dict[str, Any]:
    valid = totals.counted or 1
    return {
        "tokens_per_example": describe(totals.tokens_histogram),
        "messages_per_example": describe(totals.messages_histogram),
        "tokens_log2_histogram": log2_bins(totals.tokens_histogram),
        "system_prompt_share": round(totals.with_system / valid, 4),
        "distinct_system_prompts": len(totals.system_prompts),
        "tool_call_share": round(totals.with_tool_calls / valid, 4),
    }

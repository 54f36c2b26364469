"""Per-file totals. They merge associatively, so chunks and processes can each compute a part."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class FileTotals:
    examples: int = 0  # non-blank lines: what providers count as examples
    valid: int = 0  # examples that match their format's schema
    tokens: int = 0  # sum of per-example token counts of valid examples
    trainable: int = 0  # tokens of assistant output with weight != 0
    billed: int = 0  # sum of min(tokens, training context) over valid examples
    max_example: int = 0
    over_limit: int = 0  # valid examples longer than the training context
    uncounted: int = 0  # valid examples the tokenizer could not count
    image_examples: int = 0  # examples with at least one image
    images: int = 0
    images_uncounted: int = 0  # remote images: their size (and tokens) is unknown, never fetched

    def add_example(self, tokens: int, trainable: int, limit: int, billable: bool = True) -> None:
        self.tokens += tokens
        self.trainable += trainable
        if billable:  # validation files are not billed
            self.billed += min(tokens, limit)
        self.max_example = max(self.max_example, tokens)
        if tokens > limit:
            self.over_limit += 1

    def __add__(self, other: FileTotals) -> FileTotals:
        merged = FileTotals()
        for field in fields(self):
            if field.name == "max_example":
                merged.max_example = max(self.max_example, other.max_example)
            else:
                setattr(merged, field.name, getattr(self, field.name) + getattr(other, field.name))
        return merged

"""Rule selection with ruff's semantics.

Selectors are codes (``FT201``), prefixes (``FT2``), rule names
(``blank-line``) or ``ALL``. Layers apply in order (config, then command
line). In a layer that sets ``select``, the set is rebuilt from it; otherwise
``extend-select`` and ``ignore`` adjust the set before. For each rule, the most
specific matching selector of the layer wins, and ``ignore`` wins a tie.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


class SelectorError(ValueError):
    """A selector matches no known rule."""


@dataclass(frozen=True)
class Layer:
    select: Sequence[str] | None = None
    extend_select: Sequence[str] = field(default_factory=tuple)
    ignore: Sequence[str] = field(default_factory=tuple)


class Selector:
    """Resolves selectors against the known rules: ``codes`` maps code to name."""

    def __init__(self, codes: Mapping[str, str]) -> None:
        self.codes = dict(codes)
        self._by_name = {name: code for code, name in codes.items()}

    def validate(self, selectors: Iterable[str]) -> None:
        for selector in selectors:
            if selector == "ALL" or selector in self._by_name:
                continue
            if not any(code.startswith(selector) for code in self.codes):
                candidates = list(self.codes) + list(self._by_name)
                close = difflib.get_close_matches(selector, candidates, n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise SelectorError(
                    f"unknown rule selector {selector!r}{hint} (see `ftlint rule --all`)"
                )

    def specificity(self, code: str, selectors: Iterable[str]) -> int | None:
        """How specifically the best of ``selectors`` names ``code`` (None: not at all)."""
        best: int | None = None
        for selector in selectors:
            if selector == "ALL":
                score = 0
            elif self._by_name.get(selector) == code:
                score = len(code)
            elif code.startswith(selector):
                score = len(selector)
            else:
                continue
            best = score if best is None or score > best else best
        return best

    def resolve(self, default: Iterable[str], layers: Iterable[Layer]) -> set[str]:
        enabled = set(default)
        for layer in layers:
            for selectors in (layer.select or (), layer.extend_select, layer.ignore):
                self.validate(selectors)
            if layer.select is not None:
                chosen = list(layer.select) + list(layer.extend_select)
                rebuilt = set()
                for code in self.codes:
                    picked = self.specificity(code, chosen)
                    dropped = self.specificity(code, layer.ignore)
                    if picked is not None and (dropped is None or picked > dropped):
                        rebuilt.add(code)
                enabled = rebuilt
                continue
            for code in self.codes:
                picked = self.specificity(code, layer.extend_select)
                dropped = self.specificity(code, layer.ignore)
                if dropped is not None and (picked is None or dropped >= picked):
                    enabled.discard(code)
                elif picked is not None:
                    enabled.add(code)
        return enabled

    def most_specific(self, code: str, table: Mapping[str, object]) -> object | None:
        """The value of the most specific selector in ``table`` that names ``code``."""
        best_score, best_value = -1, None
        for selector, value in table.items():
            score = self.specificity(code, [selector])
            if score is not None and score > best_score:
                best_score, best_value = score, value
        return best_value

"""Rule selection follows ruff: most specific selector wins, ignore wins a tie, layers in order."""

from __future__ import annotations

import pytest

from ftlint.selection import Layer, Selector, SelectorError

CODES = {"FT101": "missing-key", "FT102": "unknown-key", "FT201": "no-assistant-message",
         "FT202": "last-message-not-assistant", "FT301": "example-over-context-limit"}
ALL = set(CODES)


@pytest.fixture
def selector() -> Selector:
    return Selector(CODES)


@pytest.mark.parametrize(("layers", "enabled"), [
    ([], ALL),
    ([Layer(select=["FT2"])], {"FT201", "FT202"}),
    ([Layer(select=["FT201"], ignore=["FT2"])], {"FT201"}),  # more specific select wins
    ([Layer(select=["FT2", "FT201"], ignore=["FT20"])], {"FT201"}),
    ([Layer(select=["FT201"], ignore=["FT201"])], set()),  # a tie goes to ignore
    ([Layer(ignore=["FT1"])], {"FT201", "FT202", "FT301"}),
    ([Layer(ignore=["FT1"], extend_select=["FT101"])], {"FT101", "FT201", "FT202", "FT301"}),
    ([Layer(select=["ALL"], ignore=["unknown-key"])], ALL - {"FT102"}),  # names work as selectors
    ([Layer(select=["FT1"]), Layer(extend_select=["FT301"])], {"FT101", "FT102", "FT301"}),
    ([Layer(select=["FT1"]), Layer(select=["FT2"])], {"FT201", "FT202"}),  # command line replaces config
    ([Layer(ignore=["FT2"]), Layer(extend_select=["FT202"])], {"FT101", "FT102", "FT202", "FT301"}),
])
def test_resolution(selector: Selector, layers: list[Layer], enabled: set[str]) -> None:
    assert selector.resolve(ALL, layers) == enabled


def test_unknown_selector_suggests(selector: Selector) -> None:
    with pytest.raises(SelectorError, match=r"unknown rule selector 'FT2O1'.*did you mean FT201"):
        selector.resolve(ALL, [Layer(select=["FT2O1"])])


def test_most_specific_value(selector: Selector) -> None:
    table = {"FT": "info", "FT2": "warning", "FT201": "error"}
    assert selector.most_specific("FT201", table) == "error"
    assert selector.most_specific("FT202", table) == "warning"
    assert selector.most_specific("FT101", table) == "info"
    assert selector.most_specific("FT101", {"FT2": "x"}) is None

"""ftlint never needs the network: the guard works, and tokens are still counted behind it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from conftest import FIXTURES, NetworkBlocked, run_cli


def test_network_guard_is_active() -> None:
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.com", 443)


def test_token_totals_are_counted_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # An empty tiktoken cache proves the shipped vocabulary is used, not a download or a cache.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty-cache"))
    for model in ("gpt-4o-mini-2024-07-18", "gpt-3.5-turbo-0125"):
        result = run_cli("check", str(FIXTURES / "clean" / "support-chat.jsonl"), "--model", model,
                         "--format", "json", "--ignore", "FT82")  # gpt-3.5 trains no more: the tokens still count
        assert result.exit_code == 0, result.output
        assert '"total": ' in result.output
        assert '"tokens": null' not in result.output

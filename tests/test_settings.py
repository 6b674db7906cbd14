"""Settings from the environment (explorer/settings.py): a whole number or a clear stop."""
from __future__ import annotations

import pytest

from explorer.settings import whole_number_from_env
from explorer.ui import hardening


@pytest.mark.parametrize("value, expected", [(None, 7), ("", 7), ("  ", 7), ("0", 0), ("12", 12), (" 3 ", 3)])
def test_a_whole_number_or_the_default(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("EXPLORER_TEST_SETTING", raising=False)
    else:
        monkeypatch.setenv("EXPLORER_TEST_SETTING", value)
    assert whole_number_from_env("EXPLORER_TEST_SETTING", 7, 0) == expected


@pytest.mark.parametrize("value", ["-1", "two", "1.5", "1e3", "0x10"])
def test_anything_else_stops_with_what_is_allowed(monkeypatch, value):
    monkeypatch.setenv("EXPLORER_TEST_SETTING", value)
    with pytest.raises(SystemExit, match=r"EXPLORER_TEST_SETTING must be a whole number >= 0, got '"):
        whole_number_from_env("EXPLORER_TEST_SETTING", 7, 0)


def test_the_session_cap(monkeypatch):
    monkeypatch.delenv("EXPLORER_MAX_SESSIONS", raising=False)
    assert hardening.max_sessions_from_env() == hardening.DEFAULT_MAX_SESSIONS == 100
    monkeypatch.setenv("EXPLORER_MAX_SESSIONS", "250")
    assert hardening.max_sessions_from_env() == 250
    monkeypatch.setenv("EXPLORER_MAX_SESSIONS", "0")
    with pytest.raises(SystemExit, match="EXPLORER_MAX_SESSIONS must be a whole number >= 1, got '0'"):
        hardening.max_sessions_from_env()

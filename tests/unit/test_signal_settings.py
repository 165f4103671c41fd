"""The availability settings: every signal on by default, each one off by its variable, and a calendar refresh
too frequent for calendar servers refused at start-up with a line naming the variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.availability import SignalSwitches
from config.settings import ConfigError, Settings, load_settings

BASE = {"slack_bot_token": "xoxb-test", "slack_app_token": "xapp-test", "_env_file": None}


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BURST_RESPECT_DND", "BURST_RESPECT_STATUS", "BURST_RESPECT_PRESENCE", "BURST_CALENDAR_REFRESH"):
        monkeypatch.delenv(name, raising=False)


def test_every_signal_is_respected_by_default_and_calendars_are_read_every_quarter_hour() -> None:
    settings = load_settings(Settings, **BASE)
    assert settings.signal_switches == SignalSwitches(dnd=True, status=True, presence=True)
    assert settings.burst_calendar_refresh == timedelta(minutes=15)
    assert not settings.burst_calendar_allow_local


def test_each_signal_is_turned_off_by_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURST_RESPECT_DND", "0")
    monkeypatch.setenv("BURST_RESPECT_PRESENCE", "false")
    settings = load_settings(Settings, **BASE)
    assert settings.signal_switches == SignalSwitches(dnd=False, status=True, presence=False)


def test_a_refresh_under_a_minute_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURST_CALENDAR_REFRESH", "30")
    with pytest.raises(ConfigError, match="BURST_CALENDAR_REFRESH"):
        load_settings(Settings, **BASE)

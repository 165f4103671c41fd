"""The app built by build_app runs every kind of timed action: none would sit in the database unrun."""

from __future__ import annotations

from bot.runtime.timer_kinds import KINDS
from tests.support.in_process import InProcessBurst


def test_every_kind_of_timed_action_has_a_handler(burst: InProcessBurst) -> None:
    assert burst.services.timers.handled() == set(KINDS)

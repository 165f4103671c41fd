"""The routing benchmark's clock: requests are routed at the same hour of a weekday whenever it runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks.routing import MEASURED_HOUR, measured_at


@pytest.mark.parametrize(
    ("real", "expected"),
    [
        (datetime(2026, 11, 25, 15, 30, tzinfo=UTC), datetime(2026, 11, 25, MEASURED_HOUR, tzinfo=UTC)),  # Wednesday
        (datetime(2026, 11, 25, MEASURED_HOUR, tzinfo=UTC), datetime(2026, 11, 25, MEASURED_HOUR, tzinfo=UTC)),
        (datetime(2026, 11, 25, 9, 0, tzinfo=UTC), datetime(2026, 11, 24, MEASURED_HOUR, tzinfo=UTC)),  # before it
        (datetime(2026, 11, 29, 20, 0, tzinfo=UTC), datetime(2026, 11, 27, MEASURED_HOUR, tzinfo=UTC)),  # Sunday
        (datetime(2026, 11, 30, 5, 0, tzinfo=UTC), datetime(2026, 11, 27, MEASURED_HOUR, tzinfo=UTC)),  # Monday early
    ],
)
def test_requests_are_routed_at_the_last_weekday_hour_before_the_run(real: datetime, expected: datetime) -> None:
    assert measured_at(real) == expected

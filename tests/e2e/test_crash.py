"""SIGKILL at random moments during the fault workload, restart, repeat: every request ends in a final state and no
ping, session card or follow-up is doubled. On SQLite, on PostgreSQL, and with two processes on one PostgreSQL.

Burst commits each step and then talks to Slack, so a kill between the two loses that message rather than sending it
twice; such losses are reported in the failure text of the other checks but do not fail this test. The long form is
`python -m benchmarks chaos --crash`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_faults import explain
from tests.support.chaos import ChaosSetup, run_chaos
from tests.support.postgres import ThrowawayPostgres
from tests.support.workload import WorkloadPlan, topic

PLAN = WorkloadPlan(requests=6, requesters=3, mentors=6, step_budget=30)


@pytest.mark.parametrize(
    ("engine", "processes"), [("sqlite", 1), ("postgresql", 1), ("postgresql", 2)], ids=["sqlite", "pg", "pg-x2"]
)
async def test_kills_and_restarts_leave_every_request_final_and_nothing_doubled(
    engine: str, processes: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if engine == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}"
    else:
        server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
        url = server.new_database(f"crash_{processes}")
    setup = ChaosSetup(
        PLAN, url, tmp_path, fault_rate=0.10, mode="events", processes=processes, kills=3, kill_every=(3.0, 6.0)
    )
    result = await run_chaos(setup)
    verdict = result.verdict

    assert result.kills == 3, explain(result)
    assert result.seen.acked == {topic(n) for n in range(PLAN.requests)}, explain(result)  # everyone got through
    assert set(verdict.states) <= {"matched", "expired", "cancelled"}, explain(result)
    assert (verdict.stuck, verdict.duplicates) == ([], []), explain(result)
    assert result.unfinished == 0, explain(result)
    # Retries after a 429 waited their Retry-After (bar those whose process a kill cut short while it waited).
    assert [r for r in result.rate_limits_waited_out() if r.waited is not None and not r.honoured] == []

"""Through a Slack that fails one Web API call in ten, every flow finishes once: nothing lost, nothing sent twice.

The fault proxy (tests/support/fault_proxy.py) answers 429 with Retry-After, 500, 503, drops connections and answers
slowly; the workload (tests/support/workload.py) asks, answers pings, lets sessions run out and answers follow-ups;
the invariants (tests/support/invariants.py) are checked against Burst's database and local-slack's log. This is the
short form of `python -m benchmarks chaos`.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.chaos import ChaosResult, ChaosSetup, run_chaos
from tests.support.fault_proxy import FAILING
from tests.support.workload import WorkloadPlan

PLAN = WorkloadPlan(requests=12, requesters=6, mentors=8, step_budget=40)


def explain(result: ChaosResult) -> str:
    tails = "\n".join(f"--- {path.name}\n" + "\n".join(path.read_text().splitlines()[-15:]) for path in result.logs)
    return f"{result.verdict.summary()}\nfaults: {result.faults.injected_by_kind()}\n{tails}"


async def test_every_flow_finishes_once_through_a_slack_that_fails_one_call_in_ten(tmp_path: Path) -> None:
    setup = ChaosSetup(PLAN, f"sqlite+aiosqlite:///{tmp_path / 'burst.db'}", tmp_path, fault_rate=0.10, mode="socket")
    result = await run_chaos(setup)
    verdict, faults = result.verdict, result.faults

    assert (verdict.stuck, verdict.lost, verdict.duplicates) == ([], [], []), explain(result)
    assert verdict.requests == PLAN.requests, explain(result)
    assert verdict.flows_completed == verdict.states["matched"] > 0, explain(result)
    assert result.seen.gave_up == {}, explain(result)

    # The proxy really failed calls, and every failed attempt came back: Burst retried each one.
    injected = faults.injected_by_kind()
    assert faults.failures >= 10, injected
    assert {kind: faults.retries[kind] for kind in FAILING} == {kind: injected[kind] for kind in FAILING}
    # Each retry after a 429 waited at least the Retry-After it was given.
    assert faults.rate_limits, "no 429 was injected: the Retry-After check would prove nothing"
    assert [(r.retry_after, r.waited) for r in faults.early_429] == []

"""The labelled sets the matching benchmark reads: every label names a skill a mentor of that workspace holds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.matching import DATA
from bot.domain.skills import normalise_skill

SETS = sorted(p.parent for p in DATA.parent.glob("*/requests.yaml"))


def test_the_project_keeps_a_labelled_set_and_other_workspaces() -> None:
    assert DATA in SETS
    assert len(SETS) >= 4  # the labelled set, and workspaces it was not fitted on


@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_every_right_skill_is_held_by_a_mentor_of_that_workspace(folder: Path) -> None:
    mentors = yaml.safe_load((folder / "mentors.yaml").read_text(encoding="utf-8"))["mentors"]
    requests = yaml.safe_load((folder / "requests.yaml").read_text(encoding="utf-8"))["requests"]
    held = {normalise_skill(str(s["skill"])) for m in mentors for s in m["skills"]}
    assert len({m["id"] for m in mentors}) == len(mentors)
    unheld = [(r["text"], s) for r in requests for s in r.get("right") or () if normalise_skill(str(s)) not in held]
    assert unheld == []
    assert all(str(r["text"]).strip() and r.get("split") for r in requests)
    answerable = [r for r in requests if r.get("right")]
    assert len(answerable) >= 100
    assert len(requests) - len(answerable) >= 45


def test_the_labelled_set_is_as_large_as_the_matching_measure_needs() -> None:
    requests = yaml.safe_load((DATA / "requests.yaml").read_text(encoding="utf-8"))["requests"]
    unanswerable = [r for r in requests if not r.get("right")]
    assert len(requests) >= 300
    assert len(unanswerable) >= 50
    assert len({r["domain"] for r in requests if r.get("right")}) >= 15
    assert {"tune", "holdout"} <= {r["split"] for r in requests}

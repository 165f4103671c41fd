"""The matching benchmark reads a set however its writer listed skills: another team's set runs as written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from benchmarks.matching import _listed, held_skills, right_skills, run
from storage.models import SkillLevel


@pytest.mark.parametrize(
    "skills",
    [
        [{"skill": "Go", "level": "expert"}, {"skill": "kubernetes"}],
        [{"name": "Go", "level": "EXPERT"}, {"name": "kubernetes", "level": "beginner"}],
        ["Go:expert", "kubernetes"],
        "Go:expert, kubernetes",
        {"Go": "expert", "kubernetes": "peer"},
    ],
)
def test_a_mentors_skills_read_from_any_usual_shape(skills: object) -> None:
    assert held_skills({"id": "U1", "skills": skills}) == [("Go", SkillLevel.EXPERT), ("kubernetes", SkillLevel.PEER)]


def test_a_skill_name_with_a_colon_that_is_not_a_level_keeps_it() -> None:
    assert held_skills({"skills": ["c++:17", ""]}) == [("c++:17", SkillLevel.PEER)]
    assert held_skills({"id": "U2"}) == []


@pytest.mark.parametrize(
    ("request_", "right"),
    [
        ({"text": "goroutine leak", "right": ["Go", "kubernetes"]}, {"go", "kubernetes"}),
        ({"text": "goroutine leak", "right": "go, kubernetes"}, {"go", "kubernetes"}),
        ({"text": "my landlord keeps the deposit", "right": []}, set()),
        ({"text": "my landlord keeps the deposit"}, set()),
        ({"text": "a p-value", "right": 3}, {"3"}),
    ],
)
def test_the_right_skills_of_a_request(request_: dict[str, object], right: set[str]) -> None:
    assert right_skills(request_) == right


def test_a_file_is_a_list_under_its_key_or_the_list_itself(tmp_path: Path) -> None:
    under = tmp_path / "under.yaml"
    under.write_text("mentors:\n  - {id: U1, skills: [go]}\n", encoding="utf-8")
    bare = tmp_path / "bare.yaml"
    bare.write_text("- {id: U1, skills: [go]}\n", encoding="utf-8")
    assert _listed(under, "mentors") == _listed(bare, "mentors") == [{"id": "U1", "skills": ["go"]}]
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("people: 3\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="expected a list of mentors"):
        _listed(wrong, "mentors")
    texts = tmp_path / "texts.yaml"
    texts.write_text("- my landlord keeps the deposit\n", encoding="utf-8")
    assert _listed(texts, "requests") == [{"text": "my landlord keeps the deposit"}]
    with pytest.raises(SystemExit, match="each of the mentors is a mapping"):
        _listed(texts, "mentors")


async def test_a_set_without_splits_counts_each_request_once(tmp_path: Path) -> None:
    (tmp_path / "mentors.yaml").write_text("- {id: U1, skills: 'go:expert'}\n- {id: U2, skills: [statistics]}\n")
    (tmp_path / "requests.yaml").write_text(
        "- {text: goroutine leak in our worker pool, right: go}\n"
        "- {text: is this p-value significant, right: [statistics]}\n"
        "- {text: my landlord keeps the deposit}\n"
        "- {text: knitting a scarf for my dad, right: [go]}\n"
    )
    scores = await run(Console(file=io.StringIO()), tmp_path, show_misses=True, model=False)
    assert [s.name for s in scores] == ["all"]
    (only,) = scores
    assert (only.answerable, only.unanswerable, only.hits) == (3, 1, 2)
    assert [miss.split(":")[1] for miss in only.misses] == [" 'knitting a scarf for my dad' wants ['go']; read "]

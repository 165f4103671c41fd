"""Each skill's names and terms as one bag of words, weighed against a topic's words (bot.domain.word_bags)."""

from __future__ import annotations

import marshal

import pytest

from bot.domain.matching import stem_phrase
from bot.domain.phrases import content_words
from bot.domain.word_bags import FROM, FULL, TOP, WEIGHT, WordBags, build_bags, read_bags

ROWS = [
    ("airflow", ["airflow", "backfill a dag", "backfill job", "dag run failed", "daily load failed", "task retries"]),
    ("data warehouse", ["data warehouse", "warehouse costs", "slow warehouse query", "load data into the warehouse"]),
    ("hiring", ["hiring", "backfill a role", "job description", "interview loop", "offer declined", "sourcing"]),
    ("excel", ["excel", "vlookup", "pivot table", "conditional formatting", "spreadsheet formula"]),
    ("go", ["go", "goroutine leak", "worker pool", "channel deadlock", "go mod tidy"]),
    # Many bags use "failed" and "data": a word every skill uses says little about any one.
    *[(f"skill {n}", [f"job {n} failed", f"data {n} failed", f"thing {n}"]) for n in range(20)],
]


@pytest.fixture(scope="module")
def bags() -> WordBags:
    return build_bags(ROWS, stem_phrase)


def test_the_words_of_one_skill_spread_over_a_topic_read_as_that_skill(bags: WordBags) -> None:
    topic = "backfill the daily load after the dag run failed, task retries keep piling up"
    read = read_bags(content_words(topic), bags)
    assert read[0][0] == "airflow"
    assert read[0][2].startswith("uses its words ")
    # One word the hiring bag shares ("backfill") is not enough to lead.
    assert all(skill != "hiring" for skill, _, _ in read[:1])


def test_a_bag_never_counts_for_more_than_its_weight(bags: WordBags) -> None:
    topic = content_words("goroutine leak in the worker pool, channel deadlock, go mod tidy")
    read = read_bags(topic, bags)
    assert read[0][:2] == ("go", WEIGHT)
    assert all(0 <= score <= WEIGHT for _, score, _ in read)
    assert len(read) <= TOP


def test_words_every_skill_uses_read_as_no_skill(bags: WordBags) -> None:
    assert read_bags(content_words("data failed again"), bags) == []
    assert max(bags.scores(["data", "fail"])) < FROM


def test_a_score_between_from_and_full_counts_in_proportion() -> None:
    bags = build_bags(ROWS, stem_phrase)
    between = 0
    for topic in (["vlookup"], ["vlookup", "pivot"], ["vlookup", "pivot", "formula", "spreadsheet", "conditional"]):
        score = float(bags.scores([stem_phrase(w) for w in topic])[bags.skills.index("excel")])
        read = dict((s, c) for s, c, _ in read_bags(topic, bags))
        between += FROM < score < FULL
        if score <= FROM:
            assert "excel" not in read
        else:
            assert read["excel"] == round(WEIGHT * min(1.0, (score - FROM) / (FULL - FROM)), 3)
    assert between, "one of the topics scores between FROM and FULL"


def test_skills_the_file_lacks_are_weighed_on_the_files_scale(bags: WordBags) -> None:
    # A workspace's "golang", borrowing go's terms, reads a topic as surely as the file's own go does.
    extra = build_bags([("golang", ROWS[4][1])], stem_phrase, like=bags)
    words = content_words("goroutine leak in the worker pool, channel deadlock")
    topic = [stem_phrase(w) for w in words]
    assert extra.scores(topic)[0] == pytest.approx(bags.scores(topic)[bags.skills.index("go")])
    read = read_bags(words, bags, extra)
    assert {skill for skill, _, _ in read[:2]} == {"go", "golang"}


def test_the_bags_are_kept_as_plain_values_and_read_back_alike(bags: WordBags) -> None:
    back = WordBags.from_state(marshal.loads(marshal.dumps(bags.state())))
    assert back.state() == bags.state()
    topic = content_words("backfill the daily load after the dag run failed")
    assert read_bags(topic, back) == read_bags(topic, bags)


def test_no_bags_and_no_words_read_as_nothing() -> None:
    empty = build_bags([], stem_phrase)
    assert read_bags(["anything"], empty) == []
    assert read_bags([], build_bags(ROWS, stem_phrase)) == []

"""The combined matcher with the real embedding model and knowledge file: verdicts, confidence, evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import yaml

from benchmarks.matching import DATA
from bot.domain.embedding import shared_embedder
from bot.domain.evidence import EvidenceIndex, EvidenceItem, EvidenceKind, clean_about, embed_item
from bot.domain.knowledge import Knowledge, knowledge, parse_knowledge
from bot.domain.matching import SkillMatch
from bot.domain.phrases import content_words, term_windows, topic_clauses
from bot.domain.term_index import build_index, skill_rows, term_hits
from bot.domain.understanding import Understander, Verdict

VOCABULARY = frozenset(
    {"go", "python", "statistics", "a/b testing", "security", "kubernetes", "aws", "css", "accounting", "contracts",
     "hiring", "excel", "monitoring", "machine learning", "terraform"}
)  # fmt: skip
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def understander() -> Understander:
    assert shared_embedder() is not None, "the embedding model ships in a package and must load offline"
    return Understander(shared_embedder())


@pytest.mark.parametrize(
    ("topic", "skill"),
    [
        ("goroutine leak in our worker pool", "go"),
        ("is this p-value significant", "statistics"),
        ("XSS in a form field", "security"),
        ("EKS cluster autoscaler keeps adding nodes", "kubernetes"),
        ("vlookup returns #N/A", "excel"),
        ("pyhton list comprehension", "python"),  # a typo of a skill name still counts
    ],
)
def test_requests_that_describe_the_problem_route_on_the_skill_it_needs(
    understander: Understander, topic: str, skill: str
) -> None:
    understood = understander.understand(topic, VOCABULARY)
    assert understood.verdict is Verdict.ROUTE, (topic, understood)
    assert understood.skills[0].skill == skill, understood.skills


@pytest.mark.parametrize(
    "topic", ["my landlord keeps the deposit", "knitting pattern for a baby blanket", "best pizza near the office"]
)
def test_a_topic_no_registered_mentor_covers_routes_nowhere(understander: Understander, topic: str) -> None:
    assert understander.understand(topic, VOCABULARY).verdict is Verdict.UNKNOWN


@pytest.mark.parametrize("topic", ["stuff", "help me with", "", "  ", "🙏🙏", "<@U0BOB>", "a quick question", "!!!"])
def test_a_topic_with_nothing_to_read_is_vague(understander: Understander, topic: str) -> None:
    assert understander.understand(topic, VOCABULARY).verdict is Verdict.VAGUE
    assert content_words(topic) == []


def test_any_input_gets_an_answer_without_raising(understander: Understander) -> None:
    for topic in ["x" * 5000, "kubernetes " * 800, "Ich brauche Hilfe mit meiner Steuererklärung", "\u202e\u200b"]:
        understander.understand(topic, VOCABULARY)
    # Hundreds of requests as people write them: every reader's edge (a similarity a hair above its floor) comes up.
    labelled = yaml.safe_load((DATA / "requests.yaml").read_text(encoding="utf-8"))["requests"]
    for request in labelled:
        assert isinstance(understander.understand(str(request["text"]), VOCABULARY).verdict, Verdict)


def test_a_skill_registered_under_another_name_gets_the_knowledge_of_it(understander: Understander) -> None:
    """`monitoring` is another name of observability in the knowledge file: its terms count for a monitoring mentor."""
    assert "monitoring" not in knowledge()
    understood = understander.understand("too many alerts paging us at night, alert fatigue", VOCABULARY)
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == "monitoring"


def test_a_skill_nobody_holds_passes_its_reading_to_a_related_held_skill(understander: Understander) -> None:
    understood = understander.understand("can someone look at this NDA before I sign it", VOCABULARY)
    assert understood.verdict is Verdict.ROUTE
    assert "contracts" in {m.skill for m in understood.skills}


def test_an_unknown_topic_names_the_skill_gap_when_burst_knows_the_skill(understander: Understander) -> None:
    gap = understander.understand("terraform state lock won't release", frozenset({"python"}))
    assert gap.verdict is Verdict.UNKNOWN
    assert gap.gap == "terraform"
    assert understander.gap("tf drift on every plan") == "terraform"


@pytest.mark.parametrize(
    ("topic", "skill"),
    [
        # "warehouse" is a word of warehouse management, "PM" of product management: the rest of the words are the
        # other skill's, which its bag of words weighs together.
        ("we have to backfill three years of daily tasks and the warehouse can't take the load", "airflow"),
        ("our checkout test came out at p = 0.06, can the PM call it significant and ship?", "statistics"),
    ],
)
def test_a_skill_gap_is_named_after_the_skill_most_of_the_words_are_about(
    understander: Understander, topic: str, skill: str
) -> None:
    assert understander.gap(topic) == skill
    unmet = understander.understand(topic, frozenset({"excel"}))
    assert unmet.verdict is Verdict.UNKNOWN
    assert unmet.gap == skill


@pytest.mark.parametrize(
    ("topic", "word"),
    [
        ("my ball python won't eat frozen mice, it's been 3 weeks", "python"),
        ("what gap for the spark plugs on a lawnmower", "spark"),
        ("my guitar amp squeals with feedback whenever I turn it up", "feedback"),
        ("anyone finished the kafka novel for book club yet?", "kafka"),
        ("the sailboat helm gets stiff when we heel over", "helm"),
        ("can we still see the giant pandas at the zoo on saturday", "pandas"),
    ],
)
def test_a_skill_name_meaning_something_else_outside_work_pings_nobody(
    understander: Understander, topic: str, word: str
) -> None:
    held = VOCABULARY | {word}
    understood = understander.understand(topic, held)
    assert understood.verdict is Verdict.UNKNOWN, understood
    assert understood.gap is None  # life outside work is unmet demand, not a skill gap named after the word
    # The same name in a question about work still routes on it.
    assert understander.understand(f"{word} question: our build broke after the upgrade", held).verdict is Verdict.ROUTE


@pytest.mark.parametrize(
    ("topic", "name"),
    [
        ("the wine maven at the party said this merlot pairs with lamb", "maven"),
        ("a tableau of the nativity scene for the kids' christmas pageant", "tableau"),
        ("doctor said my selenium levels are low, which foods have more of it", "selenium"),
        ("reading about kronos and the titans for my greek myths class", "kronos"),
    ],
)
def test_a_name_that_is_no_common_word_is_asked_about_when_the_rest_reads_as_life(
    understander: Understander, topic: str, name: str
) -> None:
    """Rarer words than "java" or "python" have other senses too: with the rest of the topic about life outside work
    and nothing in it pointing to the skill, the name alone is a guess, not a reason to ping anyone."""
    held = VOCABULARY | {name}
    assert understander.understand(topic, held).verdict is not Verdict.ROUTE
    assert understander.understand(f"{name} question: our build broke after the upgrade", held).verdict is Verdict.ROUTE


def test_an_error_code_is_found_as_written_not_by_a_code_that_looks_like_it(understander: Understander) -> None:
    held = VOCABULARY | {"rust"}
    assert understander.understand("cannot borrow as mutable, error E0502", held).skills[0].skill == "rust"
    near_code = understander.understand("the office coffee machine shows error E05, who fixes that?", held)
    assert "rust" not in {m.skill for m in near_code.skills}, near_code


@pytest.mark.parametrize("name", ["depends_on", "event.target", "max_connections"])
def test_a_name_written_as_code_from_english_words_is_found_only_written_that_way(name: str) -> None:
    known = Knowledge(parse_knowledge({"docker": {"terms": [name]}}))
    reader = Understander(None, known=known)
    held = frozenset({"docker"})
    assert reader.understand(f"our {name} is ignored after the upgrade", held).skills[0].skill == "docker"
    english = name.replace("_", " ").replace(".", " ")
    assert reader.understand(f"whether we ship {english} the review", held).verdict is Verdict.UNKNOWN


def test_a_name_in_camel_case_is_also_read_as_its_words() -> None:
    known = Knowledge(parse_knowledge({"aws": {"terms": ["access denied"]}, "nginx": {"terms": ["bad gateway"]}}))
    reader = Understander(None, known=known)
    held = frozenset({"aws", "nginx"})
    assert reader.understand("AccessDenied on GetObject from the worker", held).skills[0].skill == "aws"
    assert reader.understand("BadGateway after the deploy", held).skills[0].skill == "nginx"


@pytest.mark.parametrize("notation", ["p=0.04", "p < .05", "P<=0,01", "p = 0.06"])
def test_a_p_value_written_as_notation_reads_as_a_p_value(understander: Understander, notation: str) -> None:
    understood = understander.understand(f"test ran 5 days, {notation}, can we ship it?", VOCABULARY)
    assert understood.verdict is Verdict.ROUTE, understood
    assert understood.skills[0].skill == "statistics", understood


def test_a_skill_read_by_embeddings_alone_is_asked_about_not_routed() -> None:
    known = Knowledge(parse_knowledge({"email marketing": {"terms": ["esp", "esp migration"]}}))
    reader = Understander(shared_embedder(), known=known)
    held = frozenset({"email marketing"})
    near = reader.understand("our esp32 board won't flash", held)  # "esp32" embeds near "esp", no word of it
    assert near.verdict is Verdict.CLARIFY, near
    assert [m.skill for m in near.skills] == ["email marketing"]
    assert reader.understand("moving to a new esp next month", held).verdict is Verdict.ROUTE


def test_life_outside_work_still_reaches_a_mentor_who_wrote_they_help_with_it(understander: Understander) -> None:
    embedder = shared_embedder()
    about = "I can help with ball pythons, geckos and vivarium heating"
    index = EvidenceIndex([embed_item(EvidenceItem("U0REPTILES", EvidenceKind.ABOUT, about, NOW), embedder)], NOW)
    found = understander.understand("my ball python won't eat frozen mice", VOCABULARY | {"python"}, index)
    assert found.verdict is Verdict.ROUTE, found
    assert [m.member_id for m in found.mentors] == ["U0REPTILES"]


def test_a_mentors_own_words_and_past_sessions_find_them(understander: Understander) -> None:
    embedder = shared_embedder()
    about, leak = "I can help with experiment design, sample sizes and readouts", "goroutine leak in the worker pool"
    items = [
        EvidenceItem("U0ABOUT", EvidenceKind.ABOUT, about, NOW),
        EvidenceItem("U0HELPED", EvidenceKind.HELPED, leak, NOW),
        EvidenceItem("U0OLD", EvidenceKind.HELPED, leak, NOW - timedelta(days=720)),
    ]
    index = EvidenceIndex([embed_item(i, embedder) for i in items], NOW)
    found = understander.understand("how do I pick sample sizes for a test", frozenset(), index)
    assert [m.member_id for m in found.mentors][:1] == ["U0ABOUT"]
    assert found.mentors[0].why == "your profile mentions sample sizes"
    helped = understander.understand("another goroutine leak, this time in the scheduler", frozenset(), index)
    scores = {m.member_id: m.score for m in helped.mentors}
    assert scores["U0HELPED"] > scores.get("U0OLD", 0.0), "evidence fades with age"
    assert "you helped" in helped.mentors[0].why
    assert "goroutine" not in helped.mentors[0].why  # nobody's topic is quoted to someone else


def test_without_the_model_matching_still_reads_names_and_terms() -> None:
    lexical_only = Understander(None)
    assert not lexical_only.semantic
    assert lexical_only.understand("goroutine leak in our worker pool", VOCABULARY).skills[0].skill == "go"
    assert lexical_only.understand("my landlord keeps the deposit", VOCABULARY).verdict is Verdict.UNKNOWN


def test_about_texts_are_cleaned_and_bounded() -> None:
    assert clean_about("  I help with <@U123|sam>'s  SQL &amp; dbt\u200b\n") == "I help with sam's SQL & dbt"
    with pytest.raises(ValueError, match="keep it to 300"):
        clean_about("x" * 301)


@pytest.mark.parametrize(
    ("topic", "term"),
    [
        ("latest row per customer, GROUP BY isn't enough", "group by"),
        ("postgres says too many connections again", "too many connections"),
        ("which version is in my package.json", "package.json"),
        ("the cron script won't run on the box", "script won't run"),
        ("one slow query on the orders page", "slow query"),
        ("the DB_POOL_SIZE setting", "db_pool_size"),
    ],
)
def test_a_term_is_found_however_its_words_begin_end_or_join(topic: str, term: str) -> None:
    """Terms are split and stemmed as topics are, so one that starts or ends on a common word ("group by"), holds
    punctuation or an apostrophe, or names a filler word ("query") is still found word for word."""
    known = Knowledge(parse_knowledge({"sql": {"terms": [term]}, "excel": {"terms": ["pivot table"]}}))
    understood = Understander(None, known=known).understand(topic, frozenset({"sql", "excel"}))
    assert understood.skills[:1] == [SkillMatch("sql", understood.skills[0].score, f"mentions {term}")], understood


def test_an_everyday_word_inside_a_longer_term_is_a_weak_hint_however_it_stems() -> None:
    """ "family" stems to "famili", which is no English word: how common a word is must be read off the word itself,
    or every everyday word inside a longer term would hint at its skill as strongly as a rare one."""
    known = Knowledge(parse_knowledge({"pricing": {"terms": ["family plan pricing", "freemium tier"]}}))
    reader = Understander(None, known=known)
    assert reader.understand("we talked about the family yesterday", frozenset({"pricing"})).verdict is Verdict.UNKNOWN
    assert reader.understand("is a freemium model right for us", frozenset({"pricing"})).skills[0].skill == "pricing"


@pytest.mark.parametrize(
    "topic",
    ["our dashboards are always green while customers see errors", "need a heartbeat check for the nightly job"],
)
def test_a_skill_under_another_name_reads_a_topic_as_the_known_skill_does(
    understander: Understander, topic: str
) -> None:
    """`monitoring` borrows observability's terms (read off the knowledge file's own embedded columns, not embedded
    again): every reader, the embeddings included, gives it what it gives observability."""
    as_known = understander.understand(topic, frozenset({"observability", "python"})).skills
    as_other = understander.understand(topic, frozenset({"monitoring", "python"})).skills
    assert [m.skill for m in as_known[:1]] == ["observability"]
    assert [m.skill for m in as_other[:1]] == ["monitoring"]
    assert (as_other[0].score, as_other[0].reason) == (as_known[0].score, as_known[0].reason)


_NAMES = Knowledge(
    parse_knowledge(
        {
            "financial modeling": {"terms": ["dcf", "three statement model"]},
            "performance reviews": {"also": ["appraisals"], "terms": ["perf reviews", "calibration meeting"]},
            "contracts": {"terms": ["contract review", "indemnity clause"]},
            "postgresql": {"also": ["postgres"], "terms": ["vacuum", "wal"]},
            "loom weaving": {"also": ["weaving"], "terms": ["warp thread"]},
            "basket weaving": {"also": ["weaving"], "terms": ["wicker"]},
            "budgeting": {"terms": ["month end", "variance"]},
            "accounting": {"terms": ["month end", "ledger"]},
            "rest api": {"terms": ["put vs patch"]},
            "api design": {"terms": ["api versioning"]},
            "terms and conditions": {"terms": ["governing law"]},
        }
    )
)


@pytest.mark.parametrize(
    ("registered", "entry"),
    [
        ("financial models", "financial modeling"),  # another inflection of the entry's name
        ("perf reviews", "performance reviews"),  # a term of that entry alone
        ("contract review", "contracts"),
        ("postgresql databases", "postgresql"),  # an unknown name with one entry's name inside it
    ],
)
def test_a_skill_registered_under_a_name_of_its_own_answers_to_the_entry_it_names(registered: str, entry: str) -> None:
    found = _NAMES.entry_for(registered)
    assert found.skill == registered
    assert set(_NAMES.entries[entry].names) <= set(found.names)
    assert found.terms == _NAMES.entries[entry].terms


def test_a_name_two_entries_could_mean_takes_neither_name() -> None:
    # "month end" is a term of budgeting and of accounting: it shares their terms but answers to neither's name.
    shared = _NAMES.entry_for("month end")
    assert shared.names == ("month end",)
    assert set(shared.terms) == {"month end", "variance", "ledger"}
    # "weaving" names two entries, so a name built on it is known by its own name only.
    assert _NAMES.entry_for("weaving for beginners").names == ("weaving for beginners",)
    assert _NAMES.entry_for("deep sea fishing").terms == ()


def test_a_name_whose_parts_are_not_all_names_of_entries_is_one_skill() -> None:
    # "terms & conditions" is the entry "terms and conditions", not the skills "terms" and "conditions".
    assert _NAMES.entry_for("terms & conditions").terms == ("governing law",)
    # Two terms are not two skills: nothing is known of the name, and no part of it becomes a name.
    assert _NAMES.entry_for("indemnity clause and wal").names == ("indemnity clause and wal",)


@pytest.mark.parametrize(
    "registered", ["postgres / contracts", "postgres & contracts", "postgres, contracts", "postgresql/contracts"]
)
def test_a_name_listing_several_skills_answers_to_each(registered: str) -> None:
    found = _NAMES.entry_for(registered)
    assert {"postgres", "postgresql", "contracts"} <= set(found.names)
    assert set(found.terms) == {"vacuum", "wal", "contract review", "indemnity clause"}


def test_a_name_holding_two_entries_names_of_two_words_answers_to_both() -> None:
    found = _NAMES.entry_for("rest api design")
    assert {"rest api", "api design"} <= set(found.names)
    assert set(found.terms) == {"put vs patch", "api versioning"}
    # Short words either side of a slash are one name ("ci/cd", "tcp/ip", "a/b testing"): looked up whole.
    assert _NAMES.entry_for("pg/wal").terms == ()


def test_a_mentor_registered_under_a_term_of_a_skill_is_reached_through_its_related_skills(
    understander: Understander,
) -> None:
    """An NDA question reaches a mentor who wrote "contract review" (a term of contracts) as it reaches a contracts
    mentor: they answer to the contracts entry's names, so the ndas entry's related skills find them."""
    topic = "can someone look at this NDA before I sign it"
    understood = understander.understand(topic, frozenset({"contract review"}))
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == "contract review"


@pytest.mark.parametrize(
    "topic",
    ["how big should the training set be for a classifier", "perfect on the training set, useless on the holdout"],
)
def test_a_work_phrase_that_stems_like_a_hobby_is_work(understander: Understander, topic: str) -> None:
    """ "training set" stems as "train set" does: no term of life outside work may be a work phrase stemmed."""
    understood = understander.understand(topic, VOCABULARY)
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == "machine learning"
    assert (
        understander.understand("our kid's wooden train set is missing a bridge", VOCABULARY).verdict is Verdict.UNKNOWN
    )


@pytest.mark.parametrize(
    ("held", "life", "work"),
    [
        (
            "onboarding new hires",
            "onboarding a shy rescue kitten with our old cat",
            "onboarding plan for the new nurses",
        ),
        ("onboarding new hires", "onboarded a shy rescue kitten, how long until it settles", "new nurses onboarded"),
        ("scrum master", "the scrum at the school gate at pickup is chaos", "our scrum ceremonies take all week"),
        ("docker", "tomatoes in containers on the balcony keep splitting", "our containers restart every few minutes"),
    ],
)
def test_a_name_a_held_skill_answers_to_is_read_as_a_name_not_a_term(
    understander: Understander, held: str, life: str, work: str
) -> None:
    """A mentor who registered "onboarding new hires" answers to the onboarding entry's names, and one who
    registered "docker" to "containers": each is found as one of the skill's terms, and a word like any name, read
    with the words around it."""
    assert understander.understand(life, frozenset({held})).verdict is not Verdict.ROUTE
    understood = understander.understand(work, frozenset({held}))
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == held


def test_a_word_derived_from_a_word_of_life_outside_work_is_not_life(understander: Understander) -> None:
    """ "ironically" stems as "ironing" (a chore) does; only the chore's own inflections are the chore."""
    understood = understander.understand("ironically the pipeline only fails on fridays", frozenset({"ci/cd"}))
    assert understood.verdict is Verdict.ROUTE


@pytest.mark.parametrize(
    "topic", ["walk cycle anims slide on the ground", "animations jitter when the game runs in slow-mo"]
)
def test_animation_is_not_anime(understander: Understander, topic: str) -> None:
    """ "animations" and "anime" stem alike: a one-word term of life outside work is found inflected, never in the
    words derived from it, which are often words of work; and "anims" is "anime" inflected, so "anime" is a term only
    in words of its own ("watching anime")."""
    understood = understander.understand(topic, frozenset({"2d animation", "unity"}))
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == "2d animation"


@pytest.mark.parametrize(
    ("topic", "first", "second"),
    [
        ("swiftui view doesn't update", "ios", "fastlane"),  # the general skill's terms: the generalist first
        ("fastlane match can't find the certificates", "fastlane", "ios"),  # the part named: its holder first
        ("flaky end to end tests", "test automation", "cypress"),  # a tie, which the part's name once won
        ("fmla paperwork for an employee", "fmla", "employment law"),
    ],
)
def test_a_held_part_of_a_held_skill_ranks_after_it_unless_the_topic_is_about_the_part(
    understander: Understander, topic: str, first: str, second: str
) -> None:
    """ "fastlane" is a term of ios, and a mentor who registered it answers to ios's terms: both are read alike by a
    question on ios, which the ios mentor is asked first; both still route, so the part's mentor fills the wave."""
    understood = understander.understand(topic, frozenset({first, second}))
    assert understood.verdict is Verdict.ROUTE
    assert [m.skill for m in understood.skills] == [first, second]


def test_a_skill_nobody_holds_passes_its_reading_to_every_held_skill_answering_to_a_related_name(
    understander: Understander,
) -> None:
    """Held "contracts" and "contract review" both answer to the name contracts: an NDA question reaches both,
    whichever of them a set happens to yield first."""
    topic = "can someone look at this NDA before I sign it"
    understood = understander.understand(topic, frozenset({"contracts", "contract review", "python"}))
    assert {m.skill for m in understood.skills} >= {"contracts", "contract review"}


def test_a_run_of_words_inside_a_longer_term_points_to_its_skill() -> None:
    """ "gradle sync" is most of "gradle sync failed": more than one of its words, less than the whole term."""
    known = Knowledge(parse_knowledge({"android": {"terms": ["gradle sync failed"]}, "java": {"terms": ["jvm"]}}))
    reader = Understander(None, known=known)
    run = reader.understand("gradle sync takes six minutes", frozenset({"android", "java"}))
    word = reader.understand("gradle takes six minutes", frozenset({"android", "java"}))
    assert run.skills[0].skill == "android", run
    assert run.confidence > word.confidence


def test_every_word_of_a_term_found_apart_or_in_another_order_points_to_its_skill() -> None:
    known = Knowledge(parse_knowledge({"kafka": {"terms": ["consumer lag"]}, "sql": {"terms": ["group by"]}}))
    reader = Understander(None, known=known)
    held = frozenset({"kafka", "sql"})
    apart = reader.understand("the lag on our consumer keeps growing", held)
    assert apart.skills[0].skill == "kafka", apart
    # One of the words alone is only a hint.
    assert reader.understand("the lag keeps growing", held).confidence < apart.confidence


@pytest.mark.parametrize(
    ("term", "topic"),
    [
        ("invision", "the banner is invisible on mobile"),
        ("planful", "planning a small wedding"),
        ("sequelize", "a sequel"),
    ],
)
def test_a_tool_name_is_not_found_in_an_english_word_that_stems_like_it(term: str, topic: str) -> None:
    known = Knowledge(parse_knowledge({"figma": {"terms": [term]}}))
    assert Understander(None, known=known).understand(topic, frozenset({"figma"})).verdict is Verdict.UNKNOWN
    # The term itself, and an English term's derived forms, still count.
    assert Understander(None, known=known).understand(f"{term} export", frozenset({"figma"})).skills
    english = Knowledge(parse_knowledge({"ci/cd": {"terms": ["deployments"]}}))
    assert Understander(None, known=english).understand("a deployment stuck", frozenset({"ci/cd"})).skills


@pytest.mark.parametrize(
    ("term", "derived", "inflected"),
    [
        ("relativity", "a relatively small change broke the build", "relativity exports"),
        ("deposition", "how big a deposit for the new office", "depositions next week"),
        ("vulnerability", "feeling vulnerable after the reorg", "vulnerabilities in our base image"),
        ("consul", "visa interview at the consulate", "consuls keep losing leadership"),
        ("scaffolder", "scaffolding a new react app", "the scaffolders start monday"),
        ("containers", "the file containing the config", "a container restarts"),
    ],
)
def test_a_one_word_term_is_found_inflected_not_in_words_derived_from_it(
    term: str, derived: str, inflected: str
) -> None:
    """Stemming joins words of other meanings: "relatively" and "relativity" both stem to "relat"."""
    known = Knowledge(parse_knowledge({"legal": {"terms": [term]}}))
    index = build_index(skill_rows(known, ["legal"]), known, lambda texts: np.zeros((len(texts), 4), np.float32))

    def found(topic: str) -> list[str]:
        return [skill for skill, _, _ in term_hits(index, term_windows(topic_clauses(topic), topic), known)]

    assert found(derived) == []
    assert found(inflected) == ["legal"]


def test_a_term_that_stems_like_the_skills_own_name_does_not_bypass_its_rules() -> None:
    """ "terraformer" stems to "terraform": read as a term, it would find the skill in "terraforming the backyard"."""
    known = Knowledge(parse_knowledge({"terraform": {"terms": ["terraformer", "tfstate"]}}))
    reader = Understander(None, known=known)
    assert reader.understand("terraforming the backyard slope", frozenset({"terraform"})).verdict is Verdict.UNKNOWN
    assert reader.understand("tfstate is locked", frozenset({"terraform"})).verdict is Verdict.ROUTE


@pytest.mark.parametrize(
    ("topic", "held"),
    [
        ("cold showers: real benefits or bro science? thinking of doing 30 days of them", "benefits"),
        ("bedroom has terrible airflow in summer, where should the fan go", "airflow"),
    ],
)
def test_a_name_that_is_also_an_english_word_among_words_of_life_outside_work_does_not_route(
    understander: Understander, topic: str, held: str
) -> None:
    understood = understander.understand(topic, VOCABULARY | {held})
    assert understood.verdict is not Verdict.ROUTE, understood


@pytest.mark.parametrize(
    ("topic", "skill"),
    [
        ("benefits enrollment closes friday, which dental plan should I pick", "benefits"),
        ("airflow: how do I pass a value from one task to the next one?", "airflow"),
        ("is there a simple linux command to see which process is holding port 8080?", "linux"),
    ],
)
def test_the_same_kind_of_name_about_work_routes(understander: Understander, topic: str, skill: str) -> None:
    understood = understander.understand(topic, VOCABULARY | {skill})
    assert understood.verdict is Verdict.ROUTE, understood
    assert understood.skills[0].skill == skill, understood


@pytest.mark.parametrize(
    ("topic", "area"),
    [
        ("our bundle size doubled after the last release", "frontend"),
        ("push notifications stopped arriving on some phones", "mobile"),
        ("deploys take 40 minutes, how do we speed up the pipeline", "devops"),
    ],
)
def test_a_mentor_who_registered_a_broad_area_is_reached_for_its_problems(
    understander: Understander, topic: str, area: str
) -> None:
    """People register "frontend", "mobile dev" or "infra" as often as a single technology."""
    held = frozenset({area, "python", "accounting"})
    understood = understander.understand(topic, held)
    assert understood.verdict is Verdict.ROUTE, understood
    assert understood.skills[0].skill == area
    assert knowledge().entry_for("front-end").names[1] == "frontend"


def test_a_topic_about_a_skill_nobody_holds_asks_rather_than_routing_on_a_word_it_shares(
    understander: Understander,
) -> None:
    """Support tickets breaching their SLA are customer support; "sla" alone reads as contracts. With only contracts
    held, that reading is a guess: the requester is asked, nobody is pinged."""
    topic = "support tickets breaching the first response SLA in zendesk"
    alone = understander.understand(topic, frozenset({"contracts"}))
    assert alone.verdict is Verdict.CLARIFY
    assert [m.skill for m in alone.skills] == ["contracts"]
    both = understander.understand(topic, frozenset({"contracts", "customer support"}))
    assert both.verdict is Verdict.ROUTE
    assert both.skills[0].skill == "customer support"


def test_a_held_skill_related_to_the_one_a_topic_is_about_still_routes(understander: Understander) -> None:
    understood = understander.understand("our kubernetes pods keep getting OOMKilled", frozenset({"docker"}))
    assert understood.verdict is Verdict.ROUTE
    assert [m.skill for m in understood.skills] == ["docker"]


@pytest.mark.parametrize(
    ("topic", "skill"),
    [
        ("prefab overrides keep resetting after I reimport the scene", "unity"),
        ("ADT messages arrive without the PV1 segment", "hl7"),
        ("should we quote this fleet risk or decline it, loss ratio looks ugly", "underwriting"),
    ],
)
def test_skills_of_other_trades_are_known_by_their_problems(understander: Understander, topic: str, skill: str) -> None:
    understood = understander.understand(topic, frozenset({"unity", "hl7", "underwriting", "python", "excel"}))
    assert understood.verdict is Verdict.ROUTE
    assert understood.skills[0].skill == skill


def test_a_name_registered_as_an_ordinary_word_finds_its_entry_and_is_never_a_term(understander: Understander) -> None:
    """Marketers register "copy": it finds copywriting's entry, and "a certified copy" is not a copywriting topic."""
    known = Knowledge(parse_knowledge({"copywriting": {"registered": ["copy"], "terms": ["landing page copy"]}}))
    found = known.entry_for("copy")
    assert found.names == ("copy", "copywriting")
    assert found.terms == ("landing page copy",)
    assert knowledge().entry_for("copy").names[1] == "copywriting"
    for topic in ("can you copy the config file to the new server", "need a copy of my payslip for the mortgage"):
        understood = understander.understand(topic, frozenset({"copywriting", "linux", "excel"}))
        assert "copywriting" not in [m.skill for m in understood.skills]


def test_a_name_of_the_file_that_stems_like_a_common_word_is_not_given_to_a_skill_with_that_word() -> None:
    """Stemmed, "customs" is "custom", as "customer" is: a mentor's "customer research" is not customs clearance."""
    assert knowledge().entry_for("customer research").names == ("customer research",)


def test_a_common_word_of_an_about_line_does_not_route_on_its_own(understander: Understander) -> None:
    """About lines split at commas: "reviews" alone is an English word before it is evidence of anything."""
    embedder = shared_embedder()
    about = "Happy to help with onboarding, reviews and hiring"
    index = EvidenceIndex([embed_item(EvidenceItem("U0PEOPLE", EvidenceKind.ABOUT, about, NOW), embedder)], NOW)
    assert not understander.understand("my sister's restaurant reviews on google are awful", frozenset(), index).mentors
    onboarding = understander.understand("onboarding plan for three juniors starting monday", frozenset(), index)
    assert onboarding.verdict is Verdict.ROUTE
    assert [m.member_id for m in onboarding.mentors] == ["U0PEOPLE"]


def test_a_work_phrase_of_a_mentor_found_in_a_topic_about_life_does_not_route(understander: Understander) -> None:
    """The mentor wrote "AML" about compliance; an aunt's diagnosis is the same letters in another sense."""
    embedder = shared_embedder()
    about = "Happy to help with AML, KYC and sanctions screening"
    index = EvidenceIndex([embed_item(EvidenceItem("U0RISK", EvidenceKind.ABOUT, about, NOW), embedder)], NOW)
    life = understander.understand("my aunt was just diagnosed with AML, any support groups nearby?", VOCABULARY, index)
    assert life.verdict is Verdict.UNKNOWN
    assert not life.mentors
    work = understander.understand("AML alert on a new customer, what do we check first", VOCABULARY, index)
    assert [m.member_id for m in work.mentors] == ["U0RISK"]


def test_a_situation_told_in_several_words_of_one_skill_beats_one_strong_word_of_another(
    understander: Understander,
) -> None:
    """ "backfill" is a term of hiring ("backfill a role") as of orchestration; the rest of the topic is data work."""
    held = frozenset({"hiring", "airflow"})
    read = understander.understand("what's the best way to backfill 2 years of daily data into the warehouse", held)
    assert read.verdict is Verdict.ROUTE, read
    assert read.skills[0].skill == "airflow", read

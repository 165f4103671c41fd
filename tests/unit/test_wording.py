from bot.domain.wording import plural


def test_counts_agree_with_their_noun() -> None:
    assert plural(1, "person", "people") == "1 person"
    assert plural(2, "person", "people") == "2 people"
    assert plural(0, "session") == "0 sessions"
    assert plural(1, "session") == "1 session"
    assert plural(3, "burst") == "3 bursts"

"""Is this Slack message a request for help, and about what?

A DM to the bot or an @mention turns into a request only when it reads like one ("help me with X",
"anyone know X?", "stuck on X"), so small talk ("hello", "thanks!") gets a hint instead of paging mentors.
The topic is kept in the asker's own words: skill matching and the digest decide what it means later.

The grammar is a short list of anchored patterns tried on each sentence, after the parts around a request that
carry no topic are peeled off: Slack markup, greetings ("hey team,"), politeness ("please", "thanks!"),
emoji and surrounding quotes. A request with no subject ("can someone help me?", "help me with this")
is not an intent: the caller answers with a hint that asks for the topic.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["MAX_MESSAGE_LENGTH", "MAX_TOPIC_LENGTH", "HelpIntent", "parse_help_intent"]

MAX_TOPIC_LENGTH = 200
"""The longest topic a request may have, in characters, everywhere in the app. `parse_help_intent` does not
enforce it: the caller tells the person their topic is too long rather than silently cutting it."""

MAX_MESSAGE_LENGTH = 4000
"""Only this much of a message is read: Slack's own advice for one message's text, and far more than a request and
its context. A message is not refused for being longer (the request is usually at the start); the sentence the
limit cuts is left out."""

_MAX_SENTENCE = 2 * MAX_TOPIC_LENGTH
"""The patterns try only this much of a sentence, so none ever backtracks over more; the rest of a longer sentence is
put back after the topic found (`_uncut`), so a long topic is still "too long" rather than silently cut."""
_MAX_SENTENCES = 25
"""Sentences tried, from the start: a request comes early in a message, and each sentence costs every pattern."""


@dataclass(frozen=True)
class HelpIntent:
    topic: str


def parse_help_intent(text: str) -> HelpIntent | None:
    """The help request in a message, or None when the message is not one.

    Every user mention is dropped (the bot's own, and colleagues', since a user ID is never a topic).
    """
    sentences = _sentences(_decode_slack(text[:MAX_MESSAGE_LENGTH]))
    if len(text) > MAX_MESSAGE_LENGTH:
        sentences = sentences[:-1]  # cut part-way: its last words are not the person's
    for sentence in sentences[:_MAX_SENTENCES]:
        topic = _match(_strip_edges(sentence[:_MAX_SENTENCE]), depth=0)
        if topic is not None:
            return HelpIntent(topic if len(sentence) <= _MAX_SENTENCE else _uncut(topic, sentence[_MAX_SENTENCE:]))
    return None


def _uncut(topic: str, rest: str) -> str:
    """The topic of a sentence that was cut, with the words after the cut put back: cleaned again when it may fit
    (the cut can fall inside "help me with", leaving "w" + "ith kafka"), kept whole when it cannot."""
    whole = topic + rest
    if len(whole) > 2 * MAX_TOPIC_LENGTH:
        return whole
    return _clean_topic(whole) or whole


# --- Slack markup and sentence splitting ------------------------------------------------------------------------

_MENTION = re.compile(r"@[UW][A-Z0-9]+(?:\|.*)?", re.DOTALL)
_CHANNEL = re.compile(r"#[A-Z0-9]+(?:\|(?P<name>.*))?", re.DOTALL)


def _decode_slack(text: str) -> str:
    """Slack's wire format as the person saw it, minus mentions and broadcasts (`<!here>`).

    One left-to-right scan: each `<` is paired with the next `>`, found once and remembered, so text full of
    unclosed `<` costs what its length does (a pattern like `<![^>]*>` searched to the end from every `<`).
    """
    out: list[str] = []
    pos = 0
    close = -1
    while (start := text.find("<", pos)) >= 0:
        if close <= start:
            close = text.find(">", start + 1)
            if close < 0:
                break
        decoded = _decode_token(text[start + 1 : close])
        if decoded is None:  # not markup: keep the `<` and look again after it
            out.append(text[pos : start + 1])
            pos = start + 1
            continue
        out.append(text[pos:start])
        out.append(decoded)
        pos = close + 1
    out.append(text[pos:])
    decoded_text = "".join(out).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return decoded_text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")


def _decode_token(token: str) -> str | None:
    """What one `<...>` shows: nothing for a mention or broadcast, `#name` for a channel, a link's label or URL."""
    if _MENTION.fullmatch(token) or token.startswith("!"):
        return " "
    channel = _CHANNEL.fullmatch(token)
    if channel:
        return f"#{channel['name']}" if channel["name"] else " "
    url, _, label = token.partition("|")
    return (label or url) if url else None


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def _sentences(text: str) -> list[str]:
    """Lines, then sentences: a request is often preceded by a greeting or followed by details."""
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part.strip()]


# --- What surrounds a request -----------------------------------------------------------------------------------

_ADDRESSEE = r"(?:there|all|team|folks|everyone|everybody|guys|y'?all|friends|people|@?burst)"
_GREETING = re.compile(
    r"(?:(?:hi+|hey+|hello+|hiya|heya|howdy|yo+|sup|greetings|good\s+(?:morning|afternoon|evening|day)|morning|"
    r"afternoon|evening|ok(?:ay)?|um+|uh+|so|also|please|pls|plz|kindly|dear\s+burst|@\s*burst|burst|"
    r"excuse\s+me|sorry(?:\s+to\s+(?:bother|bug|interrupt|ask)(?:\s+(?:you|everyone|y'?all|all))?)?)"
    rf"(?:\s+{_ADDRESSEE})*(?=$|[\s,!.:;\-–—]+)[\s,!.:;\-–—]*)+",
    re.IGNORECASE,
)
_POLITE = re.compile(
    r"(?:^|[\s,;.!?(]+)(?:please|pls|plz|thanks|thank\s*you|thx|tnx|ty|tia|cheers|many\s+thanks|(?:much\s+)?appreciated|"
    r"appreciate\s+it|(?:thanks|thank\s+you)\s+(?:in\s+advance|a\s+lot|so\s+much|all|everyone|team|guys|folks)|"
    r"in\s+advance|lol|haha+|lmao|asap|urgent(?:ly)?|real\s+quick|quickly|if\s+possible|(?:around\s+|in\s+|on\s+)?here|before|already|"
    r"if\s+(?:you|anyone|someone|somebody|anybody)\s+(?:can|could|knows?|has\s+(?:a\s+(?:minute|sec|second|moment)|time)))$",
    re.IGNORECASE,
)
_TRAILING_ADDRESSEE = re.compile(
    r"[,;!?.]\s*(?:any\s?one|anybody|some\s?one|somebody|folks|all|everyone|team|guys|y'?all)$", re.IGNORECASE
)
_TRAILING_PUNCT = re.compile(r"[\s?!.,;:…~]+$")
_EMOJI_CODE = re.compile(r"\s*:[a-z0-9_+'\-]+:$", re.IGNORECASE)
_EMOTICON = re.compile(r"(?:^|\s+)(?::-?[)(DPp/]|;-?\)|xD|<3)$|:-?[()]$")
_TAIL_WINDOW = 64  # longer than any politeness phrase, emoji code or emoticon
_QUOTES = {'"': '"', "'": "'", "“": "”", "`": "`", "«": "»", "„": "“", "*": "*", "_": "_"}


def _strip_edges(text: str) -> str:
    """Peel off greetings at the front and politeness, emoji and punctuation at the back, until none is left."""
    while True:
        before = text
        greeting = _GREETING.match(text)
        text = text[greeting.end() :] if greeting else text
        text = _strip_tail(text)
        text = _unquote(text)
        if text == before:
            return text


def _strip_tail(text: str) -> str:
    """Repeatedly drop one trailing item; only a short window at the end is searched, so long text stays cheap."""
    while True:
        head, tail = text[:-_TAIL_WINDOW], text[-_TAIL_WINDOW:]
        before = tail
        tail = _EMOJI_CODE.sub("", tail)
        tail = _TRAILING_PUNCT.sub("", tail)
        tail = _EMOTICON.sub("", tail)
        tail = _POLITE.sub("", tail)
        tail = _TRAILING_ADDRESSEE.sub("", tail)
        while tail and unicodedata.category(tail[-1]) in {"So", "Sk", "Mn", "Cf", "Cs"}:
            tail = tail[:-1]  # emoji, their skin-tone and variation modifiers, zero-width joiners
        if tail == before:
            return text.rstrip()
        text = head + tail


def _unquote(text: str) -> str:
    start, end = 0, len(text)
    while end - start >= 2 and _QUOTES.get(text[start]) == text[end - 1]:
        start, end = start + 1, end - 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
    return text[start:end]


# --- The requests themselves ------------------------------------------------------------------------------------

_SUBJ = (
    r"(?:some\s?one|somebody|any\s?one|anybody|any\s+of\s+you(?:\s+guys)?|one\s+of\s+you|"
    r"you(?:\s+(?:guys|all|folks|people))?|u|y'?all|who)"
)
_WHERE = r"(?:\s+(?:here|around|out\s+there|else|in\s+here|on\s+here|online|available|free))?"
_NOT_A_TOPIC_START = (
    r"(?:is|was|are|were|will|would|has|had|have|does|did|do|can|could|should|it|it's|its|this|that|you|yourself|"
    r"them|him|her|us|me|each|other|any\s?one|some\s?one|anybody|somebody|please|pls|thanks?|desk|center|centre|"
    r"page|menu|button|docs|channel|command|text|needed|wanted|required|out|if|when|and|or|but|so)\b"
)
_CONNECT = (
    r"(?:\s*(?P<sep>[:\-–—])\s*|\s+w/\s*|\s+(?:with|on|about|regarding|re:?|in|for|around|understand(?:ing)?|"
    rf"figur(?:e|ing)\s+out|to)\s+|\s+(?!{_NOT_A_TOPIC_START}))"
)
_MODS = (
    r"(?:(?:can|could|would|will|might|may|wants?\s+to|willing\s+to|able\s+to|be\s+able\s+to|free\s+to|"
    r"available\s+to|around\s+to|mind|please|pls|plz|kindly|possibly|maybe|quickly|to|help\s+me|come)\s+)*"
)
_HELP = (
    r"(?:(?:is|are)\s+)?(?:there\s+)?(?:(?:can|could|would|will|might|does|do)\s+)?"
    rf"(?:{_SUBJ}{_WHERE}(?:\s+(?:who|that))?\s+)?{_MODS}"
    r"(?:help(?:ing)?|assist(?:ing)?|(?:give|lend)\s+(?:me\s+|us\s+)?a\s+hand)"
    r"(?:\s+(?:me|us))?(?:\s+out)?(?:\s+(?:a\s+bit|a\s+little|quickly|real\s+quick|needed|wanted|required|please|pls))?"
    rf"{_CONNECT}(?P<topic>.+)"
)

_ME = r"(?:(?:i|we|im|ive|id)\b(?:\s*'\w+)?\s*)"
_NEED = (
    r"(?:(?:(?:can|could|may|might|where\s+(?:can|could|do|should)|how\s+(?:can|could|do))\s+(?:i|we)\s+"
    r"(?:get|find|have|ask\s+for|borrow|grab|request))|"
    rf"(?:{_ME}?(?:(?:am|are|would|will|have|do|really|also|just|kinda|kind\s+of|sort\s+of|desperately|urgently|"
    r"still|currently|could|definitely|badly|seriously|'d|'m)\s+)*"
    r"(?:need|needs|want|wanted|like|love|use|could\s+use|can\s+use|looking\s+for|searching\s+for|seeking|after|"
    r"in\s+need\s+of|hoping\s+for|hoping\s+to\s+get|appreciate|get|find|requesting|request|ask(?:ing)?\s+for)"
    r"(?:\s+to\s+(?:get|find|ask\s+for|talk\s+to))?))"
)
_HELPER = (
    r"(?:help|a\s+hand|hand|assistance|advice|guidance|support|pointers|tips|input|ideas|a\s+mentor|mentoring|"
    r"mentorship|an?\s+expert|experts?|someone|somebody|anyone|a\s+person|people|(?:a\s+)?(?:second\s+)?pair\s+of\s+eyes|"
    r"eyes|feedback|a\s+review|review|a\s+pairing\s+partner|pairing|to\s+pair|to\s+talk\s+to\s+someone|"
    r"(?:a\s+)?brain\s+to\s+pick|brains)"
)
_NEED_HELP = (
    rf"{_NEED}\s+(?:(?:some|a\s+little(?:\s+bit)?(?:\s+of)?|a\s+bit\s+of|quick|a\s+quick|urgent|any|more|a\s+lot\s+of|"
    r"extra|your|someone's|somebody's|an?\s+(?:extra|second|fresh))\s+)*"
    rf"{_HELPER}(?:\s+(?:who|that)\s+(?:knows?(?:\s+(?:about|much\s+about))?|understands?|"
    r"is\s+(?:good|great|experienced|familiar)\s+(?:at|with|in)|has\s+experience\s+(?:with|in)|"
    r"(?:can|could)\s+help(?:\s+(?:me|us))?|is\s+an?\s+expert\s+(?:in|on|at)))?"
    rf"(?:\s+(?:please|pls|asap|urgently|quickly))?{_CONNECT}(?P<topic>.+)"
)

_KSUBJ = (
    r"(?:any\s?one|anybody|some\s?one|somebody|any\s+of\s+you(?:\s+guys)?|who|who's|whos|y'?all|you\s+guys|"
    r"any\s+(?:experts?|gurus?|wizards?|ninjas?|pros?))"
)
_KNOW = (
    r"(?:knows?|knew|understands?|familiar|good|great|experienced|skilled|strong|proficient|comfortable|handy|savvy|"
    r"fluent|knowledgeable|(?:well\s+)?versed|(?:an?\s+)?(?:experts?|gurus?|wizards?|ninjas?|pros?)|"
    r"(?:has|have|got)\s+(?:any\s+|some\s+|much\s+)?(?:experience|exp|knowledge)|worked|works|work|used|uses|use|"
    r"using|played|messed|dealt|deals?|into)"
)
_KNOWS = (
    rf"(?:(?:does|do|is|are|has|have)\s+)?(?:there\s+)?{_KSUBJ}{_WHERE}(?:\s+(?:who|that))?\s+"
    r"(?:(?:really|actually|happens?\s+to|by\s+chance|perhaps|maybe|still|here|else|is|are)\s+)*"
    rf"{_KNOW}(?:\s+(?:much|anything|something|a\s+lot|a\s+bit|enough|well|stuff|things))?"
    r"(?:\s+(?:about|of|on|regarding|around|in|with|at))?\s+(?P<topic>.+)"
)

_WITH_EXPERIENCE = [
    rf"(?:(?:is|are)\s+(?:there\s+)?)?{_KSUBJ}{_WHERE}\s+with\s+(?:(?:some|any|real|deep|good|a\s+lot\s+of)\s+)?"
    r"(?:experience|knowledge|expertise|skills?|exp)\s+(?:in|with|of|on|using|around)\s+(?P<topic>.+)",
    rf"(?:(?:is|are)\s+(?:there\s+)?)?{_KSUBJ}{_WHERE}\s+with\s+(?P<topic>.+?)\s+"
    rf"(?:experience|knowledge|expertise|skills?|exp){_WHERE}",
]

_HOW = [
    r"how\s+(?:do|can|could|should|would|might|does|did)\s+(?:i|we|you|one|u|someone|somebody|anyone)\s+"
    r"(?:(?:go\s+about|best|even|actually|properly|correctly)\s+)*(?P<topic>.+)",
    r"how\s+to\s+(?P<topic>.+)",
    r"how\s+(?:does|do)\s+(?P<topic>.+?)\s+(?:work|works|function)",
    r"what(?:'s|\s+is|\s+are|\s+would\s+be)\s+the\s+(?:best|right|correct|proper|easiest|simplest|recommended|"
    r"preferred|fastest|cleanest|usual|standard|idiomatic)\s+(?:way|approach|practice|method)s?\s+(?:to|for|of)\s+"
    r"(?P<topic>.+)",
    r"is\s+there\s+(?:a|an|any)\s+(?:(?:easy|easier|simple|good|better|best|quick|clean)\s+)?(?:way|approach|tool)\s+"
    r"(?:to|for|of)\s+(?P<topic>.+)",
    r"where\s+(?:do|can|should)\s+i\s+(?:start|begin)\s+(?:with|on|learning)\s+(?P<topic>.+)",
]

_BE = (
    r"(?:(?:i|we)\s*(?:'m|'re|'ve|\s+am|\s+are|\s+have)?\s+|im\s+|ive\s+)?"
    r"(?:(?:been|got|getting|get|keep\s+getting|still|really|totally|completely|a\s+bit|kinda|kind\s+of|pretty|so|"
    r"quite|a\s+little|just|currently|seriously|super|badly|hopelessly)\s+)*"
)
_STUCK = [
    rf"{_BE}(?:stuck|struggling|confused|lost|blocked|stumped|baffled|puzzled|fighting|wrestling|battling|"
    r"banging\s+my\s+head|going\s+crazy|tearing\s+my\s+hair\s+out)\s+(?:on|with|by|about|at|in|against|over|"
    r"to\s+understand|trying\s+to|understanding|figuring\s+out)\s+(?P<topic>.+)",
    rf"{_BE}(?:having|have|had|got|facing|hitting|running\s+into)\s+(?:(?:some|a\s+lot\s+of|lots\s+of|real|serious|"
    r"a\s+bit\s+of|so\s+much|a\s+few|an?)\s+)*(?:trouble|difficulty|difficulties|issues?|problems?|hard\s+time|"
    r"tough\s+time|rough\s+time|headaches?|bugs?|errors?)\s+(?:(?:with|on|in|using|getting|setting\s+up|"
    r"understanding|figuring\s+out|configuring|making|around|regarding|about)\s+)?(?P<topic>.+)",
]

_QUESTION = (
    r"(?:(?:i|we)\s*(?:'ve|\s+have)?\s*(?:got\s+)?|(?:have|got)\s+)?(?:(?:a|an|one|some)\s+)?"
    r"(?:(?:quick|small|short|little|dumb|silly|stupid|noob|newbie|beginner|basic|simple|easy|random|general|"
    r"technical)\s+)*(?:questions?|qs?|qq)\s*(?:(?:about|on|re:?|regarding|around)\s+|(?P<sep>[:\-–—])\s*)"
    r"(?P<topic>.+)"
)
_ASK_SOMEONE = [
    r"who(?:'s|\s+is)?\s+(?:(?:can|could|should|do|would)\s+)?(?:i|we)?\s*(?:ask|talk\s+to|speak\s+to|go\s+to|ping|"
    r"reach\s+out\s+to|contact)\s+(?:about|re:?|regarding|for|on|with)\s+(?P<topic>.+)",
    r"who(?:'s|\s+is)\s+(?:the|our|a|an)\s+(?:best\s+)?(?:go-?to\s+)?(?:person|go-?to|expert|contact|guru|owner|"
    r"point\s+of\s+contact|poc)\s+(?:to\s+ask\s+|to\s+talk\s+to\s+)?(?:for|on|about|in|with|re:?)\s+(?P<topic>.+)",
]
_TIPS = [
    r"(?:(?:does|do|has|have)\s+)?(?:(?:any\s?one|anybody|some\s?one|somebody|you\s+guys|y'?all)\s+)?"
    r"(?:(?:have|has|got|know|recommend)\s+)?(?:(?:any|some|good|great|your|a\s+few|the\s+best)\s+)*"
    r"(?:tips?|advice|pointers|help|best\s+practices|guidance|experts?)\s+(?:on|for|about|with|regarding|re:?|"
    r"around|in|into)\s+(?P<topic>.+)",
    r"(?:(?:does|do|has|have)\s+)?(?:(?:any\s?one|anybody|some\s?one|somebody|you\s+guys|y'?all)\s+)?"
    r"(?:(?:have|has|got|know|recommend)\s+)?(?:any|some|good|great|your|a\s+few|the\s+best)\s+"
    r"(?:ideas|suggestions|recommendations|recs|resources|docs|documentation|tutorials?|guides?|gurus?|wizards?|"
    r"people|folks|insights?|thoughts|input)\s+(?:on|for|about|with|regarding|re:?|around|in|into)\s+(?P<topic>.+)",
]
_EXPLAIN = [
    rf"(?:(?:can|could|would|will)\s+)?(?:{_SUBJ}{_WHERE}\s+)?(?:(?:please|pls|plz|kindly|quickly|briefly|possibly)\s+)*"
    r"(?:explain|eli5|walk\s+(?:me|us)\s+through|teach\s+(?:me|us)(?:\s+about)?|show\s+(?:me|us)\s+how\s+to|"
    r"help\s+me\s+understand)(?:\s*[:\-]\s*|\s+)(?P<topic>.+?)"
    r"(?:\s+(?:to|for)\s+(?:me|us|a\s+(?:beginner|newbie|noob|five[\s-]year[\s-]old|5[\s-]year[\s-]old)|dummies))?",
    rf"(?:(?:can|could|would|will)\s+)?{_SUBJ}{_WHERE}\s+(?:(?:please|pls|plz|kindly|quickly|possibly)\s+)*"
    r"(?:review|look\s+(?:at|over|into)|take\s+a\s+(?:quick\s+)?look\s+(?:at|into)|have\s+a\s+(?:quick\s+)?look\s+at|"
    r"pair\s+(?:with\s+(?:me|us)\s+)?on|sanity[\s-]check|check)\s+(?P<topic>.+)",
]

_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in [_HELP, _NEED_HELP, _KNOWS, *_WITH_EXPERIENCE, *_HOW, *_STUCK, _QUESTION, *_ASK_SOMEONE, *_TIPS, *_EXPLAIN]
]

_TOPIC_LEAD = re.compile(
    r"(?:how\s+to|how\s+(?:do|can|should|would)\s+(?:i|we|you|one))\s+(?=\S)|(?:about|with|regarding|re:)\s+(?=\S)",
    re.IGNORECASE,
)
_VAGUE = frozenset(
    {
        "this", "that", "it", "this one", "that one", "something", "anything", "stuff", "some stuff", "things",
        "a thing", "something quick", "a quick thing", "smth", "sth", "me", "us", "you", "them", "him", "her",
        "a question", "a problem", "an issue", "a bug", "the problem", "the issue", "my problem", "my issue",
        "this problem", "this issue", "that problem", "do", "doing", "out", "a few things", "some things",
        "everything", "here", "there", "now", "today", "something please", "a sec", "a second", "a minute",
    }
)  # fmt: skip


def _match(text: str, depth: int) -> str | None:
    for pattern in _PATTERNS:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        topic = _clean_topic(found["topic"])
        if topic is None:
            continue
        if "sep" in found.groupdict() and found["sep"] and depth < 2:
            # "Help: how do I rebase?" and "quick question - anyone know helm?" hold a request after the colon.
            topic = _match(topic, depth + 1) or topic
        return topic
    return None


def _clean_topic(raw: str) -> str | None:
    topic = raw
    while True:
        before = topic
        topic = _unquote(_strip_tail(topic.strip()))
        topic = _TOPIC_LEAD.sub("", topic, count=1) if _TOPIC_LEAD.match(topic) else topic
        if topic == before:
            break
    if not any(ch.isalnum() for ch in topic) or topic.lower() in _VAGUE:
        return None
    return topic

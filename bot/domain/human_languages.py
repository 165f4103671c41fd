"""Requests for a human language: "anyone speak Japanese?", "translate the onboarding emails into German".

Such a request needs someone who has the language, whatever else its words name: an onboarding specialist without
Japanese cannot translate the onboarding emails, however surely "onboarding" names their skill. A topic asks for a
language when it names one together with a word of using a language (translate, interpreter, fluent, subtitles,
proofread), or right beside "speak", "speakers" or "native"; a language named alone ("our German customers", "the
Spanish office") or a use word alone ("react native", "speaker notes", "the python interpreter") is no such request.

English is left out: in the workspaces Burst serves, "in plain English" asks for clearer writing, not for a language.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.matching import stem_word

LANGUAGES = frozenset(
    {
        "afrikaans",
        "albanian",
        "amharic",
        "arabic",
        "armenian",
        "azerbaijani",
        "basque",
        "belarusian",
        "bengali",
        "bosnian",
        "bulgarian",
        "burmese",
        "cantonese",
        "catalan",
        "chinese",
        "croatian",
        "czech",
        "danish",
        "dutch",
        "estonian",
        "farsi",
        "filipino",
        "finnish",
        "flemish",
        "french",
        "galician",
        "georgian",
        "german",
        "greek",
        "gujarati",
        "hausa",
        "hebrew",
        "hindi",
        "hungarian",
        "icelandic",
        "indonesian",
        "irish",
        "italian",
        "japanese",
        "kannada",
        "kazakh",
        "khmer",
        "korean",
        "kurdish",
        "lao",
        "latvian",
        "lithuanian",
        "luxembourgish",
        "macedonian",
        "malay",
        "malayalam",
        "maltese",
        "mandarin",
        "marathi",
        "mongolian",
        "nepali",
        "norwegian",
        "pashto",
        "persian",
        "polish",
        "portuguese",
        "punjabi",
        "romanian",
        "russian",
        "serbian",
        "sinhala",
        "slovak",
        "slovenian",
        "somali",
        "spanish",
        "swahili",
        "swedish",
        "tagalog",
        "tamil",
        "telugu",
        "thai",
        "tigrinya",
        "turkish",
        "ukrainian",
        "urdu",
        "uzbek",
        "vietnamese",
        "welsh",
        "yoruba",
        "zulu",
    }
)
"""Natural languages people ask for by name, lower case."""

USE_WORDS = frozenset(
    stem_word(word)
    for word in (
        "translate",
        "translated",
        "translating",
        "translation",
        "translations",
        "translator",
        "interpret",
        "interpreter",
        "interpreting",
        "fluent",
        "fluency",
        "proofread",
        "proofreading",
        "subtitle",
        "subtitles",
        "dubbing",
    )
)
"""The stems of words that say a language is to be used, wherever they stand in the topic."""

BESIDE_WORDS = frozenset(stem_word(word) for word in ("speak", "speaks", "speaking", "speaker", "speakers", "native"))
"""The stems of words that say a language is used only right beside its name ("speak Japanese", "Korean speakers",
"native Dutch"): apart from one, they say something else ("speaker notes", "react native")."""

WORDS_TOO = frozenset({"polish"})
"""Languages whose names are common words too ("polish the deck"): asked for only with a word of `USE_WORDS`, or
after one of `BESIDE_WORDS` ("speak Polish")."""


def language_asked(words: Sequence[str]) -> str | None:
    """The language a topic's words (lower case, in order) ask for, or None when they ask for none."""
    if LANGUAGES.isdisjoint(words):
        return None  # nearly every topic: nothing to stem
    stems = [stem_word(word) for word in words]
    used = any(stem in USE_WORDS for stem in stems)
    for i, word in enumerate(words):
        if word not in LANGUAGES:
            continue
        before = i > 0 and stems[i - 1] in BESIDE_WORDS
        after = i + 1 < len(stems) and stems[i + 1] in BESIDE_WORDS
        # A name that is a word too only after its use word: "speak Polish", never "polish speaker notes".
        if used or before or (after and word not in WORDS_TOO):
            return word
    return None

"""Words as matching reads them: their stems, and how much one word says on its own.

Stems: "overfits", "overfitting" and "overfit" meet, and "p-values" meets "p-value" (Snowball's English stemmer).

Specificity: "goroutine" points somewhere, "top", "drift" or "budget" could be anything. A knowledge term or an
embedding match on a single common English word is weak evidence ("my oak table top is warping" is not a Linux
question), so it counts less the more common the word is in English, by its Zipf frequency from `wordfreq` (a word
used once per million words scores 3; "the" about 7.7). Phrases of two or more words are specific enough as they are.
"""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer
from wordfreq import zipf_frequency

# PyStemmer (a dependency) when installed: snowballstemmer then hands out its C build of the same Snowball algorithm
# (the same stems, an order of magnitude faster: start-up stems every knowledge term); its pure Python one otherwise.
_english = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem_word(word: str) -> str:
    return str(_english.stemWord(word)) if word.isalpha() and len(word) > 3 else word


def stem_phrase(phrase: str) -> str:
    """Each word of a lower-case phrase stemmed, hyphens read as spaces: "P-values" -> "p valu"."""
    return " ".join(stem_word(w) for w in phrase.replace("-", " ").split())


RARE = 3.0
"""At or below this Zipf frequency a word is specific: it counts in full."""
COMMON = 4.6
"""At or above it a word counts at FLOOR: it can suggest a skill but not route on its own."""
FLOOR = 0.35


@lru_cache(maxsize=65536)
def specificity(word: str) -> float:
    """1.0 for a rare word, down to FLOOR for a common one; a multi-word phrase is 1.0."""
    if " " in word.strip():
        return 1.0
    zipf = zipf_frequency(word, "en", wordlist="small")  # the small list: half the memory, same for common words
    share = (COMMON - zipf) / (COMMON - RARE)
    return round(min(max(share, 0.0), 1.0) * (1 - FLOOR) + FLOOR, 3)

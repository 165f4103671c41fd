"""Words to their stems, so "overfits", "overfitting" and "overfit" meet, and "p-values" meets "p-value"."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

# PyStemmer (a dependency) when installed: snowballstemmer then hands out its C build of the same Snowball algorithm
# (the same stems, an order of magnitude faster: start-up stems every knowledge term); its pure Python one otherwise.
_english = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem_word(word: str) -> str:
    return str(_english.stemWord(word)) if word.isalpha() and len(word) > 3 else word


def stem_phrase(phrase: str) -> str:
    """Each word of a lower-case phrase stemmed, hyphens read as spaces: "P-values" -> "p valu"."""
    return " ".join(stem_word(w) for w in phrase.replace("-", " ").split())

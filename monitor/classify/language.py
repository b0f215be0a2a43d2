"""Language of a clause or document: counts of each supported language's function words decide when the
evidence is clear (the usual case for a terms document); py3langid, restricted to the supported languages,
settles short or mixed text. Its model costs about 70 MB of memory, so it is loaded only when needed."""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache
from typing import Any

from monitor.classify.lexicon import SUPPORTED_LANGUAGES, TERMS

logger = logging.getLogger(__name__)

SAMPLE_CHARS = 4000
MIN_CONFIDENCE = 0.6
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """The py3langid model (loaded once; None when it cannot be loaded)."""
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(SUPPORTED_LANGUAGES))
    except (ImportError, OSError, ValueError) as exc:  # pragma: no cover - a declared dependency
        logger.warning("language identification unavailable: %s", exc)
        return None
    return identifier


#: Function-word evidence is clear when the best language has at least this many hits and this many times
#: the runner-up's.
CLEAR_HITS, CLEAR_RATIO = 8, 2.0


def _scores(text: str) -> list[tuple[int, str]]:
    """Function-word hits per supported language, best first."""
    words = [w.lower() for w in _WORD_RE.findall(text[:SAMPLE_CHARS])]
    scores = []
    for lang in SUPPORTED_LANGUAGES:
        vocabulary = _vocabulary(lang)
        scores.append((sum(1 for w in words if w in vocabulary), lang))
    return sorted(scores, reverse=True)


@cache
def _vocabulary(lang: str) -> frozenset[str]:
    return frozenset(TERMS[lang]["function"])


def _by_function_words(text: str) -> tuple[str | None, int]:
    hits, lang = _scores(text)[0]
    return (lang, hits) if hits else (None, 0)


def detect_language(text: str) -> str | None:
    """The language of `text` among the supported ones ("en", "fr", ...), or None when it has no letters."""
    sample = text[:SAMPLE_CHARS]
    if not _WORD_RE.search(sample):
        return None
    (best, lang), (second, _) = _scores(sample)[:2]
    if best >= CLEAR_HITS and best >= CLEAR_RATIO * second:
        return lang
    identifier = _identifier()
    guess: str | None = None
    confidence = 0.0
    if identifier is not None:
        try:
            guess, confidence = identifier.classify(sample)
        except (ValueError, TypeError, UnicodeError) as exc:
            logger.debug("py3langid failed: %s", exc)
    fallback, hits = _by_function_words(sample)
    if guess in SUPPORTED_LANGUAGES and (confidence >= MIN_CONFIDENCE or hits < 3 or fallback == guess):
        return str(guess)
    return fallback or (str(guess) if guess in SUPPORTED_LANGUAGES else None)

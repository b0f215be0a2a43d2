"""Language of a clause or document: py3langid restricted to the supported languages, with a function-word
count as tie-breaker for short or mixed text."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
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


def _by_function_words(text: str) -> tuple[str | None, int]:
    words = [w.lower() for w in _WORD_RE.findall(text[:SAMPLE_CHARS])]
    best: tuple[str | None, int] = (None, 0)
    for lang in SUPPORTED_LANGUAGES:
        vocabulary = set(TERMS[lang]["function"])
        score = sum(1 for w in words if w in vocabulary)
        if score > best[1]:
            best = (lang, score)
    return best


def detect_language(text: str) -> str | None:
    """The language of `text` among the supported ones ("en", "fr", ...), or None when it has no letters."""
    sample = text[:SAMPLE_CHARS]
    if not _WORD_RE.search(sample):
        return None
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

"""Opt-out hints: the settings path, URL or e-mail address a text gives for objecting to AI training.

A settings path is two or more segments joined by ``>``, ``›`` or ``→`` ("Préférences et confidentialité >
Confidentialité des données > Données pour l'amélioration de l'IA générative"); its first segment starts after
the preposition or determiner that introduces it, its last one ends at punctuation or at a trailing verb
("... > KI-Training widersprechen").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from monitor.classify.lexicon import CLAUSE_END_WORDS, OPTOUT_STOP_WORDS, TRAILING_VERBS
from monitor.classify.rules import patterns

MAX_TEXT = 20_000
_SEP_RE = re.compile(r"\s*[>›→»]\s*")
_SEP_CHARS_RE = re.compile(r"\s[>›→»]\s")
_PATH_RE = re.compile(r"[^\n>›→»]{1,80}(?:\s*[>›→»]\s*[^\n>›→»]{1,80}){1,8}")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"'«»]{3,300}", re.IGNORECASE)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_END_RE = re.compile(r"[.;:,()\[\]!?«»\"“”]|\s[-–—]\s|\s(?:" + "|".join(CLAUSE_END_WORDS) + r")\s")
_MAX_LAST_WORDS = 8
_STOP = OPTOUT_STOP_WORDS     # words that introduce a settings path (prepositions, determiners, "open")
_TRAILING_VERBS = re.compile(r"\s+(?:" + "|".join(TRAILING_VERBS) + r")\s*$", re.IGNORECASE)


def _clean_segment(segment: str) -> str:
    return segment.strip(" \t*_`'\"“”«»")


def settings_path(text: str) -> str | None:
    """The first settings path of `text` ("A > B > C"), or None."""
    if not _SEP_CHARS_RE.search(text):
        return None
    for m in _PATH_RE.finditer(text[:MAX_TEXT]):
        parts = _SEP_RE.split(m.group(0))
        first_words = parts[0].split()
        kept: list[str] = []
        for word in reversed(first_words):
            if word.lower().strip(",;:(") in _STOP or re.search(r"[.;:,()!?]$", word):
                break
            kept.append(word)
        kept.reverse()
        while kept and not (kept[0][:1].isupper() or kept[0][:1].isdigit()):
            kept.pop(0)
        first = _clean_segment(" ".join(kept))
        last = parts[-1]
        end = _END_RE.search(last)
        if end:
            last = last[:end.start()]
        last = " ".join(last.split()[:_MAX_LAST_WORDS])
        last = _clean_segment(_TRAILING_VERBS.sub("", last.strip()))
        middle = [_clean_segment(p) for p in parts[1:-1]]
        segments = [first, *middle, last]
        if all(segments) and all(len(s) <= 80 for s in segments) and not any(s[:1].isdigit() for s in segments):
            return " > ".join(segments)
    return None


def find_opt_out(text: str, language: str, *, require_cue: bool = True) -> str | None:
    """The settings path, URL or e-mail address given for objecting in `text`, or None.

    With `require_cue`, only sentences that contain an opt-out or objection cue are searched."""
    text = text[:MAX_TEXT]
    if require_cue and not patterns(language)["optout"].search(text):
        return None
    path = settings_path(text)
    if path:
        return path
    url = _URL_RE.search(text)
    if url:
        return url.group(0).rstrip(".,;:!?")
    email = _EMAIL_RE.search(text)
    if email:
        return email.group(0).rstrip(".")
    return None


def linked_target(sentence: str, links: Mapping[str, str]) -> str | None:
    """The target of the longest link text that `sentence` contains as whole words ("opt out in your
    settings", where "settings" links to the settings page), or None."""
    lowered = sentence.lower()
    best: tuple[int, str] | None = None
    for text, target in links.items():
        needle = text.lower()
        start = lowered.find(needle)
        while start >= 0:
            end = start + len(needle)
            if ((start == 0 or not lowered[start - 1].isalnum())
                    and (end == len(lowered) or not lowered[end].isalnum())):
                if best is None or len(needle) > best[0]:
                    best = (len(needle), target)
                break
            start = lowered.find(needle, start + 1)
    return best[1] if best else None


#: Words of a contact link's text or address, in the supported languages ("contact", "DPO", "privacy@").
_CONTACT_RE = re.compile(
    r"\bcontact|kontakt|contatt|contacto|contato|\bdpo\b|\bdpd\b|data protection officer|datenschutzbeauftragt"
    r"|délégué à la protection|responsabile della protezione|encargado de protección|inspektor ochrony"
    r"|dataskyddsombud|functionaris voor gegevensbescherming|encarregado|privacy@|datenschutz@|dpo@|privacidad@",
    re.IGNORECASE)


def alerting_link(text: str, target: str, language: str = "en") -> bool:
    """Whether a moved link is one a reader must hear about: an opt-out link (its text or target says
    opt out or object, in the document's language or English) or a contact link (`mailto:`, "contact",
    "DPO", "privacy@"...)."""
    if target.lower().startswith("mailto:") or _CONTACT_RE.search(text) or _CONTACT_RE.search(target):
        return True
    words = f"{text} {target.replace('-', ' ').replace('_', ' ').replace('/', ' ')}"
    return any(patterns(lang)["optout"].search(words) for lang in dict.fromkeys((language, "en")))

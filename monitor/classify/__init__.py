"""Generative-AI clause classifier: flags for the added, modified (and removed opt-out) clauses of a change.

`classify()` works in two passes over the changed clauses. The first runs the sentence rules of `rules.py`
on each new sentence (for a modified clause, only the sentences its edit touched), with the lead-in of a
list as context; the second flags objection clauses that sit in a section which announces AI training.
Each flag then gets its dates (the clause, its section, and the change's effective / deadline / "last
updated" lines, see `dates.py`) and, for training and opt-out flags, an opt-out hint (`optout.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from monitor.classify.dates import find_dates
from monitor.classify.language import detect_language
from monitor.classify.lexicon import ABBREVIATIONS, SUPPORTED_LANGUAGES
from monitor.classify.optout import find_opt_out, linked_target
from monitor.classify.rules import Facts, evaluate, facts, has_prohibition, might_concern_ai, patterns, rule_opt_out
from monitor.models import Category, ClauseChange, ClauseDiff, ClauseKind, DateRole, Flag, FlagDate
from monitor.text import is_heading

__all__ = ["classify", "detect_language"]

logger = logging.getLogger(__name__)

MAX_CLAUSE = 20_000           # characters of one clause that are looked at
MAX_LEAD_IN = 40              # list items walked back to find a list's lead-in
MAX_DOC_DATES = 8             # change-level dates attached to each flag
MAX_DOC_DATE_CLAUSE = 400     # longer clauses give change-level dates only through a role cue
#: Sentence ends, table-cell boundaries, line breaks, and list items inside a clause (a table cell's "<br>* item").
_SENTENCE_RE = re.compile(r"(?P<end>(?<=[.!?])\s+(?=[^\s]))|(?P<cell>\s+\|\s+(?=\S))|(?P<line>\n+)|"
                          r"(?P<item>\s+[*•]\s+(?=\S))")
REWORD_SIMILARITY = 0.75      # share of a new sentence's words in an old one above which it restates it
_WORDS_RE = re.compile(r"\w+", re.UNICODE)
_LIST_RE = re.compile(r"^(?:[-*•]\s|\(?[0-9ivx]{1,4}[.)]\s|\(?[a-z][.)]\s|\d{1,3}(?:\.\d{1,3}){1,4}\.?\s)")
OPT_OUT_REACH = 5             # clauses between an objection clause and the training clause of its section
_ORDER = {category: i for i, category in enumerate(Category)}


@dataclass(slots=True)
class _Clause:
    """One changed clause under analysis."""

    change: ClauseChange
    text: str
    sentences: list[Facts] = field(default_factory=list)
    found: dict[Category, tuple[float, tuple[str, ...]]] = field(default_factory=dict)
    section: int = -1


def classify(diff: ClauseDiff, new_clauses: Sequence[str], *, language: str | None = None,
             now: datetime, links: Callable[[], Mapping[str, str]] | None = None) -> list[Flag]:
    """Flags for one change. `new_clauses` = the full new version (one clause per line, headings start with
    '#'), used for section context and document-level dates. `now` = when the change was detected (tz-aware
    UTC). `links` gives the new page's links by their text (`monitor.extract.page_links`), asked for only
    when an objection sentence names no settings path, URL or address itself. Never raises: a classifier
    failure is logged and yields no flags rather than losing the check."""
    try:
        return _classify(diff, new_clauses, language=language, now=now, links=links)
    except Exception:  # the pipeline must record the change even if a rule trips on odd input
        logger.exception("classifier failed; change recorded without flags")
        return []


def _language(diff: ClauseDiff, new_clauses: Sequence[str], language: str | None) -> str:
    if language:
        short = language.lower().split("-")[0].split("_")[0]
        if short in SUPPORTED_LANGUAGES:
            return short
    sample = " ".join(c.text for c in diff.clauses if c.kind is not ClauseKind.REMOVED)[:4000]
    if len(sample) < 400:
        sample += " " + " ".join(new_clauses[:200])[:4000]
    return detect_language(sample) or "en"


def _sections(new_clauses: Sequence[str]) -> list[int]:
    """For each clause of the new version, the index of its heading (-1 before the first heading)."""
    out: list[int] = []
    current = -1
    for i, clause in enumerate(new_clauses):
        if is_heading(clause):
            current = i
        out.append(current)
    return out


def _lead_in(new_clauses: Sequence[str], index: int | None) -> str:
    """The sentence that introduces a list item (and the one before it when short), or ""."""
    if index is None or not 0 <= index < len(new_clauses) or not _LIST_RE.match(new_clauses[index]):
        return ""
    i = index - 1
    steps = 0
    # The lead-in is the nearest clause ending with a colon ("You agree not to:"), else the first non-item.
    colon = ""
    while i >= 0 and steps < MAX_LEAD_IN and _LIST_RE.match(new_clauses[i]):
        if not colon and new_clauses[i].rstrip().endswith((":", "…")):
            colon = new_clauses[i][:MAX_CLAUSE]
        i -= 1
        steps += 1
    if i < 0 or is_heading(new_clauses[i]):
        return colon
    lead = new_clauses[i][:MAX_CLAUSE]
    if len(lead) < 150 and i > 0 and not is_heading(new_clauses[i - 1]):
        lead = new_clauses[i - 1][:MAX_CLAUSE] + " " + lead
    return (colon + " " + lead).strip()


def _fresh_spans(change: ClauseChange) -> list[tuple[int, int]] | None:
    """Character spans of the new text that the edit inserted (None: the whole clause is new)."""
    if change.kind is not ClauseKind.MODIFIED or not change.segments:
        return None
    spans: list[tuple[int, int]] = []
    pos = 0
    for op, text in change.segments:
        if op == 1 and text.strip():
            spans.append((pos, pos + len(text)))
        if op >= 0:
            pos += len(text)
    return spans


@dataclass(frozen=True, slots=True)
class _Unit:
    """One sentence of a clause, with the lead-in that introduces it when it is a list item inside the clause."""

    start: int
    text: str
    lead: str = ""


def _abbreviation_before(text: str, end: int) -> bool:
    """True when the period ending at `end` closes an abbreviation ("e.g.", "z. B.") rather than a sentence."""
    before = text[max(0, end - 8):end].lower()
    for abbreviation in ABBREVIATIONS:
        tail = abbreviation + "."
        if before.endswith(tail) and (len(before) == len(tail) or not before[-len(tail) - 1].isalnum()):
            return True
    return False


def _units(text: str) -> list[_Unit]:
    """The sentences of a clause. A period ends a sentence unless it closes an abbreviation or a lower-case word
    follows; a table cell restarts the context; a list item inside a cell ("<br>* item") carries the text that
    introduces the list in its cell as its lead-in."""
    out: list[_Unit] = []
    pos = 0
    lead = ""
    in_list = False
    for m in _SENTENCE_RE.finditer(text):
        if m.group("end") and (text[m.end():m.end() + 1].islower() or _abbreviation_before(text, m.start())):
            continue
        piece = text[pos:m.start()]
        if piece.strip():
            out.append(_Unit(pos, piece, lead if in_list else ""))
            if not in_list:
                lead = piece
        if m.group("item"):
            in_list = True
        elif m.group("cell") or m.group("line"):
            in_list, lead = False, ""
        pos = m.end()
    if text[pos:].strip():
        out.append(_Unit(pos, text[pos:], lead if in_list else ""))
    return out


def _sentences(text: str) -> list[tuple[int, str]]:
    return [(u.start, u.text) for u in _units(text)]


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORDS_RE.findall(text)}


def _similar(new: set[str], old: set[str]) -> float:
    """The share of the new sentence's words that the old sentence has."""
    return len(new & old) / len(new) if new and old else 0.0


def _objects(evidence: tuple[str, ...]) -> set[str]:
    """The AI terms a flag's evidence names ("train:train~machine learning" -> "machine learning")."""
    return {e.split("~", 1)[1].lower() for e in evidence if "~" in e}


def _starts_with_verb(f: Facts) -> bool:
    """True when the sentence's first word is a use, train or develop verb ("Use AI detection tools ...")."""
    return any(pos == 0 for group in ("use", "strong", "weak") for pos, _ in f.hits.get(group, []))


def _evaluate(sentence: str, lead: str, lang: str, lead_ban: bool,
              own: Facts | None = None) -> dict[Category, tuple[float, tuple[str, ...]]]:
    """The categories one sentence supports, read with its lead-in: a list item whose verb or AI term sits in
    the lead-in ("We use your data to:" / "- improve our machine learning models") counts when the item itself
    carries an AI term or a training / develop verb. `own`: the sentence's facts, when already computed."""
    own = own if own is not None else facts(sentence, lang, lead_prohibition=lead_ban)
    found = evaluate(own)
    if lead:
        if own.has("ai") or own.has("strong") or own.has("weak"):
            # The colon that ends a lead-in introduces its items as the verb's object: it separates nothing.
            joined = evaluate(facts(lead.rstrip().rstrip(":…").rstrip() + " " + sentence.lstrip(" -*•"), lang,
                                    lead_prohibition=lead_ban))
            if _starts_with_verb(own):   # the item has its own predicate: the lead-in can only negate or ban it
                joined = {c: r for c, r in joined.items() if c in found}
                for category in set(found) - set(joined) - {Category.AI_SCRAPING_BAN}:
                    found.pop(category)
            for category, result in joined.items():
                if category not in found or result[0] > found[category][0]:
                    found[category] = result
            if Category.AI_SCRAPING_BAN in found:
                found.pop(Category.AI_TRAINING, None)
    return found


def _analyse(item: _Clause, lang: str, new_clauses: Sequence[str], said_by: Callable[[], _Said]) -> None:
    lead = _lead_in(new_clauses, item.change.new_index)
    lead_ban = bool(lead) and has_prohibition(lead, lang)
    fresh = _fresh_spans(item.change)
    for unit in _units(item.text):
        start, sentence = unit.start, unit.text
        if fresh is not None and not any(a < start + len(sentence) and b > start for a, b in fresh):
            continue
        context = " ".join(part for part in (lead, unit.lead) if part)
        if not might_concern_ai(sentence) and not (context and might_concern_ai(context)):
            continue    # no AI or training stem in the sentence or its lead-in: nothing to flag
        ban = lead_ban or (bool(unit.lead) and has_prohibition(unit.lead, lang))
        f = facts(sentence, lang, lead_prohibition=ban)
        item.sentences.append(f)
        found = _evaluate(sentence, context, lang, ban, own=f)
        words = _words(sentence)
        said = said_by() if found else []     # the old text is read only when the new one supports a flag
        for category, (score, evidence) in found.items():
            if any(category in cats and _objects(evidence) <= _objects(cats[category][1])
                   and _similar(words, old) >= REWORD_SIMILARITY and _digits(words) == _digits(old)
                   for old, cats in said):
                continue    # the old version said this of the same AI (a rename, a typo fix): nothing new
            previous = item.found.get(category)
            if previous is None or score > previous[0]:
                item.found[category] = (score, evidence)


def _digits(words: set[str]) -> set[str]:
    return {w for w in words if w.isdigit()}


#: Old sentences a new sentence may restate: their words and the categories they supported.
_Said = list[tuple[set[str], dict[Category, tuple[float, tuple[str, ...]]]]]


def _said(texts: Sequence[str], lang: str) -> _Said:
    """The sentences of old texts that support a category, with what they support."""
    out: _Said = []
    for text in texts:
        for unit in _units(text[:MAX_CLAUSE]):
            if might_concern_ai(unit.text):
                cats = _evaluate(unit.text, unit.lead, lang, False)
                if cats:
                    out.append((_words(unit.text), cats))
    return out


def _doc_dates(items: list[_Clause], lang: str, now: datetime) -> list[FlagDate]:
    """Dates the change's added/modified text gives for the change as a whole: effective dates, deadlines,
    and "last updated" lines."""
    out: list[FlagDate] = []
    for item in items:
        if item.change.kind is ClauseKind.REMOVED:
            continue
        for found in find_dates(item.text, lang, now=now):
            fd = found.flag_date
            if fd.role in (DateRole.EFFECTIVE, DateRole.DEADLINE):
                out.append(fd)
            elif found.cued and len(item.text) <= MAX_DOC_DATE_CLAUSE:
                out.append(fd)     # "Last updated: ..." line
    return out


def _dedupe(dates: list[FlagDate]) -> tuple[FlagDate, ...]:
    seen: dict[tuple[date, DateRole], FlagDate] = {}
    for fd in dates:
        seen.setdefault((fd.date, fd.role), fd)
    return tuple(seen.values())


def _classify(diff: ClauseDiff, new_clauses: Sequence[str], *, language: str | None,
              now: datetime, links: Callable[[], Mapping[str, str]] | None) -> list[Flag]:
    lang = _language(diff, new_clauses, language)
    sections = _sections(new_clauses)
    optout_re = patterns(lang)["optout"]
    items: list[_Clause] = []
    removed_texts = [c.old for c in diff.clauses if c.kind is ClauseKind.REMOVED and c.old and might_concern_ai(c.old)]
    removed_said: list[_Said] = []

    def removed() -> _Said:
        """What the removed clauses said (read once, on first need): an added clause may only restate one."""
        if not removed_said:
            removed_said.append(_said(removed_texts, lang))
        return removed_said[0]

    for change in diff.clauses:
        text = change.text[:MAX_CLAUSE]
        heading = is_heading(text)
        if heading:
            text = text.lstrip("#").strip()
        item = _Clause(change=change, text=text)
        index = change.new_index
        if index is not None and 0 <= index < len(sections):
            item.section = sections[index]
        items.append(item)
        if change.kind is ClauseKind.REMOVED or heading:
            continue    # a heading is the context of the clauses under it, never a flag of its own
        if might_concern_ai(text):
            old_text = change.old or ""
            modified = change.kind is ClauseKind.MODIFIED and bool(old_text)
            _analyse(item, lang, new_clauses, partial(_said, [old_text], lang) if modified else removed)

    for item in items:
        if Category.AI_TRAINING in item.found:
            item.found.pop(Category.AI_FEATURE, None)
    training_at = [(i.section, i.change.new_index) for i in items
                   if Category.AI_TRAINING in i.found and i.change.new_index is not None]
    for item in items:
        index = item.change.new_index
        in_section = Category.AI_TRAINING in item.found or (index is not None and any(
            section == item.section and 0 <= index - at <= OPT_OUT_REACH for section, at in training_at))
        if item.change.kind is ClauseKind.REMOVED:
            old = item.change.old or ""
            if might_concern_ai(old) and optout_re.search(old) and not is_heading(old):
                result = rule_opt_out(facts(old[:MAX_CLAUSE], lang))
                if result is not None:
                    item.found[Category.AI_OPT_OUT] = result
            continue
        if Category.AI_OPT_OUT in item.found or not in_section or not optout_re.search(item.text):
            continue
        fresh = _fresh_spans(item.change)
        for start, sentence in _sentences(item.text):
            if fresh is not None and not any(a < start + len(sentence) and b > start for a, b in fresh):
                continue
            f = facts(sentence, lang)
            f.section_training = True
            result = rule_opt_out(f)
            if result is not None:
                item.found[Category.AI_OPT_OUT] = result
                break

    flagged = [i for i in items if i.found]
    if not flagged:
        return []
    doc_dates = _doc_dates(items, lang, now)
    references = [d.date for d in doc_dates if d.role is not DateRole.OTHER] or [d.date for d in doc_dates]
    flags: list[Flag] = []
    for item in flagged:
        dates = _flag_dates(item, items, lang, now, references, doc_dates)
        hint = _hint(item, items, lang, links)
        for category in sorted(item.found, key=_ORDER.__getitem__):
            score, evidence = item.found[category]
            flags.append(Flag(
                category=category, score=round(min(max(score, 0.0), 1.0), 2), clause=item.change.text,
                language=lang, clause_kind=item.change.kind, evidence=evidence, dates=dates,
                opt_out=hint if category in (Category.AI_TRAINING, Category.AI_OPT_OUT) else None))
    return flags


def _flag_dates(item: _Clause, items: list[_Clause], lang: str, now: datetime, references: list[date],
                doc_dates: list[FlagDate]) -> tuple[FlagDate, ...]:
    own = [found.flag_date for found in find_dates(item.text, lang, now=now, references=references)]
    section: list[FlagDate] = []
    if item.section >= 0 and item.change.kind is not ClauseKind.REMOVED:
        for other in items:
            if other is item or other.section != item.section or other.change.kind is ClauseKind.REMOVED:
                continue
            section += [found.flag_date for found in find_dates(other.text, lang, now=now,
                                                                 references=[d.date for d in own] or references)]
    return _dedupe(own + section + doc_dates[:MAX_DOC_DATES])


def _hint(item: _Clause, items: list[_Clause], lang: str,
          links: Callable[[], Mapping[str, str]] | None) -> str | None:
    """The opt-out hint of the clause's objection sentences, else of its section's changed clauses: the
    settings path, URL or address a sentence gives, else the target of a link in it."""
    texts = [item.text]
    if item.section >= 0:
        texts += [other.text for other in items if other is not item and other.section == item.section
                  and other.change.kind is not ClauseKind.REMOVED]
    sentences = [sentence for text in texts for _, sentence in _sentences(text)]
    for sentence in sentences:
        hint = find_opt_out(sentence, lang)
        if hint:
            return hint
    if links is None:
        return None
    optout_re = patterns(lang)["optout"]
    for sentence in sentences:
        if optout_re.search(sentence):
            target = linked_target(sentence, links())
            if target:
                return target
    return None

"""Generative-AI clause classifier: flags for the added, modified (and removed opt-out) clauses of a change.

`classify()` works in two passes over the changed clauses. The first runs the sentence rules of `rules.py`
on each sentence of an added clause (`_units`: sentences, table cells, list items with their lead-ins;
headings are never flagged); a modified clause is read whole the same way and judged against its old text
(`_judge_modified`: new scope, dates, opt-out or category, and not a restated sentence). The second pass
flags objection clauses that follow a training clause of their section.
Each flag then gets its dates (the clause, its list lead-in and heading, and the change's document-level
effective / "last updated" lines, see `_flag_dates`) and, for training and opt-out flags, an opt-out hint (`optout.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from monitor.classify.dates import document_line, find_dates
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
    previous: tuple[FlagDate, ...] = ()     # a modified clause's dates before the edit


def classify(diff: ClauseDiff, new_clauses: Sequence[str], *, language: str | None = None,
             now: datetime, links: Callable[[], Mapping[str, str]] | None = None) -> list[Flag]:
    """Flags for one change. `new_clauses` = the full new version (one clause per line, headings start with
    '#'), used for section context and document-level dates. `now` = the new version's date (tz-aware UTC:
    the check that found it, a backfilled commit's date), the reference for year-less dates, never the
    clock. `links` gives the new page's links by their text (`monitor.extract.page_links`), asked for only
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
    """Flags of an added clause, sentence by sentence; `said_by` gives what the change's removed clauses said
    (a moved and reworded clause restates one of them)."""
    lead = _lead_in(new_clauses, item.change.new_index)
    lead_ban = bool(lead) and has_prohibition(lead, lang)
    for unit in _units(item.text):
        sentence = unit.text
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
            if _restates(words, category, evidence, said):
                continue    # a removed clause said this of the same AI (a clause moved and reworded): nothing new
            previous = item.found.get(category)
            if previous is None or score > previous[0]:
                item.found[category] = (score, evidence)


def _digits(words: set[str]) -> set[str]:
    return {w for w in words if w.isdigit()}


def _restates(words: set[str], category: Category, evidence: tuple[str, ...], said: _Said) -> bool:
    """True when an old sentence already gave `category` of the same AI with most of this sentence's words and
    the same numbers: a new sentence that only restates it (a rename, a typo fix) adds nothing."""
    return any(category in cats and _objects(evidence) <= _objects(cats[category][1])
               and _similar(words, old) >= REWORD_SIMILARITY and _digits(words) == _digits(old)
               for old, cats in said)


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


def _dated(texts: Sequence[str], lang: str, now: datetime) -> list[date]:
    """The dates written with their year in `texts`: the context that gives a year-less date its year."""
    return [found.flag_date.date for text in texts for found in find_dates(text, lang, now=now)
            if not found.inferred]


def _doc_dates(items: list[_Clause], lang: str, now: datetime, references: list[date]) -> list[FlagDate]:
    """The change's document-level dates: effective and "last updated" dates of short added/modified lines
    about the document itself ("These terms take effect on ...", "Last updated: ...", see `document_line`).
    A deadline, or a date in a clause about something else (a flagged clause included), belongs to that
    clause only."""
    out: list[FlagDate] = []
    for item in items:
        if item.change.kind is ClauseKind.REMOVED or len(item.text) > MAX_DOC_DATE_CLAUSE or item.found:
            continue
        for found in find_dates(item.text, lang, now=now, references=references):
            if document_line(item.text, found):
                out.append(found.flag_date)
    return out


def _dedupe(dates: list[FlagDate], inferred: set[FlagDate]) -> tuple[FlagDate, ...]:
    """One date per (day, role); a year-less date is dropped when the same day is written with a year."""
    written = {(fd.date.month, fd.date.day) for fd in dates if fd not in inferred}
    seen: dict[tuple[date, DateRole], FlagDate] = {}
    for fd in dates:
        if fd in inferred and (fd.date.month, fd.date.day) in written \
                and any(o.date != fd.date and (o.date.month, o.date.day) == (fd.date.month, fd.date.day)
                        for o in dates if o not in inferred):
            continue
        seen.setdefault((fd.date, fd.role), fd)
    return tuple(seen.values())


@dataclass(slots=True)
class _Reading:
    """What a whole clause says: its categories (best score and evidence), each category's scope (the terms
    matched in every sentence that gives it), and, per category, the sentences that give it (their words,
    evidence and terms: what a restated sentence is checked against)."""

    found: dict[Category, tuple[float, tuple[str, ...]]] = field(default_factory=dict)
    scope: dict[Category, frozenset[str]] = field(default_factory=dict)
    said: _Said = field(default_factory=list)
    giving: dict[Category, list[tuple[set[str], tuple[str, ...], set[str]]]] = field(default_factory=dict)


def _terms(f: Facts) -> set[str]:
    """The terms a sentence matched, by group ("subject:messages", "strong:train"): what its scope is made of."""
    return {f"{group}:{term.lower()}" for group, hits in f.hits.items() for _, term in hits}


def _read(text: str, lang: str, *, lead: str = "", lead_ban: bool = False, training_near: bool = False) -> _Reading:
    """Every sentence of a clause through the rules (`_units`, read with the clause's list lead-in and a list
    item's lead-in inside the clause, as `_analyse` reads them); an objection sentence counts as an opt-out when
    the clause or (`training_near`) its section says the service trains AI on user data."""
    reading = _Reading()
    text = text[:MAX_CLAUSE]
    scope: dict[Category, set[str]] = {}
    units = _units(text)
    for unit in units:
        context = " ".join(part for part in (lead, unit.lead) if part)
        if not might_concern_ai(unit.text) and not (context and might_concern_ai(context)):
            continue    # no AI or training stem in the sentence or its lead-in: nothing to flag
        ban = lead_ban or (bool(unit.lead) and has_prohibition(unit.lead, lang))
        f = facts(unit.text, lang, lead_prohibition=ban)
        found = _evaluate(unit.text, context, lang, ban, own=f)
        if not found:
            continue
        words, terms = _words(unit.text), _terms(f)
        reading.said.append((words, found))
        for category, (score, evidence) in found.items():
            previous = reading.found.get(category)
            if previous is None or score > previous[0]:
                reading.found[category] = (score, evidence)
            scope.setdefault(category, set()).update(terms)
            reading.giving.setdefault(category, []).append((words, evidence, terms))
    if Category.AI_TRAINING in reading.found:
        reading.found.pop(Category.AI_FEATURE, None)
    training = Category.AI_TRAINING in reading.found or training_near
    if training and Category.AI_OPT_OUT not in reading.found and patterns(lang)["optout"].search(text):
        for unit in units:
            f = facts(unit.text, lang)
            f.section_training = True
            result = rule_opt_out(f)
            if result is not None:
                reading.found[Category.AI_OPT_OUT] = result
                scope[Category.AI_OPT_OUT] = _terms(f)
                words = _words(unit.text)
                reading.said.append((words, {Category.AI_OPT_OUT: result}))
                reading.giving[Category.AI_OPT_OUT] = [(words, result[1], _terms(f))]
                break
    reading.scope = {category: frozenset(scope.get(category, ())) for category in reading.found}
    return reading


#: Term groups whose new terms widen what a clause says even in a restated sentence: the user data a training
#: or opt-out clause covers ("your posts" -> "your posts and your private messages").
_SCOPE_GROUPS = ("subject:",)
_DATA_CATEGORIES = (Category.AI_TRAINING, Category.AI_OPT_OUT)


def _restated(new: _Reading, old: _Reading, category: Category) -> bool:
    """True when every sentence of the new text that gives `category` restates a sentence of the old text that
    gave it (`_restates`) and, for training and opt-out, names no user data the old text did not: a rename or a
    rewording adds nothing."""
    if not new.giving.get(category):
        return False
    data: set[str] = set()
    if category in _DATA_CATEGORIES:
        data = {t for _, _, terms in old.giving.get(category, []) for t in terms if t.startswith(_SCOPE_GROUPS)}
    return all(_restates(words, category, evidence, old.said)
               and (category not in _DATA_CATEGORIES or {t for t in terms if t.startswith(_SCOPE_GROUPS)} <= data)
               for words, evidence, terms in new.giving[category])


def _training_nearby(new_clauses: Sequence[str], sections: list[int], index: int | None, lang: str) -> bool:
    """Whether a clause of the new version shortly before `index`, in its section, says the service trains AI
    on user data (changed or not: a modified objection clause keeps the context of the unchanged training
    clause). An objection refers back to the training it objects to, as for added clauses."""
    if index is None or not 0 <= index < len(sections):
        return False
    for i in range(max(0, index - OPT_OUT_REACH), index):
        if sections[i] == sections[index] and not is_heading(new_clauses[i]) and \
                Category.AI_TRAINING in _read(new_clauses[i], lang).found:
            return True
    return False


def _own_hint(text: str, lang: str) -> str | None:
    return next((hint for _, sentence in _sentences(text) if (hint := find_opt_out(sentence, lang))), None)


def _judge_modified(item: _Clause, lang: str, new_clauses: Sequence[str], sections: list[int],
                    in_section: bool, now: datetime) -> None:
    """A modified clause is judged by what it now says: it keeps the categories it (still) has when its scope
    (the rules' evidence), its dates or its opt-out changed, or when it did not have them before. A clause
    reworded without any of that is not flagged again, nor one whose sentences giving the category only
    restate old ones (`_restated`: a rename, a typo fix). `previous` keeps the dates it had."""
    old_text = (item.change.old or "")[:MAX_CLAUSE]
    # An unchanged training clause nearby keeps an objection clause an opt-out, but does not make one of a
    # clause that was none (a general "withdraw your consent" added under a training purpose).
    unchanged_only = not in_section and _training_nearby(new_clauses, sections, item.change.new_index, lang)
    near = in_section or unchanged_only
    lead = _lead_in(new_clauses, item.change.new_index)
    lead_ban = bool(lead) and has_prohibition(lead, lang)
    new = _read(item.text, lang, lead=lead, lead_ban=lead_ban, training_near=near)
    if not new.found:
        item.found = {}
        return
    old = _read(old_text, lang, lead=lead, lead_ban=lead_ban, training_near=near)
    references = _dated([item.text, old_text], lang, now)
    old_dates = [f.flag_date for f in find_dates(old_text, lang, now=now, references=references)]
    new_dates = [f.flag_date for f in find_dates(item.text, lang, now=now, references=references)]
    changed = ({(d.date, d.role) for d in old_dates} != {(d.date, d.role) for d in new_dates}
               or _own_hint(old_text, lang) != _own_hint(item.text, lang))
    if unchanged_only and Category.AI_OPT_OUT not in old.found and Category.AI_TRAINING not in new.found:
        new.found.pop(Category.AI_OPT_OUT, None)
    item.found = {category: result for category, result in new.found.items()
                  if changed or category not in old.found
                  or (new.scope[category] != old.scope[category] and not _restated(new, old, category))}
    item.previous = _dedupe(old_dates, set())


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
        if change.kind is ClauseKind.MODIFIED:   # what it now says, as a whole; judged against the old text below
            lead = _lead_in(new_clauses, change.new_index)
            item.found = _read(text, lang, lead=lead, lead_ban=bool(lead) and has_prohibition(lead, lang)).found
        elif might_concern_ai(text):
            _analyse(item, lang, new_clauses, removed)

    for item in items:
        if Category.AI_TRAINING in item.found:
            item.found.pop(Category.AI_FEATURE, None)
    def training_near(item: _Clause) -> bool:
        index = item.change.new_index
        return index is not None and any(section == item.section and 0 <= index - at <= OPT_OUT_REACH
                                         for section, at in training_at)

    # Added training clauses give their section's context; modified clauses are judged with it, and then
    # count as context themselves only when the judgement keeps their training flag.
    training_at = [(i.section, i.change.new_index) for i in items if i.change.kind is ClauseKind.ADDED
                   and Category.AI_TRAINING in i.found and i.change.new_index is not None]
    for item in items:
        if item.change.kind is ClauseKind.MODIFIED and not is_heading(item.change.text):
            _judge_modified(item, lang, new_clauses, sections, training_near(item), now)
    training_at += [(i.section, i.change.new_index) for i in items if i.change.kind is ClauseKind.MODIFIED
                     and Category.AI_TRAINING in i.found and i.change.new_index is not None]
    for item in items:
        in_section = Category.AI_TRAINING in item.found or training_near(item)
        if item.change.kind is ClauseKind.MODIFIED:
            continue
        if item.change.kind is ClauseKind.REMOVED:
            old = item.change.old or ""
            if might_concern_ai(old) and optout_re.search(old) and not is_heading(old):
                result = rule_opt_out(facts(old[:MAX_CLAUSE], lang))
                if result is not None:
                    item.found[Category.AI_OPT_OUT] = result
            continue
        if Category.AI_OPT_OUT in item.found or not in_section or not optout_re.search(item.text):
            continue
        for _, sentence in _sentences(item.text):
            f = facts(sentence, lang)
            f.section_training = True
            result = rule_opt_out(f)
            if result is not None:
                item.found[Category.AI_OPT_OUT] = result
                break

    flagged = [i for i in items if i.found]
    if not flagged:
        return []
    references = _dated([i.text for i in items if i.change.kind is not ClauseKind.REMOVED], lang, now)
    doc_dates = _doc_dates(items, lang, now, references)
    flags: list[Flag] = []
    for item in flagged:
        dates = _flag_dates(item, new_clauses, lang, now, references, doc_dates)
        hint = _hint(item, items, lang, links)
        for category in sorted(item.found, key=_ORDER.__getitem__):
            score, evidence = item.found[category]
            flags.append(Flag(
                category=category, score=round(min(max(score, 0.0), 1.0), 2), clause=item.change.text,
                language=lang, clause_kind=item.change.kind, evidence=evidence, dates=dates,
                opt_out=hint if category in (Category.AI_TRAINING, Category.AI_OPT_OUT) else None,
                previous_dates=item.previous))
    return flags


def _flag_dates(item: _Clause, new_clauses: Sequence[str], lang: str, now: datetime, references: list[date],
                doc_dates: list[FlagDate]) -> tuple[FlagDate, ...]:
    """The dates of one flagged clause: its own, its list lead-in's and its heading's, then the change's
    document-level dates. A year-less date takes its year from the dated dates of the clause, its lead-in or
    heading, else of the whole change, else the first such day on or after the version's date (`now`)."""
    context: list[str] = []
    if item.change.kind is not ClauseKind.REMOVED:
        context.append(_lead_in(new_clauses, item.change.new_index))
        if 0 <= item.section < len(new_clauses) and item.section != item.change.new_index:
            context.append(new_clauses[item.section][:MAX_CLAUSE])
    context = [text for text in context if text]
    near = _dated([item.text, *context], lang, now) or references
    found = [f for text in (item.text, *context) for f in find_dates(text, lang, now=now, references=near)]
    inferred = {f.flag_date for f in found if f.inferred}
    return _dedupe([f.flag_date for f in found] + doc_dates[:MAX_DOC_DATES], inferred)


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

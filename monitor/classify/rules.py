"""Sentence-level rules: which generative-AI categories one sentence supports, and why.

A sentence is first reduced to `Facts` (where each term group of the language pack matched, by word position);
each rule of `RULES` (category -> callable) then reads the facts and answers a score and its evidence, or None.
The rules are co-occurrence tests, not sentence lists:

- ai_training: a training verb near an AI object ("train ... machine learning models"), or a develop/improve
  verb right next to one ("develop and improve our AI"), not negated ("we do not use ... to train") and not a
  ban addressed to users or third parties;
- ai_scraping_ban: a prohibition (in the sentence or the lead-in of its list) + AI + scraping, training or use;
- ai_opt_out: an objection / opt-out cue + AI or training words, or a section that announces training;
- ai_feature: AI + a feature or processing cue, when the sentence does not announce training;
- ai_content_rules: AI-generated content mentioned in a sentence that is not a scraping ban.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from monitor.classify.languages import RULE_GROUPS
from monitor.classify.lexicon import ACRONYMS, PREFILTER_STEMS, TERMS
from monitor.models import Category

#: Groups whose English terms also count in other languages (technical vocabulary crosses languages).
_SHARED = frozenset({"ai", "strong", "weak", "generated", "scrape", "feature", "learning"})
_GROUPS = RULE_GROUPS
_WORD_RE = re.compile(r"\w+(?:['’]\w+)?", re.UNICODE)
_BREAK_RE = re.compile(r"[:()]")

#: Proximity windows, in words.
STRONG_WINDOW = 25       # "train" ... "AI models" within the same sentence span
WEAK_BEFORE = 8          # "develop and improve our algorithms and machine learning models"
WEAK_AFTER = 6           # "les technologies d'IA que nous développons", "KI-Modelle zu entwickeln" (a relative or
                         # infinitive marker in between)
USER_AGENT_WINDOW = 8    # "provide you with functionality ... to fine-tune models": the user trains
NEGATION_WINDOW = 6      # "werden nicht zum Training", "används inte för att träna"
CONDITIONAL_WINDOW = 4   # "if you do not want", "si vous ne souhaitez pas"
OPT_OUT_WINDOW = 4       # "opt out of model training", "s'opposer à l'entraînement": the objection's object
LEARNING_WINDOW = 20     # "Developing and improving new features and services, including through machine learning"
PURPOSE_WINDOW = 3       # "for our machine learning purposes", "à des fins d'apprentissage automatique"


def _fragment(frag: str) -> str:
    tail = "" if frag.endswith(("'", "’")) else r"(?!\w)"
    return rf"(?:{frag}){tail}"


def _alternation(frags: list[str]) -> str:
    """One word-initial alternation (a single leading look-behind keeps the regex engine fast)."""
    return r"(?<!\w)(?:" + "|".join(_fragment(f) for f in frags) + ")" if frags else r"(?!)"


@lru_cache(maxsize=32)
def patterns(language: str) -> dict[str, re.Pattern[str]]:
    """Compiled term groups for a language (unknown languages get English)."""
    lang = language if language in TERMS else "en"
    compiled: dict[str, re.Pattern[str]] = {}
    for group in _GROUPS:
        frags = list(TERMS[lang].get(group, ()))
        if lang != "en" and group in _SHARED:
            frags += TERMS["en"].get(group, ())
        if group == "ai":    # a learning process is also an AI term: "machine learning", "apprentissage automatique"
            frags += TERMS[lang].get("learning", ()) + (TERMS["en"].get("learning", ()) if lang != "en" else ())
        compiled[group] = re.compile(_alternation(frags), re.IGNORECASE)
    return compiled


_ACRONYM_RE = re.compile(r"(?<![^\W\d_])(?:" + "|".join(ACRONYMS) + r")(?![^\W\d_])")


def might_concern_ai(text: str) -> bool:
    """Cheap pre-filter: False when no AI or training stem of any language occurs in `text`."""
    if _ACRONYM_RE.search(text):
        return True
    low = text.lower()
    return any(stem in low for stem in PREFILTER_STEMS)


@dataclass(slots=True)
class Facts:
    """Where each term group matched in one sentence (word positions), plus context from around it."""

    text: str
    hits: dict[str, list[tuple[int, str]]]
    breaks: list[int] = field(default_factory=list)   # word positions right after ":" "(" ")"
    ai_ends: dict[int, int] = field(default_factory=dict)   # AI term start -> its last word position
    colons: list[int] = field(default_factory=list)   # word positions right after ":"
    words: list[str] = field(default_factory=list)    # the words, lower case
    function: frozenset[str] = frozenset()            # the language's function words
    lead_prohibition: bool = False     # the lead-in of a list item bans something
    section_training: bool = False     # the section announces AI training (set by the caller)
    notes: list[str] = field(default_factory=list)

    def has(self, group: str) -> bool:
        return bool(self.hits.get(group))

    def terms(self, group: str) -> list[str]:
        return [term for _, term in self.hits.get(group, [])]


def facts(text: str, language: str, *, lead_prohibition: bool = False) -> Facts:
    """Match every term group of `language` in `text` (typographic apostrophes read as ASCII ones)."""
    text = text.replace("’", "'")
    starts = [m.start() for m in _WORD_RE.finditer(text)]
    hits: dict[str, list[tuple[int, str]]] = {}
    ai_ends: dict[int, int] = {}
    for group, pattern in patterns(language).items():
        found: list[tuple[int, str]] = []
        for m in pattern.finditer(text):
            pos = bisect_right(starts, m.start()) - 1
            found.append((pos, m.group(0)))
            if group == "ai":   # where each AI term ends, for what follows it ("AI content", "models built from")
                ai_ends[pos] = max(pos, bisect_right(starts, m.end() - 1) - 1)
        if found:
            hits[group] = found
    breaks = [bisect_right(starts, m.start()) for m in _BREAK_RE.finditer(text)]
    colons = [p for p, ch in zip(breaks, (m.group(0) for m in _BREAK_RE.finditer(text)), strict=True) if ch == ":"]
    words = [m.group(0).lower() for m in _WORD_RE.finditer(text)]
    return Facts(text=text, hits=hits, breaks=breaks, lead_prohibition=lead_prohibition, ai_ends=ai_ends,
                 colons=colons, words=words, function=_function_words(language))


@lru_cache(maxsize=32)
def _function_words(language: str) -> frozenset[str]:
    return frozenset(TERMS.get(language, TERMS["en"]).get("function", ()))


def _negated(f: Facts, verb_positions: list[int]) -> str | None:
    """The negation cue that governs one of the verbs, if any ("does not use ... to train")."""
    anchors = sorted(set(verb_positions) | {p for p, _ in f.hits.get("use", [])})
    conditionals = [p for p, _ in f.hits.get("conditional", [])]
    not_only = [p for p, _ in f.hits.get("not_only", [])]
    last_verb = max(verb_positions)
    nouns = [p for p, _ in f.hits.get("subject", [])]
    for pos, term in f.hits.get("negation", []):
        if pos > last_verb:
            continue
        first_anchor = min((a for a in anchors if a > pos), default=None)
        if first_anchor is not None and any(pos < n < first_anchor for n in nouns) and not any(
                0 < a - pos <= 2 for a in anchors):
            continue     # "data that is not personal data to develop ...": the negation qualifies a noun
        if any(0 <= pos - c <= CONDITIONAL_WINDOW for c in conditionals):
            continue
        if any(0 <= pos - n <= 1 for n in not_only):
            continue
        if any(0 < a - pos <= NEGATION_WINDOW and a <= last_verb for a in anchors):
            return term
    return None


_PARTICIPLE_RE = re.compile(r"(?:ed|built|made|é|ée|és|ées|t|ado|ada|ados|adas|ido|ida|idos|idas|ato|ata|ati|ate|"
                            r"ito|ita|iti|ite|d|ad|at|ade|ony|ona|one|ane|any)$", re.IGNORECASE)
_NOUN_RE = re.compile(r"(?:ment|ing|ung|ion|ción|zione|ção|cja|ing)$", re.IGNORECASE)


def _training_pairs(f: Facts) -> tuple[list[int], list[str], float]:
    """Verb positions that bind to an AI object, their evidence, and the strength (0 when none)."""
    ai = f.hits.get("ai", [])
    if not ai:
        return [], [], 0.0
    verbs: list[int] = []
    evidence: list[str] = []
    strength = 0.0
    for pos, term in f.hits.get("strong", []):
        if term.lower().endswith("ed") and (any(a[0] - pos == 1 for a in ai) or _modifies_noun(f, pos, term)):
            continue    # "Fine-Tuned Models", "pre-trained models": a kind of model, not an act of training
        near = [a for a in ai if abs(a[0] - pos) <= STRONG_WINDOW]
        if near:
            verbs.append(pos)
            evidence.append(f"train:{term}~{near[0][1]}")
            strength = 1.0
    relatives = [p for p, _ in f.hits.get("relative", [])]
    features = [p for p, _ in f.hits.get("feature", [])]
    instruments = [p for p, _ in f.hits.get("instrument", [])]
    materials = [p for p, _ in f.hits.get("material", [])]
    learning = {p for p, _ in f.hits.get("learning", [])}
    optout = f.has("optout")
    # For develop/improve, the AI term must be the thing developed: not "AI features" (unless users may opt out
    # of that development), not "assisted by AI", not "AI content" (what an AI produced).
    objects = [a for a in ai
               if (optout or not any(-2 <= a[0] - p <= 1 and p != a[0] for p in features))
               and (a[0] in learning or not any(1 <= a[0] - p <= 2 for p in instruments))
               and not any(p == f.ai_ends.get(a[0], a[0]) + 1 for p in materials)]
    subjects = [p for p, _ in f.hits.get("subject", [])]
    for pos, term in f.hits.get("weak", []):
        near = [a for a in objects if (0 < a[0] - pos <= WEAK_BEFORE and not _colon_between(f, pos, a[0]))
                or (0 < pos - a[0] <= WEAK_AFTER and any(a[0] < r < pos for r in relatives))]
        # Machine learning names learning from data itself: developing "through machine learning" anywhere in
        # the verb's clause is training, brackets included ("development activities (e.g. conducting ML)").
        near += [a for a in objects if a[0] in learning and 0 < a[0] - pos <= LEARNING_WINDOW
                 and not any(pos < c <= a[0] for c in f.colons)]
        end_of = {a[0]: f.ai_ends.get(a[0], a[0]) for a in objects}
        # "AI product improvement", "models built from usage data": a develop noun or participle after the AI term.
        near += [a for a in objects if 0 < pos - end_of[a[0]] <= 2 and not _colon_between(f, a[0], pos)
                 and (_NOUN_RE.search(term) or (_PARTICIPLE_RE.search(term) and pos - end_of[a[0]] == 1
                                                and any(0 < n - pos <= 4 for n in subjects)))]
        if near:
            verbs.append(pos)
            evidence.append(f"develop:{term}~{near[0][1]}")
            strength = max(strength, 0.7)
    # "AI, machine learning and algorithmic tools used for the purposes above": the document's purposes (which
    # include improving the service) are pursued with users' data through AI.
    if f.has("purposes_ref") and f.has("use") and not verbs:
        pos, term = f.hits["purposes_ref"][0]
        verbs.append(pos)
        evidence.append(f"purposes:{term}~{ai[0][1]}")
        strength = max(strength, 0.6)
    # "use anonymized data for machine learning purposes": learning is the purpose data is used for.
    if f.has("use") or f.has("subject"):
        for pos, term in f.hits.get("purpose", []):
            near = [a for a in ai if a[0] in learning and 0 < a[0] - pos <= PURPOSE_WINDOW]
            if near:
                verbs.append(pos)
                evidence.append(f"purpose:{term}~{near[0][1]}")
                strength = max(strength, 0.7)
    return verbs, evidence, strength


def _modifies_noun(f: Facts, pos: int, term: str) -> bool:
    """True when a participle is followed right away by a word that is neither a function word nor an
    instrument: "fine-tuned models", "trained staff" name a kind of thing ("trained on", "trained our" do not)."""
    after = pos + len(_WORD_RE.findall(term))
    if after >= len(f.words):
        return False
    instruments = {p for p, _ in f.hits.get("instrument", [])}
    return f.words[after] not in f.function and after not in instruments


def _colon_between(f: Facts, start: int, end: int) -> bool:
    """True when a colon or bracket separates two word positions (a label, not a verb and its object)."""
    return any(start < p <= end for p in f.breaks)


def _prohibited(f: Facts) -> list[str]:
    found = f.terms("prohibition")
    return found + (["lead-in:prohibition"] if f.lead_prohibition and not found else [])


Result = tuple[float, tuple[str, ...]] | None


def rule_scraping_ban(f: Facts) -> Result:
    """Users or third parties may not use the service's content for AI (scrape, mine, train...)."""
    bans = _prohibited(f)
    if not bans or not f.has("ai") or f.has("optout"):
        return None     # "you may instruct us not to use ... by using the opt-out": an objection, not a ban
    verbs, pair_evidence, _ = _training_pairs(f)
    if f.has("generated") and not verbs and not f.has("scrape"):
        return None     # a ban about AI-generated content is a content rule
    used_material = f.terms("use")[:1] + f.terms("material")[:1] if f.has("use") and f.has("material") else []
    reasons = f.terms("scrape") + pair_evidence + used_material
    if not reasons:
        return None
    score = 0.6 + 0.15 * bool(f.has("scrape")) + 0.15 * bool(verbs)
    return min(score, 0.95), tuple(dict.fromkeys(["ban:" + bans[0]] + reasons[:3] + ["ai:" + f.terms("ai")[0]]))


def rule_training(f: Facts) -> Result:
    """The service uses or may use users' data or content to train, develop or improve AI models."""
    verbs, evidence, strength = _training_pairs(f)
    if not verbs:
        return None
    if _prohibited(f):
        return None
    negation = _negated(f, verbs)
    if negation is not None:
        f.notes.append(f"negated:{negation}")
        return None
    agents = [p for p, _ in f.hits.get("user_agent", [])]
    if any(0 < min(verbs) - a <= USER_AGENT_WINDOW for a in agents):
        f.notes.append("user-driven")
        return None     # a feature that lets the user train or fine-tune, not the service training on them
    if strength < 1.0 and f.has("generated"):
        return None     # "content generated or enhanced with AI": a content rule, not training
    score = 0.55 + 0.25 * strength + 0.1 * bool(f.has("subject"))
    subject = [f"subject:{t}" for t in f.terms("subject")[:1]]
    return min(score, 0.95), tuple(dict.fromkeys(evidence[:3] + subject))


def rule_opt_out(f: Facts) -> Result:
    """How or until when users can object to AI training."""
    cues = f.terms("optout")
    if not cues:
        return None
    topic = f.terms("strong")[:1] + f.terms("ai")[:1]
    if not topic and not f.section_training:
        return None
    cue_at = [p for p, _ in f.hits.get("optout", [])]
    near_training = any(0 < p - c <= OPT_OUT_WINDOW for p, _ in f.hits.get("strong", []) for c in cue_at)
    if not f.section_training and not (near_training or (f.has("strong") and f.has("ai"))):
        return None    # objecting to an AI feature is not objecting to training; without an AI term, the training
                       # word must be what is objected to ("opt out of model training"), not "refuser ... peut
                       # entraîner" (may lead to)
    evidence = ["optout:" + cues[0]] + [f"topic:{t}" for t in topic] + (["section:ai_training"]
                                                                      if f.section_training else [])
    return 0.6 + 0.2 * bool(topic) + 0.1 * f.section_training, tuple(evidence)


def rule_feature(f: Facts) -> Result:
    """An AI feature processes users' data (assistant, chatbot, summaries), without training on it; or the
    service uses AI as the means of doing something ("we use machine learning to detect spam", "durch eine
    künstliche Intelligenz auswerten"), which no ban addresses to users."""
    if not f.has("ai"):
        return None
    if f.has("feature"):
        return 0.6 + 0.1 * bool(f.has("subject")), ("ai:" + f.terms("ai")[0], "feature:" + f.terms("feature")[0])
    means = _ai_as_means(f)
    if means is None or _prohibited(f):
        return None
    return 0.6, ("ai:" + f.terms("ai")[0], "means:" + means)


MEANS_WINDOW = 3     # "we use AI and automated systems", "uses machine learning models", "via machine learning"


def _ai_as_means(f: Facts) -> str | None:
    """The use verb or instrument word that makes an AI term the means of an action, if any."""
    for pos, _ in f.hits.get("ai", []):
        for group, window in (("use", MEANS_WINDOW), ("instrument", 2)):
            for p, term in f.hits.get(group, []):
                if 0 < pos - p <= window and not _colon_between(f, p, pos):
                    return term
    return None


def rule_content_rules(f: Facts) -> Result:
    """Rules about AI-generated content (labelling, deception, monetisation)."""
    if not f.has("generated") or not (f.has("rule") or f.has("prohibition")):
        return None
    cue = (f.terms("rule") + f.terms("prohibition"))[0]
    return 0.7 + 0.1 * bool(f.has("prohibition")), ("generated:" + f.terms("generated")[0], "rule:" + cue)


RULES: dict[Category, Callable[[Facts], Result]] = {
    Category.AI_SCRAPING_BAN: rule_scraping_ban,
    Category.AI_TRAINING: rule_training,
    Category.AI_OPT_OUT: rule_opt_out,
    Category.AI_FEATURE: rule_feature,
    Category.AI_CONTENT_RULES: rule_content_rules,
}


def evaluate(f: Facts) -> dict[Category, tuple[float, tuple[str, ...]]]:
    """Run every rule over one sentence's facts, with the precedence between them applied."""
    out: dict[Category, tuple[float, tuple[str, ...]]] = {}
    for category, rule in RULES.items():
        result = rule(f)
        if result is not None:
            out[category] = result
    if Category.AI_SCRAPING_BAN in out:
        out.pop(Category.AI_TRAINING, None)
        out.pop(Category.AI_CONTENT_RULES, None)
        out.pop(Category.AI_FEATURE, None)
    if Category.AI_TRAINING in out or Category.AI_CONTENT_RULES in out:
        out.pop(Category.AI_FEATURE, None)
    return out


def has_prohibition(text: str, language: str) -> bool:
    """True when `text` (a list's lead-in) states a ban."""
    return bool(patterns(language)["prohibition"].search(text))

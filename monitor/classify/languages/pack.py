"""`LanguagePack`: everything the classifier knows about one language, as data.

Term groups are regular-expression fragments matched case-insensitively at word starts (a fragment wrapped
in ``(?-i:...)`` is case-sensitive: acronyms such as AI, IA, KI are ordinary words in lower case — Italian
"ai", French "ia"). `rules.py` reads the groups of `RULE_GROUPS`; `dates.py` reads `DATE_GROUPS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

#: Term groups the sentence rules read (rules.py); every pack defines each one.
RULE_GROUPS: Final = (
    "ai",  # the AI object: artificial intelligence, machine learning, language models...
    "strong",  # training verbs and nouns: train, fine-tune, entraîner, trainieren...
    "weak",  # develop / improve / enhance verbs, which need an AI object close by
    "use",  # plain "use" verbs, the anchor of a negation ("we do not use ... to train")
    "subject",  # users' data or content
    "negation",
    "conditional",  # suspends a following negation: "if you do not want"
    "not_only",  # "not only", which is no negation
    "prohibition",  # a ban addressed to users or third parties
    "scrape",  # automated extraction, third parties, the service's own content
    "optout",  # objecting or opting out
    "feature",  # AI features that process data: assistant, chatbot, summaries...
    "generated",  # AI-generated content
    "relative",  # relative / infinitive markers between a develop verb and its AI object
    "material",  # content, data, works (what a ban protects)
    "user_agent",  # "lets you", "you can": the user, not the service, acts
    "rule",  # obligations and bans about content (must, label, disclose)
    "instrument",  # "by", "with": AI as the means, not the thing developed
    "learning",  # learning from data named as a process: machine learning, apprentissage automatique...
    "purpose",  # the preposition of a purpose: "for", "pour", "für" (data used "for machine learning")
    "purposes_ref",  # "for the purposes described above": a reference to the document's list of purposes
)
#: Date-role cue groups (dates.py): effective, deadline, "last updated", and the word of "on <date> we updated".
DATE_GROUPS: Final = ("effective", "deadline", "updated", "announce")


@dataclass(frozen=True, slots=True, kw_only=True)
class LanguagePack:
    """One language: its term groups, months, date words, opt-out path words and detection words."""

    code: str  # ISO 639-1
    name: str
    terms: Mapping[str, tuple[str, ...]]  # RULE_GROUPS + DATE_GROUPS -> regex fragments
    months: Mapping[str, int]  # month names and abbreviations (lower case) -> 1..12
    date_order: str  # numeric dates: "DMY" or "MDY" when ambiguous
    function_words: tuple[str, ...]  # frequent words that tell this language apart (detection)
    acronyms: tuple[str, ...]  # case-sensitive AI acronyms (AI, KI, IA, SI...), regex fragments
    prefilter_stems: tuple[str, ...]  # lower-case stems of which one occurs in every flaggable clause
    date_fillers: tuple[str, ...]  # words between a role cue and its date ("until the", "bis zum")
    update_stems: tuple[str, ...]  # stems of "update / amend" ("on 3 May we updated ...")
    optout_stop_words: tuple[str, ...]  # words that introduce a settings path ("in", "unter", "dans")
    clause_end_words: tuple[str, ...]  # words that end a settings path ("if", "si", "wenn")
    trailing_verbs: tuple[str, ...]  # verbs after a settings path ("... > KI-Training widersprechen")
    letters: str = ""  # letters of this language rarer elsewhere (detection of short text)
    abbreviations: tuple[str, ...] = ()  # abbreviations whose period ends no sentence ("e.g", "z. B")

    def group(self, name: str) -> tuple[str, ...]:
        """The fragments of one term group (empty when the pack has none)."""
        return self.terms.get(name, ())

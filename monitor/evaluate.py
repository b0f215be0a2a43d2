"""Replay a labelled corpus through the daemon's diff and classifier, and score it.

A corpus is a directory of `cases/<id>/` folders holding `before.md`, `after.md` and `meta.json` (see
../shared/corpus/README.md). Each case is converted with `clauses_from_markdown`, diffed with `diff_clauses`
and classified with no configured language (the daemon usually has none: the classifier detects it). A case
is predicted positive for a category when a flag of that category exists on an added or modified clause
(labels say what the change ADDS, so flags on removed clauses do not count). Date accuracy is the share of
the `effective` and `deadline` dates of positive cases found among the change's flags with the same ISO date
and role.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.classify import classify
from monitor.diff import diff_clauses
from monitor.errors import ConfigError
from monitor.extract.markdown import clauses_from_markdown
from monitor.models import Category, ClauseKind, Flag
from monitor.timeutil import from_iso

#: `now` for cases whose meta.json has no new_date.
DEFAULT_NOW = datetime(2025, 9, 18, tzinfo=UTC)
_CATEGORIES = tuple(str(c) for c in Category)


@dataclass(slots=True)
class Score:
    """Case-level confusion counts of one category (or one language for ai_training)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def to_json(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": _round(self.precision), "recall": _round(self.recall)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Error:
    """A miss (label without a flag) or a false alarm (flag without a label), with the clauses involved."""

    case: str
    category: str
    kind: str                    # "miss" | "false_alarm" | "date_miss"
    clauses: tuple[str, ...] = ()
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"case": self.case, "category": self.category, "kind": self.kind, "clauses": list(self.clauses),
                "detail": self.detail}


@dataclass(slots=True)
class EvalReport:
    """The scores of one corpus replay."""

    corpus: str
    cases: int = 0
    categories: dict[str, Score] = field(default_factory=lambda: {c: Score() for c in _CATEGORIES})
    languages: dict[str, dict[str, Score]] = field(default_factory=dict)
    dates_expected: int = 0
    dates_found: int = 0
    plain_negative_training_flags: int = 0
    errors: list[Error] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def date_accuracy(self) -> float | None:
        return self.dates_found / self.dates_expected if self.dates_expected else None

    def to_json(self) -> dict[str, Any]:
        return {
            "corpus": self.corpus, "cases": self.cases, "seconds": round(self.seconds, 2),
            "categories": {c: s.to_json() for c, s in self.categories.items()},
            "languages": {lang: {c: s.to_json() for c, s in scores.items()}
                          for lang, scores in sorted(self.languages.items())},
            "dates": {"expected": self.dates_expected, "found": self.dates_found,
                      "accuracy": _round(self.date_accuracy)},
            "plain_negative_training_flags": self.plain_negative_training_flags,
            "errors": [e.to_json() for e in self.errors],
        }

    def format_text(self) -> str:
        lines = [f"corpus {self.corpus}: {self.cases} cases in {self.seconds:.1f}s", "",
                 f"{'category':<18} {'precision':>9} {'recall':>7}   tp  fp  fn  tn"]
        for name, s in self.categories.items():
            lines.append(f"{name:<18} {_pct(s.precision):>9} {_pct(s.recall):>7}  {s.tp:3d} {s.fp:3d} {s.fn:3d}"
                         f" {s.tn:3d}")
        lines += ["", "per language (precision / recall, tp fp fn):"]
        for lang, scores in sorted(self.languages.items()):
            cells = [f"{c}={_pct(s.precision)}/{_pct(s.recall)} ({s.tp} {s.fp} {s.fn})"
                     for c, s in scores.items() if s.tp + s.fp + s.fn]
            lines.append(f"  {lang}: " + ("; ".join(cells) or "no positives, no flags"))
        lines += ["", f"dates (effective/deadline of positive cases, right ISO date and role): "
                      f"{self.dates_found}/{self.dates_expected} = {_pct(self.date_accuracy)}",
                  f"ai_training flags on plain negatives: {self.plain_negative_training_flags}"]
        if self.errors:
            lines += ["", "misses and false alarms:"]
            for e in self.errors:
                lines.append(f"- [{e.kind}] {e.case} {e.category}{': ' + e.detail if e.detail else ''}")
                for clause in e.clauses[:3]:
                    lines.append(f"    > {clause[:300]}")
        return "\n".join(lines)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _now(meta: dict[str, Any]) -> datetime:
    raw = meta.get("new_date")
    if isinstance(raw, str):
        try:
            return from_iso(raw)
        except ValueError:
            pass
    return DEFAULT_NOW


def _labels(meta: dict[str, Any]) -> set[str]:
    return {str(label) for label in meta.get("labels", []) if label in _CATEGORIES}


def _key_text(meta: dict[str, Any]) -> tuple[str, ...]:
    raw = meta.get("key_added_text") or ()
    return (raw,) if isinstance(raw, str) else tuple(str(t) for t in raw)


def replay_case(case_dir: Path) -> tuple[dict[str, Any], list[Flag]]:
    """meta.json and the flags the classifier gives one case; a case that cannot be read is a ConfigError
    naming its file."""
    meta_path = case_dir / "meta.json"
    try:
        meta = json.loads(_read(meta_path))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON ({exc})", path=str(meta_path)) from None
    if not isinstance(meta, dict):
        raise ConfigError("not a JSON object", path=str(meta_path))
    old = clauses_from_markdown(_read(case_dir / "before.md"))
    new = clauses_from_markdown(_read(case_dir / "after.md"))
    return meta, classify(diff_clauses(old, new), new, now=_now(meta))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(getattr(exc, "strerror", None) or str(exc), path=str(path)) from None


def _case_dirs(corpus_dir: Path) -> Iterable[Path]:
    root = corpus_dir / "cases" if (corpus_dir / "cases").is_dir() else corpus_dir
    return sorted(p for p in root.iterdir() if (p / "meta.json").is_file())


def evaluate_corpus(corpus_dir: str | Path) -> EvalReport:
    """Replay every case of a corpus and score the classifier (see the module docstring)."""
    import time

    corpus = Path(corpus_dir)
    if not corpus.is_dir():
        raise ConfigError("not a corpus directory", path=str(corpus))
    report = EvalReport(corpus=str(corpus))
    started = time.perf_counter()
    cases = list(_case_dirs(corpus))
    if not cases:
        raise ConfigError("no cases (cases/<id>/meta.json)", path=str(corpus))
    for case_dir in cases:
        meta, flags = replay_case(case_dir)
        _score(report, case_dir.name, meta, flags)
    report.seconds = time.perf_counter() - started
    return report


def _score(report: EvalReport, case: str, meta: dict[str, Any], flags: list[Flag]) -> None:
    report.cases += 1
    labels = _labels(meta)
    lang = str(meta.get("language") or "?")
    counted = [f for f in flags if f.clause_kind is not ClauseKind.REMOVED]
    predicted = {str(f.category) for f in counted}
    per_lang = report.languages.setdefault(lang, {c: Score() for c in _CATEGORIES})
    for category in _CATEGORIES:
        hit, actual = category in predicted, category in labels
        report.categories[category].add(hit, actual)
        per_lang[category].add(hit, actual)
        if actual and not hit:
            report.errors.append(Error(case=case, category=category, kind="miss", clauses=_key_text(meta)))
        elif hit and not actual:
            report.errors.append(Error(case=case, category=category, kind="false_alarm",
                                       clauses=tuple(dict.fromkeys(f.clause for f in counted
                                                                   if str(f.category) == category)),
                                       detail=", ".join(next(f.evidence for f in counted
                                                             if str(f.category) == category))))
    if meta.get("kind") == "plain_negative":
        report.plain_negative_training_flags += sum(1 for f in flags if f.category is Category.AI_TRAINING)
    if meta.get("kind") != "positive":
        return
    found = {(d.date.isoformat(), str(d.role)) for f in flags for d in f.dates}
    for expected in meta.get("dates", []):
        if expected.get("role") not in ("effective", "deadline"):
            continue
        report.dates_expected += 1
        if (expected.get("iso"), expected.get("role")) in found:
            report.dates_found += 1
        else:
            report.errors.append(Error(case=case, category="dates", kind="date_miss",
                                       detail=f"{expected.get('text')!r} {expected.get('iso')} {expected.get('role')}"))

"""Clause-level diff of two versions: added, removed and modified clauses, word diffs inside modified ones.

Lines are diffed with diff-match-patch in line mode (each distinct clause becomes one character), then, inside
each run of deletions and insertions, removed and added clauses that are still mostly alike are paired as
*modified* and given a word-level diff.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from diff_match_patch import diff_match_patch

from monitor.models import ClauseChange, ClauseDiff, ClauseKind

#: Two clauses are "the same clause, modified" when this share of their words survives.
SIMILARITY_THRESHOLD = 0.5
#: Beyond this many removed x added pairs in one hunk, pairing only looks at a window of candidates.
_MAX_PAIRINGS = 40_000
_WINDOW = 60
_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def _engine() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 5.0
    return dmp


def _encode(tokens_a: Sequence[str], tokens_b: Sequence[str]) -> tuple[str, str, list[str]]:
    """Map each distinct token to one character, so diff-match-patch diffs tokens, not characters."""
    table: dict[str, str] = {}
    alphabet: list[str] = []

    def encode(tokens: Sequence[str]) -> str:
        out = []
        for token in tokens:
            char = table.get(token)
            if char is None:
                # Skip the surrogate range, which cannot appear in a str that diff-match-patch slices.
                code = len(alphabet) + 1
                if code >= 0xD800:
                    code += 0x800
                char = chr(code)
                table[token] = char
                alphabet.append(token)
            out.append(char)
        return "".join(out)

    return encode(tokens_a), encode(tokens_b), alphabet


def _decode(char: str) -> int:
    code = ord(char)
    return (code - 0x800 if code >= 0xE000 else code) - 1


def _diff_tokens(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, list[str]]]:
    """Diff two token sequences; returns (op, tokens) runs with op -1, 0 or 1."""
    a, b, alphabet = _encode(old, new)
    runs = []
    for op, chars in _engine().diff_main(a, b, False):
        runs.append((op, [alphabet[_decode(c)] for c in chars]))
    return runs


def word_diff(old: str, new: str) -> tuple[tuple[int, str], ...]:
    """Word-level difference of two clauses as (op, text) segments: -1 deleted, 0 kept, 1 inserted."""
    runs = _diff_tokens(_TOKEN_RE.findall(old), _TOKEN_RE.findall(new))
    segments = [(op, "".join(tokens)) for op, tokens in runs if tokens]
    return tuple(segments)


def similarity(old: str, new: str) -> float:
    """Share of words two clauses have in common, in order (0..1)."""
    a, b = old.split(), new.split()
    if not a and not b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY_THRESHOLD or matcher.quick_ratio() < SIMILARITY_THRESHOLD:
        return matcher.quick_ratio()
    return matcher.ratio()


def _pair(removed: list[int], added: list[int], old: Sequence[str], new: Sequence[str]) -> list[ClauseChange]:
    """Turn one hunk (removed and added line indexes) into clause changes in document order."""
    pairs: dict[int, int] = {}
    last = -1
    windowed = len(removed) * len(added) > _MAX_PAIRINGS
    for i in removed:
        best, best_score = None, SIMILARITY_THRESHOLD
        candidates = [j for j in added if j > last]
        if windowed:
            candidates = candidates[:_WINDOW]
        for j in candidates:
            score = similarity(old[i], new[j])
            if score >= best_score and (best is None or score > best_score):
                best, best_score = j, score
        if best is not None:
            pairs[i] = best
            last = best
    out: list[ClauseChange] = []
    paired_new = {j: i for i, j in pairs.items()}
    pending_removed = list(removed)
    for j in added:
        if j in paired_new:
            i = paired_new[j]
            while pending_removed and pending_removed[0] != i:
                k = pending_removed.pop(0)
                out.append(ClauseChange(kind=ClauseKind.REMOVED, old=old[k], new=None, old_index=k))
            pending_removed.pop(0)
            out.append(ClauseChange(kind=ClauseKind.MODIFIED, old=old[i], new=new[j], old_index=i,
                                    new_index=j, segments=word_diff(old[i], new[j])))
        else:
            out.append(ClauseChange(kind=ClauseKind.ADDED, old=None, new=new[j], new_index=j))
    for k in pending_removed:
        out.append(ClauseChange(kind=ClauseKind.REMOVED, old=old[k], new=None, old_index=k))
    return out


def diff_clauses(old: Sequence[str], new: Sequence[str]) -> ClauseDiff:
    """Compare two clause lists (one clause per item) and return their clause-level difference."""
    if list(old) == list(new):
        return ClauseDiff()
    runs = _diff_tokens(list(old), list(new))
    changes: list[ClauseChange] = []
    i = j = 0
    removed: list[int] = []
    added: list[int] = []

    def flush() -> None:
        if removed or added:
            changes.extend(_pair(removed, added, old, new))
            removed.clear()
            added.clear()

    for op, lines in runs:
        if op == 0:
            flush()
            i += len(lines)
            j += len(lines)
        elif op < 0:
            removed.extend(range(i, i + len(lines)))
            i += len(lines)
        else:
            added.extend(range(j, j + len(lines)))
            j += len(lines)
    flush()
    return ClauseDiff(clauses=tuple(changes))

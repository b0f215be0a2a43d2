"""`monitor.extract.volatile` scans for fewer probes than it has key words: it must find exactly the relative
dates that scanning for every key word finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract import volatile

_PIECES = ["3 days ago", "il y a 2 jours", " vor 2 Tagen", "\nvor einem Jahr", " hace 5 días", "\nhace un mes",
           " 3 giorni fa", " 2 mesi fa.", " un anno fa)", "2 dagen geleden", " há 4 dias", "\nha 2 anos",
           " 3 anos atrás", " 2 dias atras", "Version 1.272.0.363", "build 2.3.4.5", " fact", " favor ", "Chicago",
           " ", "\n", "a", "x", "2", ".", " ha", " fa", " vor", "hace"]


def _spans_by_every_key(text: str) -> list[tuple[int, int]]:
    """The scan as it was: every key word of every pattern, one after the other."""
    low = "\n" + text.lower()
    if len(low) != len(text) + 1:
        return [(m.start(), m.end()) for m in volatile.VOLATILE_RE.finditer(text)]
    spans = []
    for keys, regex in volatile._KEYED:
        for key in keys:
            at = low.find(key)
            while at >= 0:
                start = max(low.rfind("\n", 0, at + 1), at - volatile._WINDOW, 0)
                end = low.find("\n", at + len(key))
                end = len(low) if end < 0 or end > at + volatile._WINDOW else end
                spans += [(m.start(), m.end()) for m in regex.finditer(text, max(start - 1, 0), end - 1)]
                at = low.find(key, at + 1)
    return sorted(set(spans))


def test_every_key_has_a_probe() -> None:
    for (keys, _), (probes, _) in zip(volatile._KEYED, volatile._PROBED, strict=True):
        assert sorted(key for _, _, group in probes for key in group) == sorted(keys)
        for probe, offset, group in probes:
            assert all(key[offset:].startswith(probe) and len(key) == len(group[0]) for key in group)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_probes_find_what_every_key_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert volatile._spans(text) == _spans_by_every_key(text)

"""The language packs: one module per language (`en.py`, `fr.py`, ...), each defining `PACK`.

Adding a language = one module here (listed in `_MODULES`), one `tests/data/classify/<code>.yaml` and corpus
cases; `tests/unit/test_language_packs.py` checks that the pack is complete.
"""

from __future__ import annotations

from typing import Final

from monitor.classify.languages import de, en, es, fr, it, nl, pl, pt, sv
from monitor.classify.languages.pack import DATE_GROUPS, RULE_GROUPS, LanguagePack

__all__ = ["DATE_GROUPS", "PACKS", "RULE_GROUPS", "LanguagePack", "pack"]

_MODULES = (en, fr, de, es, it, nl, pt, pl, sv)
#: Every pack by its code, English first (the fallback and the source of shared technical terms).
PACKS: Final[dict[str, LanguagePack]] = {m.PACK.code: m.PACK for m in _MODULES}


def pack(code: str) -> LanguagePack:
    """The pack of a language code, English for an unknown one."""
    return PACKS.get(code, PACKS["en"])

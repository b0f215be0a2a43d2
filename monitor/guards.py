"""False-change guards: recognise fetches that must not become a version (bot and consent walls, error pages
served with 200, near-empty extractions, a sudden loss of most of the text)."""

from __future__ import annotations

import re
from enum import StrEnum

#: An extraction with fewer characters than this is "near-empty".
MIN_TEXT_CHARS = 50
#: Losing more than this share of the text at once is suspect until seen twice.
MAX_SHRINK = 0.5
#: Walls and error pages are short; a long page that merely mentions "captcha" is a real document.
WALL_MAX_CHARS = 4000

#: What undecodable bytes become; new ones in a known document mean a wrong or broken charset.
REPLACEMENT = "\ufffd"


class SuspicionKind(StrEnum):
    """Why a fetch is suspect, as a value (never read back from the message)."""

    WALL = "wall"                    # bot, consent or access wall; an error page served with 200
    SOFT_404 = "soft 404"            # "page not found" in the page's own words, in any supported language
    NEAR_EMPTY = "near-empty"
    SHRANK = "shrank"
    INVALID_BYTES = "invalid bytes"
    NOT_TEXT = "not text"             # binary bytes, or a charset that turned ASCII into other letters


#: Kinds that a real change can also produce: accepted when the same text is seen on two checks in a row.
SOFT_KINDS = frozenset({SuspicionKind.SHRANK, SuspicionKind.INVALID_BYTES})


class Suspicion(str):
    """The reason a fetch is suspect: the message, with its `kind`."""

    kind: SuspicionKind

    def __new__(cls, kind: SuspicionKind, message: str) -> Suspicion:
        self = super().__new__(cls, message)
        self.kind = kind
        return self


# A page that says it does not exist, in en, fr, de, es, it, nl, pt (matched in short extracted texts only).
_SOFT_404_RE = re.compile(
    r"\b(?:page (?:not found|introuvable|non trouv[ée]e)|(?:this|the) page (?:does ?n[o']t|could not be found|"
    r"cannot be found|no longer exists)|cette page n['’]existe (?:pas|plus)|(?:erreur|error|fehler|errore) 404|"
    r"seite (?:wurde )?nicht gefunden|diese seite existiert nicht|p[áa]gina no encontrada|"
    r"esta p[áa]gina no existe|pagina non trovata|questa pagina non esiste|pagina niet gevonden|"
    r"deze pagina bestaat niet|p[áa]gina n[ãa]o encontrada|esta p[áa]gina n[ãa]o existe)\b",
    re.IGNORECASE)

_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_WALLS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in (
        ("bot wall", r"just a moment\.\.\.|checking (?:if the site connection is secure|your browser)|"
                     r"attention required!? \| cloudflare|cf-(?:browser-verification|challenge)|"
                     r"challenges\.cloudflare\.com|ddos protection by|verify (?:that )?you are (?:a )?human|"
                     r"are you a robot|unusual traffic from your computer|pardon our interruption|"
                     r"press (?:&amp; |& )?hold to confirm|perimeterx|px-captcha|datadome|"
                     r"g-recaptcha|h-captcha|hcaptcha\.com|captcha-delivery"),
        ("access denied", r"<title[^>]*>\s*(?:access denied|403 forbidden|forbidden|request blocked|"
                          r"blocked)\s*</title>|you don't have permission to access|"
                          r"the request could not be satisfied"),
        ("consent wall", r"before you continue to|consent\.(?:google|youtube)\.com|"
                         r"<title[^>]*>[^<]*(?:cookie consent|privacy consent|consent required)[^<]*</title>"),
        ("error page", r"<title[^>]*>\s*(?:404|500|502|503)\b[^<]*</title>|"
                       r"<title[^>]*>[^<]*(?:page not found|not found|server error|service unavailable|"
                       r"temporarily unavailable)[^<]*</title>"),
    ))


def wall_reason(html: str, text_chars: int) -> str | None:
    """Why a short page looks like a bot/consent wall or an error page served with 200, or None."""
    if text_chars > WALL_MAX_CHARS:
        return None
    head = html[:200_000]
    for reason, pattern in _WALLS:
        match = pattern.search(head)
        if match:
            title = _TITLE_RE.search(head)
            shown = re.sub(r"\s+", " ", title.group(1)).strip()[:80] if title else match.group(0)[:80]
            return f"{reason} ({shown!r})"
    return None


def suspect_reason(html: str, text: str, *, previous: str | None, replaced: int | None = None) -> Suspicion | None:
    """Why this extraction must not become a version, or None when it looks like the real document.
    `previous` is the text of the latest version, if any; `replaced` how many bytes the decoder really
    replaced with U+FFFD (None: unknown, every new U+FFFD counts)."""
    chars = len(text)
    previous_chars = len(previous) if previous is not None else None
    wall = wall_reason(html, chars)
    if wall:
        return Suspicion(SuspicionKind.WALL, wall)
    if chars <= WALL_MAX_CHARS:
        found = _SOFT_404_RE.search(text)
        if found:
            return Suspicion(SuspicionKind.SOFT_404, f"soft 404 ({found.group(0)!r})")
    if chars < MIN_TEXT_CHARS:
        return Suspicion(SuspicionKind.NEAR_EMPTY, f"near-empty extraction ({chars} characters)")
    if previous_chars and chars < previous_chars * (1 - MAX_SHRINK):
        lost = 1 - chars / previous_chars
        return Suspicion(SuspicionKind.SHRANK,
                         f"text shrank by {lost:.0%} at once ({previous_chars} -> {chars} characters)")
    garbled = text.count(REPLACEMENT) - (previous.count(REPLACEMENT) if previous is not None else 0)
    if replaced is not None:
        garbled = min(garbled, replaced)
    if previous is not None and garbled > 0:
        return Suspicion(SuspicionKind.INVALID_BYTES,
                         f"{garbled} bytes invalid in the page's charset (decoded as U+FFFD)")
    return None


def replaced_bytes(body: bytes, text: str, encoding: str | None) -> int:
    """How many U+FFFD in `text` the decoder made (not the ones the page itself holds, literally in UTF-8 or
    as a character reference)."""
    made = text.count(REPLACEMENT)
    if not made:
        return 0
    literal = body.count(REPLACEMENT.encode()) if (encoding or "").replace("_", "-").startswith("utf-8") else 0
    literal += len(re.findall(r"&#(?:65533|x0*fffd);", text, re.IGNORECASE))
    return max(0, made - literal)


#: A page whose decoded text is more than this share U+FFFD, or control characters, is not text.
MAX_UNDECODABLE_SHARE = 0.1
MAX_CONTROL_SHARE = 0.05
# The control characters counted (C0 but tab, line breaks, form feed; DEL), as UTF-8 bytes: each is its own byte,
# and no multi-byte sequence holds a byte under 0x80.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


def decoding_reason(body: bytes, decoded: str, encoding: str | None) -> str | None:
    """Why a fetched page's decoded text is not the page's text, or None: ASCII bytes read through a charset
    that is not ASCII-compatible (UTF-16/32, EBCDIC, UTF-7: a wrong declaration turns them into other
    letters), text that is mostly U+FFFD, or binary bytes (control characters) served as text. Checked on
    every version, the first included: there is no earlier text to compare with."""
    if not decoded:
        return None
    if body.isascii() and decoded != body.decode("ascii"):
        return f"ASCII bytes decoded as {encoding}, a charset that is not ASCII-compatible (a wrong declaration)"
    sample = decoded[:200_000]
    undecodable = sample.count(REPLACEMENT) / len(sample)
    if undecodable > MAX_UNDECODABLE_SHARE:
        return f"not text: {undecodable:.0%} of the characters are undecodable in {encoding} (U+FFFD)"
    # counted by deleting them from the UTF-8 bytes (2x faster than a regex scan); a UTF-8 body is those bytes
    # already (a control character is one byte, which no invalid sequence replaced by U+FFFD holds)
    whole_utf8 = encoding == "utf-8" and len(sample) == len(decoded)
    data = body if whole_utf8 else sample.encode("utf-8", "surrogatepass")
    controls = (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(sample)
    if controls > MAX_CONTROL_SHARE:
        return f"binary, not text: {controls:.0%} of the characters are control characters"
    return None

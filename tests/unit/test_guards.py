"""False-change guards: walls, error pages, near-empty and shrinking extractions."""

from __future__ import annotations

import pytest

from monitor.guards import suspect_reason, wall_reason

DOC_TEXT = "We collect the information you give us when you create an account. " * 20

WALLS = {
    "cloudflare": ("<html><head><title>Just a moment...</title></head><body>Checking your browser before "
                   "accessing example.com.<script src='https://challenges.cloudflare.com/x.js'></script></body></html>",
                   "bot wall"),
    "akamai denied": ("<html><head><title>Access Denied</title></head><body>You don't have permission to access "
                      "this page on this server.</body></html>", "access denied"),
    "google consent": ("<html><head><title>Before you continue to Google</title></head><body>We use cookies "
                       "<a href='https://consent.google.com/x'>Accept</a></body></html>", "consent wall"),
    "soft 404": ("<html><head><title>Page not found | Example</title></head><body>Sorry, this page is gone."
                 "</body></html>", "error page"),
    "captcha": ("<html><body><div class='g-recaptcha'></div> Please verify you are a human.</body></html>",
                "bot wall"),
}


@pytest.mark.parametrize("html,kind", WALLS.values(), ids=WALLS.keys())
def test_walls_are_recognised(html, kind):
    reason = wall_reason(html, 120)
    assert reason is not None and reason.startswith(kind)


def test_long_document_mentioning_captcha_is_not_a_wall():
    html = "<html><head><title>Privacy Policy</title></head><body>" + DOC_TEXT * 3 + " we use reCAPTCHA "\
           "(g-recaptcha) to verify you are a human.</body></html>"
    assert wall_reason(html, len(DOC_TEXT) * 3) is None


def test_near_empty_and_shrink():
    html = "<html><body>x</body></html>"
    assert suspect_reason(html, "Terms", previous=None).startswith("near-empty")
    assert suspect_reason(html, DOC_TEXT, previous=None) is None
    assert suspect_reason(html, DOC_TEXT[: len(DOC_TEXT) // 3], previous=DOC_TEXT).startswith(
        "text shrank by 67%")
    assert suspect_reason(html, DOC_TEXT[: len(DOC_TEXT) * 2 // 3], previous=DOC_TEXT) is None


def test_new_replacement_characters():
    html = "<html><body>x</body></html>"
    garbled = DOC_TEXT.replace("information", "inform\ufffd\ufffdtion", 1)
    assert suspect_reason(html, garbled, previous=DOC_TEXT).startswith("2 bytes invalid")
    assert suspect_reason(html, garbled + " more", previous=garbled) is None

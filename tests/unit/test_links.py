"""Links inside the legal text: target normalisation, which links count as part of the kept text, which
targets moved, and which moved links alert."""

from __future__ import annotations

from monitor.classify.optout import alerting_link
from monitor.extract import extract_clauses, link_changes, normalise_target, text_links
from monitor.models import CheckResult, Outcome


def test_tracking_and_session_parameters_are_not_part_of_a_target():
    assert (normalise_target("HTTPS://Svc.TEST/opt-out;jsessionid=A1B2?utm_source=mail&lang=fr&fbclid=x&sid=9")
            == "https://svc.test/opt-out?lang=fr")
    assert normalise_target("https://svc.test/a?utm_medium=x#section-3") == "https://svc.test/a#section-3"
    assert normalise_target("mailto:Privacy@Svc.test?subject=Objection") == "mailto:privacy@svc.test"
    assert normalise_target("https://svc.test/a?page=2") != normalise_target("https://svc.test/a?page=3")


def test_cloudflare_obfuscated_addresses_are_their_address():
    """Real pages behind Cloudflare re-encode every address with a new key on each fetch."""
    assert (normalise_target("https://libheros.fr/cdn-cgi/l/email-protection#d6b2a6b996babfb4beb3a4b9a5f8b0a4")
            == normalise_target("https://libheros.fr/cdn-cgi/l/email-protection#85e1f5eac5e9ece7ede0f7eaf6abe3f7")
            == "mailto:dpo@libheros.fr")
    entities = ("8bada8babbbeb0ada8f3bdeeb0ada8f3bdbdb0ada8bababab0ada8bdbfb0ada8f3bdedb0ada8f3bcbbb0ada8f3bdbeb0ada8"
                "bababbb0ada8b2b2b0ada8f3bdedb0ada8babbb3b0ada8babbb3b0ada8f3bdbeb0ada8b2b2b0ada8bababdb0ada8babbbe"
                "b0ada8babab3b0ada8babbbab0ada8bfbdb0ada8f3bdb8b0ada8bababab0ada8babbb2b0")
    assert normalise_target(f"https://x.test/cdn-cgi/l/email-protection#{entities}") == "mailto:info@opencollective.com"


BANNER = """<html><body><main>
<h2>Your choices</h2>
<p>You can read the cookie guide at any time.</p>
<p>See the <a href="/cookies">cookie guide</a> for details.</p>
<ul><li><a href="/settings">Settings</a></li><li>Other things</li></ul>
</main>
<div id="cookieConsentBanner" role="alert"><p>We use cookies. Read our <a href="/c?v=2">cookie guide</a>
or accept.</p></div>
<nav><ul><li><a href="/nav-settings">Settings</a></li></ul></nav>
</body></html>"""


def test_only_links_whose_block_is_in_the_kept_text_count():
    clauses = ["## Your choices", "You can read the cookie guide at any time.",
               "See the cookie guide for details.", "- Settings", "- Other things"]
    links = text_links(BANNER, "https://svc.test/privacy", clauses)
    assert links == [("cookie guide", "https://svc.test/cookies"), ("Settings", "https://svc.test/settings")]


def test_a_link_alone_in_its_block_counts_only_as_a_whole_clause():
    html = "<html><body><div><p>Privacy settings are explained below.</p></div><ul><li><a href='/p'>Privacy</a></li></ul></body></html>"
    assert text_links(html, "https://svc.test/", ["Privacy settings are explained below."]) == []


def test_links_of_a_real_shaped_policy_follow_the_extraction():
    html = """<html><body><header><a href="/">Home</a></header><main><h1>Terms</h1>
<p>Contact our <a href="mailto:dpo@svc.test">data protection officer</a> or use the
<a href="https://svc.test/forms/object?utm_campaign=x">objection form</a>.</p></main>
<footer><a href="/jobs">Jobs</a></footer></body></html>"""
    links = text_links(html, "https://svc.test/terms", extract_clauses(html))
    assert links == [("data protection officer", "mailto:dpo@svc.test"),
                     ("objection form", "https://svc.test/forms/object")]


def test_moved_targets_are_matched_by_text_and_order():
    old = [("form", "https://a/1"), ("here", "https://a/x"), ("here", "https://a/y"), ("gone", "https://a/g")]
    new = [("form", "https://a/2"), ("here", "https://a/x"), ("here", "https://a/z"), ("fresh", "https://a/f")]
    assert link_changes(old, new) == [("form", "https://a/1", "https://a/2"), ("here", "https://a/y", "https://a/z")]
    assert link_changes(old, list(reversed(old))) == []                   # the same links in another order
    assert link_changes([("here", "https://a/x")], [("here", "https://a/x"), ("here", "https://a/q")]) == []


def test_opt_out_and_contact_links_alert_other_links_do_not():
    assert alerting_link("opt-out form", "https://svc.test/settings")
    assert alerting_link("this form", "https://svc.test/privacy/opt-out")
    assert alerting_link("formulaire", "https://svc.test/x", "fr") is False
    assert alerting_link("vous opposer", "https://svc.test/x", "fr")
    assert alerting_link("our privacy team", "mailto:team@svc.test")
    assert alerting_link("DPO", "https://svc.test/x") and alerting_link("Kontaktformular", "https://svc.test/x", "de")
    assert alerting_link("write to us", "https://svc.test/privacy@svc.test") is True
    assert alerting_link("cookie guide", "https://svc.test/help/cookies") is False


def test_check_line_counts_moved_links():
    assert CheckResult(document_id="d", outcome=Outcome.CHANGED, links=1).summary() == "changed (link: 1)"
    assert (CheckResult(document_id="d", outcome=Outcome.CHANGED, modified=2, links=1).summary()
            == "changed (+0 -0 ~2, link: 1)")


def test_channel_messages_name_the_moved_links():
    from datetime import UTC, datetime

    from monitor.alerts.message import to_html, to_text

    body = {"event": "change.detected", "delivery_id": "d1",
            "change": {"id": 4, "document": "svc/privacy", "service": "Svc", "url": "https://svc.test/privacy",
                       "detected_at": "2026-11-30T00:00:00Z", "from_version": 1, "to_version": 2, "added": 0,
                       "removed": 0, "modified": 0, "flags": [], "clauses": [],
                       "links": [{"text": "opt-out form", "old": "https://svc.test/a", "new": "https://svc.test/b",
                                  "alert": True}]}}
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert "~ link “opt-out form”: https://svc.test/a → https://svc.test/b" in to_text(body, now=now)
    assert "https://svc.test/a → https://svc.test/b" in to_html(body, now=now)

"""Link targets inside the legal text, end to end: real loopback pages, a real webhook receiver, real SQLite,
the CLI. An opt-out link that moves is a change of links that alerts; an ordinary in-text link that moves is
recorded and shown without an alert; a footer or navigation link, or a rotating `utm_*`/session parameter,
makes no change at all."""

from __future__ import annotations

import json
import sqlite3


def page(*, optout: str = "https://svc.test/settings/ai-training", guide: str = "/help/cookies",
         footer: str = "/legal/privacy", nav: str = "/privacy", utm: str = "spring", session: str = "a1b2c3") -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Privacy policy</title></head><body>
<nav><ul><li><a href="{nav}">Privacy policy</a></li><li><a href="/contact-sales">Contact sales</a></li></ul></nav>
<main>
<h1>Privacy policy</h1>
<p>We use the content you post to improve our services, including to train our generative AI models.</p>
<p>You can object to this use at any time with our <a href="{optout}?utm_source={utm}">opt-out form</a>.</p>
<p>Read our <a href="{guide};jsessionid={session}?utm_campaign={utm}">cookie guide</a> to learn which cookies
we set and why.</p>
<p>Questions? Write to <a href="mailto:privacy@svc.test">our privacy team</a>.</p>
</main>
<footer><ul><li><a href="{footer}">Privacy policy</a></li><li><a href="/press?sessionid={session}">Press</a></li></ul>
<p>© Svc 2025 · <a href="{footer}">Privacy policy</a></p></footer>
</body></html>"""


def setup(page_server, write_watchlist, receiver) -> None:
    page_server.set("/privacy", page())
    write_watchlist(
        f"alerts:\n  webhooks:\n    - name: ops\n      url: {receiver.url}\n      events: [change.detected]\n"
        f"services:\n  svc:\n    documents:\n      privacy:\n        url: {page_server.url('/privacy')}\n")


def test_moved_opt_out_link_is_a_change_of_links_that_alerts(page_server, write_watchlist, run_cli, make_receiver):
    receiver = make_receiver()
    setup(page_server, write_watchlist, receiver)
    assert "new" in run_cli("check").stdout
    page_server.set("/privacy", page(optout="https://svc.test/privacy/objection-request"))
    result = run_cli("check")
    assert result.exit_code == 0 and "changed (link: 1)" in result.stdout, result.output

    [change] = json.loads(run_cli("log", "--json").stdout)
    assert (change["added"], change["removed"], change["modified"]) == (0, 0, 0)
    assert change["links"] == [{"text": "opt-out form", "old": "https://svc.test/settings/ai-training",
                                "new": "https://svc.test/privacy/objection-request", "alert": True}]
    shown = run_cli("show", str(change["id"])).stdout
    assert ('~ link: "opt-out form": https://svc.test/settings/ai-training → '
            "https://svc.test/privacy/objection-request") in shown
    assert json.loads(run_cli("show", str(change["id"]), "--json").stdout)["links"] == change["links"]

    [hook] = [json.loads(r.body) for r in receiver.requests]
    assert hook["event"] == "change.detected" and hook["change"]["links"] == change["links"]
    assert hook["change"]["clauses"] == []


def test_moved_contact_address_alerts(page_server, write_watchlist, run_cli, make_receiver):
    receiver = make_receiver()
    setup(page_server, write_watchlist, receiver)
    run_cli("check")
    page_server.set("/privacy", page().replace("mailto:privacy@svc.test", "mailto:dpo@svc.example"))
    assert "changed (link: 1)" in run_cli("check").stdout
    [hook] = [json.loads(r.body) for r in receiver.requests]
    assert hook["change"]["links"][0]["new"] == "mailto:dpo@svc.example"


def test_footer_navigation_and_tracking_parameters_make_no_change(page_server, write_watchlist, run_cli,
                                                                  make_receiver):
    receiver = make_receiver()
    setup(page_server, write_watchlist, receiver)
    run_cli("check")
    page_server.set("/privacy", page(footer="/legal/privacy-2025", nav="/privacy-2025", utm="autumn", session="zz99"))
    result = run_cli("check")
    assert result.exit_code == 0 and "unchanged" in result.stdout, result.output
    assert json.loads(run_cli("log", "--json").stdout) == []
    assert receiver.requests == []


def test_moved_ordinary_link_is_recorded_and_shown_without_an_alert(page_server, write_watchlist, run_cli,
                                                                    make_receiver, db_path):
    receiver = make_receiver()
    setup(page_server, write_watchlist, receiver)
    run_cli("check")
    page_server.set("/privacy", page(guide="/support/cookie-guide"))
    assert "changed (link: 1)" in run_cli("check").stdout
    [change] = json.loads(run_cli("log", "--json").stdout)
    [link] = change["links"]
    assert link["text"] == "cookie guide" and link["alert"] is False
    assert link["old"].endswith("/help/cookies") and link["new"].endswith("/support/cookie-guide")
    shown = run_cli("show", str(change["id"])).stdout
    assert '~ link: "cookie guide"' in shown and "→" in shown
    assert "link: 1" in run_cli("log").stdout
    assert receiver.requests == []
    assert "unchanged" in run_cli("check").stdout          # the new target is the baseline now
    with sqlite3.connect(db_path) as conn:                  # the version keeps its page, like any other
        rows = conn.execute("""SELECT v.number, s.body_hash IS NOT NULL, v.links IS NOT NULL FROM versions v
                               JOIN snapshots s ON s.id = v.snapshot_id ORDER BY v.number""").fetchall()
    assert rows == [(1, 1, 1), (2, 1, 1)]


def test_link_moved_with_a_text_edit_is_part_of_the_change(page_server, write_watchlist, run_cli,
                                                           make_receiver):
    receiver = make_receiver()
    setup(page_server, write_watchlist, receiver)
    run_cli("check")
    edited = page(optout="https://svc.test/privacy/objection-request").replace("at any time", "within 30 days")
    page_server.set("/privacy", edited)
    result = run_cli("check")
    assert "changed (+0 -0 ~1, link: 1)" in result.stdout, result.output
    [hook] = [json.loads(r.body) for r in receiver.requests]
    assert hook["change"]["modified"] == 1 and hook["change"]["links"][0]["text"] == "opt-out form"


def test_links_of_a_version_stored_without_them_are_read_from_its_page(page_server, write_watchlist, run_cli,
                                                                       make_receiver, db_path):
    receiver = make_receiver()
    setup(page_server, write_watchlist, receiver)
    run_cli("check")
    with sqlite3.connect(db_path) as conn:                  # as an older tosmon left it: no links recorded
        assert conn.execute("SELECT count(*) FROM versions WHERE links IS NULL").fetchone() == (1,)
    page_server.set("/privacy", page(guide="/support/cookie-guide"))
    assert "changed (link: 1)" in run_cli("check").stdout   # the old links read from the version's page
    with sqlite3.connect(db_path) as conn:                  # now without its page either
        conn.execute("UPDATE versions SET links = NULL, snapshot_id = NULL")
    page_server.set("/privacy", page(guide="/support/cookies-v2"))
    assert "unchanged" in run_cli("check").stdout          # nothing to compare with: recorded, no change
    page_server.set("/privacy", page(guide="/support/cookies-v3"))
    assert "changed (link: 1)" in run_cli("check").stdout
    assert receiver.requests == []

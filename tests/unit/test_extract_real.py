"""Extraction on real-shaped pages: consent modals, accordions, banners named every which way, control bytes,
soft 404s. Each page copies the markup pattern of a real site (ids and classes as the CMPs write them)."""

from __future__ import annotations

import pytest

from monitor.extract import extract_clauses
from monitor.guards import SOFT_KINDS, SuspicionKind, replaced_bytes, suspect_reason

POLICY = ("<h1>Privacy Policy</h1><p>We collect the information you give us when you create an account.</p>"
          "<p>We do not sell your personal data to third parties.</p>")

# A large platform's cookie modal: the dialog is open, and the page beside it is aria-hidden.
MODAL_PAGE = f"""<html><body>
<div id="root" aria-hidden="true"><main class="legal">{POLICY}</main></div>
<div role="dialog" aria-modal="true" aria-label="Cookie preferences">
  <h2>We value your privacy</h2><p>We use cookies to improve your experience. Accept all cookies?</p>
  <button>Accept all</button></div></body></html>"""


def test_consent_modal_does_not_hide_the_policy_without_selector() -> None:
    clauses = extract_clauses(MODAL_PAGE)
    assert clauses == ["# Privacy Policy", "We collect the information you give us when you create an account.",
                       "We do not sell your personal data to third parties."]


def test_select_match_inside_an_aria_hidden_ancestor_is_read() -> None:
    assert extract_clauses(MODAL_PAGE, select=["main.legal"])[0] == "# Privacy Policy"
    hidden = f'<html><body><div aria-hidden="true"><div id="terms">{POLICY}</div></div></body></html>'
    assert extract_clauses(hidden, select=["#terms"])[0] == "# Privacy Policy"


FAQ_PAGE = """<html><body><main><h2>Frequently asked questions</h2>
<div class="accordion"><button aria-expanded="false" aria-controls="a1"><h3>Do you train your models on my
data?</h3></button><div id="a1" hidden><p>Only if you opt in from your settings.</p></div>
<button type="button" aria-expanded="false" aria-controls="a2">How long do you keep my data?</button>
<div id="a2"><p>For as long as your account exists.</p></div>
<button type="submit">Subscribe</button></div></main></body></html>"""


@pytest.mark.parametrize("select", [[], ["main"]], ids=["fast path", "soup path"])
def test_accordion_buttons_are_headings(select: list[str]) -> None:
    clauses = extract_clauses(FAQ_PAGE, select=select)
    assert clauses == ["## Frequently asked questions", "### Do you train your models on my data?",
                       "Only if you opt in from your settings.", "### How long do you keep my data?",
                       "For as long as your account exists."]


BANNERS = [
    '<div id="siteCookieAlert" class="alert"><p>This site uses cookies.</p><a href="#">OK</a></div>',
    '<section class="gdprConsentBanner"><p>We and our partners use cookies.</p></section>',
    '<div class="didomi-popup-container"><p>Your consent matters.</p></div>',
    '<div id="CybotCookiebotDialog"><p>This website uses cookies.</p></div>',
    '<div id="usercentrics-root"><p>Privacy settings.</p></div>',
    '<div class="axeptio_overlay"><p>Cookies? Yes please.</p></div>',
    '<div class="qc-cmp2-container"><p>We value your privacy.</p></div>',
    '<div id="truste-consent-track"><p>Cookie preferences.</p></div>',
    '<div class="iubenda-cs-container"><p>Notice: cookies.</p></div>',
    '<div id="sp_message_container_123"><p>Consent choices.</p></div>',
    '<div role="alert"><p>We use cookies to measure traffic. <a href="/c">Learn more</a></p></div>',
    '<div class="cookies_bar"><p>Cookies keep this site running.</p></div>',
]


@pytest.mark.parametrize("banner", BANNERS)
@pytest.mark.parametrize("select", [[], ["body"]], ids=["fast path", "soup path"])
def test_consent_banners_are_removed(banner: str, select: list[str]) -> None:
    page = f"<html><body><main>{POLICY}</main>{banner}</body></html>"
    assert extract_clauses(page, select=select) == extract_clauses(f"<html><body><main>{POLICY}</main></body></html>")


def test_cookie_policy_content_is_not_a_banner() -> None:
    page = ('<html><body><main id="cookie-policy"><h1>Cookie Policy</h1><div class="has-cookie-notice">'
            + "<p>Cookies are small files. We use them to keep you signed in.</p>" * 80 + "</div></main></body></html>")
    assert extract_clauses(page)[0] == "# Cookie Policy"
    assert len(extract_clauses(page)) == 81
    section = ('<html><body><main><h1>Privacy</h1><section id="consent-information"><h2>Consent</h2>'
               "<p>You may withdraw your consent at any time.</p></section></main></body></html>")
    assert extract_clauses(section)[-1] == "You may withdraw your consent at any time."


def test_stray_title_and_meta_in_body_are_dropped() -> None:
    page = f'<html><body><title>Privacy | Example</title><meta name="x" content="y">{POLICY}</body></html>'
    assert extract_clauses(page)[0] == "# Privacy Policy"
    assert extract_clauses(page, select=["body"])[0] == "# Privacy Policy"


def test_control_characters_are_removed_before_extraction() -> None:
    page = f"<html><body>{POLICY}<p>Contact\x00 us\x1b[8m at\x07 legal@example.com.</p></body></html>"
    assert extract_clauses(page)[-1] == "Contact us[8m at legal@example.com."
    assert all("\ufffd" not in c for c in extract_clauses(page))


def test_invalid_bytes_count_only_what_the_decoder_replaced() -> None:
    page = "<p>A literal \ufffd in the page, and &#xFFFD; too</p>"
    assert replaced_bytes(page.encode(), page, "utf-8") == 0
    broken = b"<p>caf\xe9</p>"
    assert replaced_bytes(broken, broken.decode("utf-8", "replace"), "utf-8") == 1
    text = "Terms " * 20
    reason = suspect_reason("", text + "\ufffd", previous=text, replaced=0)
    assert reason is None
    reason = suspect_reason("", text + "\ufffd", previous=text, replaced=1)
    assert reason is not None and reason.kind is SuspicionKind.INVALID_BYTES and reason.kind in SOFT_KINDS
    assert str(reason).startswith("1 bytes invalid")


@pytest.mark.parametrize("words", ["Cette page n'existe pas", "Seite nicht gefunden", "Página no encontrada",
                                   "Pagina non trovata", "Pagina niet gevonden", "Página não encontrada",
                                   "Page not found", "Oops! This page doesn't exist."])
def test_soft_404_in_several_languages(words: str) -> None:
    text = f"# Doctolib\n{words}\nRetour à l'accueil\nNos services Aide Contact Mentions légales"
    reason = suspect_reason("<html><title>Doctolib</title></html>", text, previous=POLICY * 3)
    assert reason is not None and reason.kind is SuspicionKind.SOFT_404


def test_a_long_document_that_mentions_page_not_found_is_not_a_soft_404() -> None:
    text = "If a link gives 'page not found', write to us. " + "We keep your data safe. " * 300
    assert suspect_reason("", text, previous=None) is None


# A real footer pattern: columns of links under headings, a separator-joined legal links line, a chat
# widget's lone ";" text node, an app build number.
FOOTER_PAGE = f"""<html><body><div class="content">{POLICY}
<ul class="toc"><li><a href="#a">Data we collect</a></li><li><a href="#b">Your rights</a></li>
<li><a href="#c">Contact</a></li></ul></div>
<div class="footer-col"><h3>Services</h3><ul><li><a href="/a">Site</a></li><li><a href="/b">Foundation</a></li>
<li><a href="/c">Data warehouse</a></li></ul></div>
<div class="related"><a href="/p/1">Ten tips for privacy</a><a href="/p/2">What is GDPR?</a>
<a href="/p/3">Our new office</a></div>
<p><a href="/docs">Documentation</a> | <a href="/faq">FAQ</a> | <a href="/contact">Contact us</a></p>
<div class="intercom">;</div><p>Version 1.272.0.363</p></body></html>"""


def test_link_blocks_widget_crumbs_and_build_numbers_are_left_out() -> None:
    assert extract_clauses(FOOTER_PAGE) == [
        "# Privacy Policy", "We collect the information you give us when you create an account.",
        "We do not sell your personal data to third parties.",
        "- Data we collect", "- Your rights", "- Contact"]          # in-page links (a table of contents) stay


def test_relative_dates_in_several_languages_are_cut() -> None:
    from monitor.extract.volatile import cut_volatile

    assert cut_volatile(["Updated: 8 days ago", "Mis à jour il y a 3 jours", "Aktualisiert vor 2 Tagen",
                         "Actualizado hace 5 días", "Aggiornato 3 giorni fa", "2 dagen geleden bijgewerkt",
                         "Atualizado há 4 dias", "We keep logs for 30 days.", "3 days ago"]) == [
        "Updated:", "Mis à jour", "Aktualisiert", "Actualizado", "Aggiornato", "bijgewerkt", "Atualizado",
        "We keep logs for 30 days."]

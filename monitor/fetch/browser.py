"""Fetch a page through headless Chromium (Playwright's sync API) and return the DOM that its scripts built.

    if browser_available():
        result = fetch_rendered("https://example.com/terms", timeout=30, user_agent="tosmon/1.0",
                                max_bytes=MAX_BODY_BYTES)

The system Chromium is used (Debian's `chromium`, `/usr/bin/chromium`, or the path in `TOSMON_CHROMIUM`);
nothing is downloaded at run time and `playwright install` is never called. Playwright is an optional extra
(`make install`, or `pip install -e '.[browser]'` in the checkout) imported only here and only when a page
is rendered; when it or Chromium is missing, `BrowserUnavailable` says what to install. Like `fetch.py` for
httpx, this is the only module that touches Playwright's exceptions: each becomes a `FetchError`, raised
`from` the original.

Each call starts its own browser (about a second) and closes it, so a crashed or leaking page never outlives
its check, and the sync API may be used from any worker thread.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import time
from typing import Any
from urllib.parse import urlsplit

from monitor.errors import BrowserUnavailable, FetchHTTPStatus, FetchNetworkError, FetchTimeout, FetchTooLarge
from monitor.fetch.trust import refused_redirect, refused_request
from monitor.models import FetchResult

log = logging.getLogger(__name__)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV = "TOSMON_CHROMIUM"
INSTALL_HINT = "make install (or pip install -e '.[browser]' in the checkout) and apt-get install chromium"
# --no-sandbox: root in a container has no user namespaces for the sandbox; --disable-quic and the
# --disable-*-networking/-update/-sync flags keep Chromium from calling Google's services on its own.
LAUNCH_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync")
REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 406: "Not Acceptable",
           408: "Request Timeout", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def chromium_path() -> str:
    """The Chromium executable used: `$TOSMON_CHROMIUM`, else Debian's `/usr/bin/chromium`."""
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def browser_available() -> bool:
    """True when Playwright is importable and the Chromium executable exists."""
    return _missing() is None


def _missing() -> str | None:
    """What is missing for rendering, as a phrase, or None."""
    path = chromium_path()
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed"
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return f"Chromium is not installed at {path} (set {CHROMIUM_ENV} to another path)"
    return None


#: How long Chromium may take to start, apart from the document's own timeout.
LAUNCH_TIMEOUT_MS = 60_000


def fetch_rendered(url: str, *, timeout: float, user_agent: str, max_bytes: int,
                   allow_private: bool = False) -> FetchResult:
    """Load `url` in headless Chromium, wait until the network is idle (at most `timeout` seconds in all),
    and return the rendered DOM as a `text/html` FetchResult. Raises FetchHTTPStatus for a non-2xx main
    response, FetchTimeout when navigation does not finish in time, FetchTooLarge past `max_bytes`,
    BrowserUnavailable when Playwright or Chromium is missing, FetchNetworkError for anything else.
    Requests of the page to internal addresses of another origin are aborted unless `allow_private`
    (see `monitor.fetch.trust`); a navigation that ends on such a host is an error."""
    missing = _missing()
    if missing is not None:
        raise BrowserUnavailable(f"cannot render: {missing}; {INSTALL_HINT}", url=url)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            try:  # starting the browser is not the page's time: a loaded machine can take seconds
                browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                                     args=list(LAUNCH_ARGS), timeout=LAUNCH_TIMEOUT_MS)
            except PlaywrightError as exc:
                raise BrowserUnavailable(f"Chromium at {chromium_path()} would not start: {_first_line(exc)}",
                                         url=url) from exc
            started = time.monotonic()
            try:
                return _render(browser, url, started=started, timeout=timeout, user_agent=user_agent,
                               max_bytes=max_bytes, allow_private=allow_private)
            finally:
                browser.close()
    except PlaywrightTimeout as exc:
        raise FetchTimeout(f"timed out: the page did not load within {timeout:g}s", url=url) from exc
    except PlaywrightError as exc:
        raise FetchNetworkError(f"browser: {_first_line(exc)}", url=url) from exc


def _guard(context: Any, url: str, *, allow_private: bool) -> list[str]:
    """Abort every request of the page to an internal address outside the document's origin; returns the
    list the refused URLs are appended to."""
    refused: list[str] = []
    verdicts: dict[str, bool] = {}      # by origin: one resolution each

    def route(route: Any) -> None:
        target = route.request.url
        parts = urlsplit(target)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in verdicts:
            verdicts[key] = refused_request(url, target, allow_private=allow_private)
        if verdicts[key]:
            refused.append(target)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    context.route("**/*", route)
    return refused


def _render(browser: Any, url: str, *, started: float, timeout: float, user_agent: str,
            max_bytes: int, allow_private: bool = False) -> FetchResult:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(user_agent=user_agent, accept_downloads=False, service_workers="block")
    context.set_default_timeout(max(1.0, timeout * 1000))  # content() and the rest: bounded too
    refused = _guard(context, url, allow_private=allow_private)
    page = context.new_page()
    response = page.goto(url, wait_until="load", timeout=max(1.0, (timeout - (time.monotonic() - started)) * 1000))
    if response is None:
        raise FetchNetworkError("browser: the navigation produced no response", url=url)
    ended = refused_redirect(url, page.url, allow_private=allow_private)
    if ended:                           # redirects of the navigation are followed by Chromium itself
        raise FetchNetworkError(f"browser: {ended}", url=url, transient=False)
    status = response.status
    if not 200 <= status < 300:
        reason = response.status_text or REASONS.get(status, "")
        raise FetchHTTPStatus(f"HTTP {status} {reason}".rstrip(), url=url, status_code=status)
    remaining_ms = (timeout - (time.monotonic() - started)) * 1000
    if remaining_ms > 0:
        try:
            page.wait_for_load_state("networkidle", timeout=remaining_ms)
        except PlaywrightTimeout:   # a page that polls forever: take what it has rendered by the deadline
            log.debug("%s: network not idle within %gs; using the DOM as it is", url, timeout)
    context.set_default_timeout(max(1.0, (timeout - (time.monotonic() - started)) * 1000 + 1000))
    html = page.content()
    if refused:
        log.warning("%s: the browser refused %d request(s) of the page to internal addresses, first %s",
                    url, len(refused), refused[0])
    body = html.encode("utf-8")
    if len(body) > max_bytes:
        raise FetchTooLarge(f"rendered page exceeds the {max_bytes}-byte cap", url=url)
    return FetchResult(url=url, final_url=page.url, status_code=status, body=body, content_type="text/html",
                       encoding="utf-8", text=html, elapsed=time.monotonic() - started)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip() and not line.startswith("=")]
    return lines[0] if lines else type(exc).__name__

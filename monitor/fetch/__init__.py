"""The fetch stage: a document's URL -> bytes and headers (`FetchResult`).

`http` fetches with httpx (bounded body, deadline, charset decoding); `browser` renders through headless
Chromium for `render: true` and the bot-wall retry; `strategy` picks the fetcher for each page and falls back
from HTTP to the browser.
"""

from monitor.fetch.http import (
    ACCEPT,
    MAX_BODY_BYTES,
    MAX_REDIRECTS,
    decode_body,
    fetch_document,
    make_client,
)
from monitor.fetch.strategy import Fetched, acquire, browser_available, fetch_pages

__all__ = ["ACCEPT", "MAX_BODY_BYTES", "MAX_REDIRECTS", "Fetched", "acquire", "browser_available", "decode_body",
           "fetch_document", "fetch_pages", "make_client"]

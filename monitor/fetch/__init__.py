"""The fetch stage: a document's URL -> bytes and headers (`FetchResult`).

`http` fetches with httpx (bounded body, deadline, charset decoding); `browser` renders through headless
Chromium for `render: true` and the bot-wall retry.
"""

from monitor.fetch.http import (
    ACCEPT,
    MAX_BODY_BYTES,
    MAX_REDIRECTS,
    decode_body,
    fetch_document,
    make_client,
)

__all__ = ["ACCEPT", "MAX_BODY_BYTES", "MAX_REDIRECTS", "decode_body", "fetch_document", "make_client"]

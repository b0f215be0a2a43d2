"""The exception hierarchy of tosmon. Imports nothing from `monitor`.

```
MonitorError                 anything tosmon reports to the user as a failure of input or environment
├── ConfigError              a watchlist (or other user input) is invalid; carries path, line, key
├── FetchError               a document could not be fetched; carries url and .transient
│   ├── FetchTimeout         the server did not answer within the timeout
│   ├── FetchNetworkError    DNS, connection refused/reset, TLS, protocol error, redirect loop
│   ├── FetchHTTPStatus      the server answered with a non-2xx status; carries .status_code
│   ├── FetchTooLarge        the body exceeded the size cap
│   └── BrowserUnavailable   `render: true` but Playwright or Chromium is not installed (or will not start)
├── ExtractError             no text could be extracted (selector matched nothing, empty page, bad PDF)
├── SuspectFetch             the page answered but is not the document (bot wall, error page, big shrink)
├── StoreError               the database cannot be opened or its schema is newer than this code
├── DeliveryError            a webhook delivery failed; carries .retryable and .retry_after
└── NotFound                 an id given on the command line does not exist
```
Bugs are not MonitorErrors: they propagate as ordinary exceptions. Neither is `Cancelled`: a check or delivery
stopped by a shutdown records nothing.
"""

from __future__ import annotations


class Cancelled(Exception):
    """Raised in a check or delivery in flight when the process is stopping (SIGTERM, Ctrl-C); not a
    MonitorError, so nothing records it as a failure."""


class MonitorError(Exception):
    """Base class of every error tosmon reports as a one-line message."""


class ConfigError(MonitorError):
    """Raised when a watchlist or other user input is invalid.

    The message reads `path:line: key: problem` so it names what is at fault.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.problem = message
        prefix = ""
        if path is not None:
            prefix = f"{path}:{line}: " if line is not None else f"{path}: "
        if key:
            prefix += f"{key}: "
        super().__init__(prefix + message)


class FetchError(MonitorError):
    """Raised when a document could not be fetched. `transient` says a retry may succeed."""

    transient: bool = False

    def __init__(self, message: str, *, url: str, transient: bool | None = None) -> None:
        self.url = url
        if transient is not None:
            self.transient = transient
        super().__init__(f"{url}: {message}")


class FetchTimeout(FetchError):
    """Raised when the server did not answer within the document's timeout."""

    transient = True


class FetchNetworkError(FetchError):
    """Raised on DNS failures, refused or reset connections, TLS and protocol errors, redirect loops."""

    transient = True


class FetchHTTPStatus(FetchError):
    """Raised when the server answered with a status other than 2xx or 304."""

    def __init__(self, message: str, *, url: str, status_code: int) -> None:
        self.status_code = status_code
        transient = status_code in (408, 425, 429) or status_code >= 500
        super().__init__(message, url=url, transient=transient)


class FetchTooLarge(FetchError):
    """Raised when the body grew past the size cap; nothing of it is kept."""


class ExtractError(MonitorError):
    """Raised when a fetched page yields no document text (a selector matched nothing, an empty page)."""


class SuspectFetch(MonitorError):
    """Raised (and recorded) when a fetched page is a bot or consent wall, an error page served with 200, a
    near-empty extraction or a sudden loss of most of the text: it becomes no version."""


class StoreError(MonitorError):
    """Raised when the database cannot be opened, or its schema is newer than this version of tosmon."""


class DeliveryError(MonitorError):
    """Raised when a webhook delivery attempt failed. `retryable` says whether to try again; `waiting`: no
    attempt was made because something only the operator can provide (a secret, a channel URL, apprise) is
    missing, so the delivery waits for it without giving up."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None,
                 waiting: bool = False) -> None:
        self.retryable = retryable
        self.retry_after = retry_after
        self.waiting = waiting
        super().__init__(message)


class NotFound(MonitorError):
    """Raised when a change, document or delivery id given by the user does not exist."""


class BrowserUnavailable(FetchError):
    """Raised when a document needs a browser (`render: true`) but Playwright or Chromium is not installed,
    or Chromium will not start. The message names what is missing and how to install it."""

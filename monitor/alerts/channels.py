"""Apprise channels (`alerts.channels`): e-mail, ntfy, Telegram, Matrix, Teams ... through the same outbox.

A channel's URL(s) are read from the environment variable its `url_env` names, at send time, never from the
watchlist; several URLs in one variable are separated by spaces or commas. E-mail gets the HTML message
(apprise adds a plain-text part made from it); every other service gets the plain-text one. apprise is the
optional extra `notify` (`pip install '.[notify]'`), imported only here, only when a channel sends.

A missing variable or a missing apprise is not a failed attempt: the delivery waits for the operator
(`DeliveryError(waiting=True)`). A URL apprise does not understand fails for good; a notification apprise
could not send is retried like a webhook that did not answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from monitor.alerts.message import subject, to_html, to_text
from monitor.errors import DeliveryError
from monitor.models import ChannelConfig

_SPLIT_RE = re.compile(r"[\s,]+")
#: apprise lines kept in a delivery's last error.
ERROR_LINES = 3


def channel_urls(channel: ChannelConfig, environ: Mapping[str, str]) -> list[str]:
    """The channel's apprise URLs from its variable; a delivery waits while it is unset."""
    value = environ.get(channel.url_env, "")
    urls = [u for u in _SPLIT_RE.split(value) if u]
    if not urls:
        state = "is empty" if channel.url_env in environ else "is not set"
        raise DeliveryError(f"waiting: channel {channel.name!r}: environment variable {channel.url_env} {state} "
                            "(set it to the apprise URL(s), then `tosmon alerts retry`)", retryable=True,
                            waiting=True)
    return urls


def _apprise() -> Any:
    try:
        import apprise
    except ImportError:
        raise DeliveryError("waiting: apprise is not installed: pip install 'tosmon[notify]' (or '.[notify]' in "
                            "a checkout; `make run` installs it)", retryable=True, waiting=True) from None
    return apprise


def _scrub(text: str, secrets: list[str]) -> str:
    """apprise's log lines without the URLs (they can hold passwords and tokens)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "<url>")
    return text


def send_channel(channel: ChannelConfig, body: dict[str, Any], *, now: datetime,
                 environ: Mapping[str, str]) -> None:
    """Notify every URL of the channel; raises DeliveryError when one cannot be sent."""
    urls = channel_urls(channel, environ)
    apprise = _apprise()
    title = subject(body)
    html, text = to_html(body, now=now), to_text(body, now=now)
    for number, url in enumerate(urls, 1):
        scheme = url.partition("://")[0] or "?"
        where = f"channel {channel.name!r} URL {number} ({scheme}://)"
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise DeliveryError(f"{where}: apprise does not understand this URL", retryable=False)
        email = type(plugin).__name__ == "NotifyEmail"
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            ok = plugin.notify(body=html if email else text, title=title,
                               body_format=apprise.NotifyFormat.HTML if email else apprise.NotifyFormat.TEXT)
        if not ok:
            lines = [line for line in captured.getvalue().splitlines() if line.strip()][-ERROR_LINES:]
            raise DeliveryError(f"{where}: " + (_scrub(" / ".join(lines), urls) or "apprise could not send"),
                                retryable=True)

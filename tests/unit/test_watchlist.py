"""monitor.watchlist: data-driven over tests/data/watchlists/{valid,invalid}/*.yaml, plus the values built.

Each invalid file holds one failure mode; its first line is `# expect: <message>`, with `{path}` standing for
the file's path.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.models import WEBHOOK_FORMATS, ChannelConfig, Event, RetryPolicy, Watchlist, WebhookConfig
from monitor.watchlist import load_watchlist, missing_variables, parse_watchlist, validate_watchlist

DATA = Path(__file__).resolve().parents[1] / "data" / "watchlists"
VALID = sorted((DATA / "valid").glob("*.yaml"))
INVALID = sorted((DATA / "invalid").glob("*.yaml"))
SHIPPED = Path(__file__).resolve().parents[2] / "watchlist.yaml"
ENV = {"TOSMON_WEBHOOK_SECRET": "s3cret"}


def expected_message(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: first line must be '# expect: ...'"
    return first.removeprefix("# expect: ").replace("{path}", str(path))


def parse(text: str, **environ: str) -> Watchlist:
    return parse_watchlist(text, path="w.yaml", environ=environ)


def error_of(text: str, **environ: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse(text, **environ)
    return str(info.value)


# --- data-driven ----------------------------------------------------------------------------------------


def test_data_files_exist() -> None:
    assert len(VALID) >= 5 and len(INVALID) >= 30


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_file_loads(path: Path) -> None:
    assert validate_watchlist(path, environ=ENV) == []
    watchlist = load_watchlist(path, environ=ENV)
    assert watchlist.path == str(path)
    assert len({doc.id for doc in watchlist.documents}) == len(watchlist.documents)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_file_gives_its_one_error(path: Path) -> None:
    expected = expected_message(path)
    errors = validate_watchlist(path, environ=ENV)
    assert [str(e) for e in errors] == [expected]
    with pytest.raises(ConfigError) as info:
        load_watchlist(path, environ=ENV)
    assert str(info.value) == expected
    assert info.value.path == str(path) and info.value.line is not None


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_error_message_is_one_line(path: Path) -> None:
    for error in validate_watchlist(path, environ=ENV):
        assert "\n" not in str(error) and "\r" not in str(error)
        assert str(error).startswith(f"{path}:{error.line}: ")


# --- the shipped watchlist -----------------------------------------------------------------------------


def test_shipped_watchlist_validates() -> None:
    assert validate_watchlist(SHIPPED, environ={}) == []
    watchlist = load_watchlist(SHIPPED, environ={})
    ids = {doc.id for doc in watchlist.documents}
    for service in ("linkedin", "facebook", "instagram", "x", "google", "microsoft", "reddit", "pinterest"):
        assert f"{service}/privacy-policy" in ids and f"{service}/terms" in ids, service
    assert {"linkedin/privacy-policy-fr", "linkedin/terms-fr"} <= ids
    assert all(doc.url.startswith("https://") for doc in watchlist.documents)
    assert all(doc.interval == timedelta(hours=6) for doc in watchlist.documents)
    assert watchlist.alerts.webhooks == () and watchlist.alerts.channels == ()
    assert "apprise:" not in SHIPPED.read_text(encoding="utf-8")   # the dead key it once advertised


# --- built values -----------------------------------------------------------------------------------------

DOCS = """\
defaults:
  interval: 2h
  timeout: 10s
  user_agent: "tosmon-test/2"
services:
  linkedin:
    name: LinkedIn
    documents:
      privacy-policy:
        url: https://www.linkedin.com/legal/privacy-policy
        select: main
        remove: [".cookie-banner", nav]
        ignore: "Last updated: .*"
        language: en
        interval: 15m
        render: true
      terms:
        urls: [https://example.com/terms, https://example.com/terms/ai]
  reddit:
    documents:
      privacy-policy:
        url: https://www.reddit.com/policies/privacy-policy
        timeout: 1m
        user_agent: other
"""


def test_defaults_and_overrides() -> None:
    docs = {doc.id: doc for doc in parse(DOCS).documents}
    assert list(docs) == ["linkedin/privacy-policy", "linkedin/terms", "reddit/privacy-policy"]

    privacy = docs["linkedin/privacy-policy"]
    assert (privacy.service, privacy.service_name, privacy.name) == ("linkedin", "LinkedIn", "privacy-policy")
    assert privacy.urls == ("https://www.linkedin.com/legal/privacy-policy",)
    assert privacy.select == ("main",) and privacy.remove == (".cookie-banner", "nav")
    assert privacy.ignore == ("Last updated: .*",) and privacy.language == "en" and privacy.render is True
    assert privacy.interval == timedelta(minutes=15)                     # overridden
    assert privacy.timeout == timedelta(seconds=10) and privacy.user_agent == "tosmon-test/2"   # defaults

    terms = docs["linkedin/terms"]
    assert terms.urls == ("https://example.com/terms", "https://example.com/terms/ai")
    assert terms.url == "https://example.com/terms"
    assert (terms.select, terms.remove, terms.ignore) == ((), (), ())
    assert terms.language is None and terms.render is False
    assert terms.interval == timedelta(hours=2)

    reddit = docs["reddit/privacy-policy"]
    assert reddit.service_name == "reddit"                               # name defaults to the slug
    assert reddit.timeout == timedelta(minutes=1) and reddit.user_agent == "other"
    assert reddit.interval == timedelta(hours=2)


def test_model_defaults_without_a_defaults_section() -> None:
    (doc,) = parse("services:\n  a:\n    documents:\n      b: {url: 'http://127.0.0.1:8000/x'}\n").documents
    assert doc.id == "a/b"
    assert (doc.interval, doc.timeout) == (timedelta(hours=6), timedelta(seconds=30))
    assert doc.user_agent == "tosmon/1.0"


def test_empty_watchlists() -> None:
    for text in ("", "services: {}\n", "services:\n", "defaults: {interval: 1h}\n"):
        watchlist = parse(text)
        assert watchlist.documents == () and watchlist.alerts.webhooks == ()


def test_alerts() -> None:
    text = """\
alerts:
  retry: {initial: 10s, give_up_after: 1d}
  failing_after: 5
  reminders: [1d, 2w, 14d]
  channels:
    - {name: me, url_env: TOSMON_NOTIFY_ME}
    - {name: phone, url_env: NTFY, events: [deadline.approaching]}
  webhooks:
    - name: ops
      url: http://127.0.0.1:9000/hook
      secret_env: HOOK_SECRET
      events: [change.detected, document.failing, change.detected]
      format: slack
    - name: plain
      url: https://example.com/hook
"""
    alerts = parse(text, HOOK_SECRET="very-secret-value").alerts
    assert alerts.retry == RetryPolicy(initial=timedelta(seconds=10), give_up_after=timedelta(days=1))
    assert alerts.retry.max_interval == timedelta(hours=1)
    assert alerts.failing_after == 5
    assert alerts.reminders == (timedelta(days=14), timedelta(days=1))      # sorted, duplicates dropped
    assert alerts.channels == (
        ChannelConfig(name="me", url_env="TOSMON_NOTIFY_ME",
                      events=(Event.CLAUSE_FLAGGED, Event.DEADLINE_APPROACHING, Event.DOCUMENT_FAILING)),
        ChannelConfig(name="phone", url_env="NTFY", events=(Event.DEADLINE_APPROACHING,)))
    assert alerts.subscribers(Event.DEADLINE_APPROACHING) == ["me", "phone"]
    assert alerts.subscribers(Event.CHANGE_DETECTED) == ["ops", "plain"]
    assert alerts.webhooks == (
        WebhookConfig(name="ops", url="http://127.0.0.1:9000/hook", secret_env="HOOK_SECRET",
                      events=(Event.CHANGE_DETECTED, Event.DOCUMENT_FAILING), format="slack"),
        WebhookConfig(name="plain", url="https://example.com/hook"),
    )
    assert "very-secret-value" not in repr(alerts)     # only the variable name is kept


def test_alert_defaults() -> None:
    alerts = parse("alerts: {}\n").alerts
    assert alerts.retry == RetryPolicy() and alerts.failing_after == 3 and alerts.webhooks == ()


@pytest.mark.parametrize("fmt", WEBHOOK_FORMATS)
def test_every_webhook_format_is_accepted(fmt: str) -> None:
    text = f"alerts:\n  webhooks:\n    - {{name: a, url: 'http://127.0.0.1/h', format: {fmt}}}\n"
    assert parse(text).alerts.webhooks[0].format == fmt


def test_unset_secret_and_channel_url_are_warnings_not_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("alerts:\n  webhooks:\n    - {name: a, url: 'http://127.0.0.1/h', secret_env: TOSMON_T_SECRET}\n"
            "  channels:\n    - {name: me, url_env: TOSMON_T_URL}\n")
    monkeypatch.delenv("TOSMON_T_SECRET", raising=False)
    monkeypatch.setenv("TOSMON_T_URL", "")
    watchlist = parse_watchlist(text, path="w.yaml")        # reading the file needs no secret
    assert watchlist.alerts.webhooks[0].secret_env == "TOSMON_T_SECRET"
    assert missing_variables(watchlist) == [
        "w.yaml: webhook 'a': environment variable TOSMON_T_SECRET (secret) is not set; its deliveries wait "
        "until it is",
        "w.yaml: channel 'me': environment variable TOSMON_T_URL (URL(s)) is empty; its deliveries wait until it is"]
    assert missing_variables(watchlist, {"TOSMON_T_SECRET": "x", "TOSMON_T_URL": "json://127.0.0.1"}) == []


def test_secret_env_must_be_a_variable_name() -> None:
    text = "alerts:\n  webhooks:\n    - {name: a, url: 'http://127.0.0.1/h', secret_env: 's3cr3t value'}\n"
    assert error_of(text) == ('w.yaml:3: alerts.webhooks[0].secret_env: "s3cr3t value" is not an environment '
                              'variable name (letters, digits and _)')


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/x", "https://fr.linkedin.com/legal/privacy-policy",
                                 "HTTPS://EXAMPLE.COM", "http://[::1]:9000/", "https://a.b/c?d=e#f"])
def test_good_urls(url: str) -> None:
    assert parse(f"services:\n  a:\n    documents:\n      b: {{url: '{url}'}}\n").documents[0].url == url


@pytest.mark.parametrize("url", ["ftp://x", "https://", "//example.com/x", "http://exa mple.com/",
                                 "http://example.com:99999/", "http://[::1/", "file:///etc/passwd",
                                 "http://example.com/a\u00a0b", "http://example.com/a\u3000b"])
def test_bad_urls(url: str) -> None:
    message = error_of(f"services:\n  a:\n    documents:\n      b: {{url: '{url}'}}\n")
    assert message.endswith("is not an http(s) URL") and "services.a.documents.b.url" in message


# --- errors ---------------------------------------------------------------------------------------------


def test_every_error_is_collected_topmost_first(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text("services:\n  a:\n    documents:\n      b:\n        url: ftp://x\n        interval: 6x\n"
                    "bogus: 1\ndefaults: {timeout: soon}\n", encoding="utf-8")
    errors = validate_watchlist(path, environ={})
    assert [(e.line, e.key) for e in errors] == [
        (5, "services.a.documents.b.url"), (6, "services.a.documents.b.interval"), (7, "bogus"),
        (8, "defaults.timeout")]
    with pytest.raises(ConfigError) as info:
        load_watchlist(path, environ={})
    assert str(info.value) == str(errors[0])
    assert info.value.problem == '"ftp://x" is not an http(s) URL'


def test_the_issue_example() -> None:
    text = ("services:\n  linkedin:\n    documents:\n      privacy-policy:\n"
            "        url: https://www.linkedin.com/legal/privacy-policy\n"
            + "\n" * 8 + "        interval: 6x\n")
    assert error_of(text).replace("w.yaml", "watchlist.yaml") == (
        'watchlist.yaml:14: services.linkedin.documents.privacy-policy.interval: "6x" is not a duration')


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_watchlist(path)
    assert str(info.value) == f"{path}: file not found"
    assert [str(e) for e in validate_watchlist(path)] == [f"{path}: file not found"]


def test_directory_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read"):
        load_watchlist(tmp_path)
    path = tmp_path / "latin1.yaml"
    path.write_bytes("services: {}  # caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text"):
        load_watchlist(path)


def test_multiline_values_stay_on_one_line() -> None:
    message = error_of('defaults:\n  interval: "6\\nx"\n')
    assert message == r'w.yaml:2: defaults.interval: "6\nx" is not a duration' and "\n" not in message


def test_non_string_and_duplicate_keys() -> None:
    assert error_of("services:\n  ? [a]\n  : {}\n") == 'w.yaml:2: services: expected a string key, got a list'
    duplicate = error_of("defaults: {interval: 1h}\ndefaults: {}\n")
    assert duplicate == 'w.yaml:2: defaults: duplicate key "defaults"'


def test_deprecated_selector_is_reported() -> None:
    message = error_of("services:\n  a:\n    documents:\n"
                       "      b: {url: 'http://x.org/', select: 'p:contains(AI)'}\n")
    assert message.startswith('w.yaml:4: services.a.documents.b.select: "p:contains(AI)": ')
    assert "deprecated" in message

"""Load and validate `watchlist.yaml` (design.md) into a `Watchlist`.

The YAML is composed into nodes, not loaded into dicts, so every problem can name its file, line and key:

    watchlist.yaml:14: services.linkedin.documents.privacy-policy.interval: "6x" is not a duration

Each mapping is checked against an explicit table of allowed keys (key -> checker); unknown and duplicate
keys are errors. Durations, URLs, CSS selectors, regexes, events, formats and secret variables are checked
here, before anything runs.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from monitor.errors import ConfigError
from monitor.models import (
    WEBHOOK_FORMATS,
    AlertConfig,
    ChannelConfig,
    Document,
    Event,
    OtaSource,
    RangeSelector,
    RetryPolicy,
    Watchlist,
    WebhookConfig,
)
from monitor.timeutil import parse_duration

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
LANGUAGE_RE = re.compile(r"[a-z]{2}")
_ZERO_DURATION_RE = re.compile(r"\s*[0.]+\s*[a-z]+\s*")
EVENTS = tuple(str(event) for event in Event)
GIT_SCHEMES = ("https", "http", "git", "ssh", "file")
#: Keys a followed (`ota:`) document cannot have: its text is the repository's, taken as it is.
NOT_WITH_OTA = ("url", "urls", "select", "remove", "ignore", "render", "user_agent")

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"


class _Problem(Exception):
    """A checker's complaint about one node; `_Validator` turns it into a ConfigError with file and line."""

    def __init__(self, message: str, node: Node, key: str) -> None:
        super().__init__(message)
        self.message, self.node, self.key = message, node, key


Check = Callable[[Node, str], Any]


def _quote(text: str) -> str:
    """A value as it appears in a message: double-quoted, on one line."""
    return json.dumps(text, ensure_ascii=False)


def _kind(node: Node) -> str:
    """What a node is, for `expected X, got Y` messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list" if node.value else "an empty list"
    if node.tag == _NULL:
        return "null"
    return _quote(str(node.value))


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL)


# --- checkers: (node, key) -> value, or raise _Problem ----------------------------------------------------


def _raw(node: Node, key: str) -> Node:
    """A nested section, walked by its own builder."""
    return node


def _string(node: Node, key: str) -> str:
    """A non-empty scalar, taken as written (so `language: no` stays "no")."""
    if not isinstance(node, ScalarNode) or node.tag == _NULL or node.value == "":
        raise _Problem(f"expected a non-empty string, got {_kind(node)}", node, key)
    return str(node.value)


def _bool(node: Node, key: str) -> bool:
    """`true` or `false`, unquoted."""
    if isinstance(node, ScalarNode) and node.tag == _BOOL and node.value.lower() in ("true", "false"):
        return bool(node.value.lower() == "true")
    raise _Problem(f"expected a boolean (true or false), got {_kind(node)}", node, key)


def _positive_int(node: Node, key: str) -> int:
    if isinstance(node, ScalarNode) and node.tag == _INT and node.value.isdigit() and int(node.value) > 0:
        return int(node.value)
    raise _Problem(f"expected a positive integer, got {_kind(node)}", node, key)


#: The longest interval or timeout: a check's next date (interval x 8 at most, with jitter) must stay a date.
MAX_DURATION = timedelta(weeks=520)


def _duration(node: Node, key: str) -> timedelta:
    text = _string(node, key)
    try:
        duration = parse_duration(text)
    except ValueError:
        positive = "" if _ZERO_DURATION_RE.fullmatch(text) is None else "positive "
        raise _Problem(f"{_quote(text)} is not a {positive}duration", node, key) from None
    except OverflowError:
        duration = timedelta.max
    if duration > MAX_DURATION:
        raise _Problem(f"{_quote(text)} is longer than the longest allowed ({MAX_DURATION.days // 7}w)", node, key)
    return duration


def _url(node: Node, key: str) -> str:
    """An absolute http(s) URL with a host."""
    text = _string(node, key)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok or text.split() != [text]:          # holds whitespace (str.split splits where isspace is true)
        raise _Problem(f"{_quote(text)} is not an http(s) URL", node, key)
    return text


def _selector(node: Node, key: str) -> str:
    from monitor.css import css_problem

    text = _string(node, key)
    problem = css_problem(text)
    if problem is not None:
        sep = " " if problem.startswith("is not") else ": "
        raise _Problem(f"{_quote(text)}{sep}{problem}", node, key)
    return text


RANGE_KEYS = {"startBefore": "start_before", "startAfter": "start_after", "endBefore": "end_before",
              "endAfter": "end_after"}


def _range(node: MappingNode, key: str) -> RangeSelector:
    """An Open Terms Archive range: exactly one of startBefore/startAfter and one of endBefore/endAfter."""
    values: dict[str, str] = {}
    for knode, vnode in node.value:
        name = str(knode.value) if isinstance(knode, ScalarNode) else ""
        if name not in RANGE_KEYS:
            raise _Problem(f"unknown range key {_quote(name)} (allowed: {', '.join(RANGE_KEYS)})", knode,
                           f"{key}.{name}")
        if RANGE_KEYS[name] in values:
            raise _Problem(f"duplicate key {_quote(name)}", knode, f"{key}.{name}")
        values[RANGE_KEYS[name]] = _selector(vnode, f"{key}.{name}")
    for side in ("start", "end"):
        given = [name for name, field_ in RANGE_KEYS.items() if field_.startswith(side) and field_ in values]
        if len(given) != 1:
            pair = f"{side}Before or {side}After"
            what = f"give only one of {pair}" if given else f"a range needs {pair}"
            raise _Problem(what, node, key)
    return RangeSelector(**values)


def _selector_or_range(node: Node, key: str) -> str | RangeSelector:
    """A CSS selector, or (in a list) a range mapping `{startBefore|startAfter: css, endBefore|endAfter: css}`."""
    if isinstance(node, MappingNode):
        return _range(node, key)
    return _selector(node, key)


def _regex(node: Node, key: str) -> str:
    """A regex that compiles alone and inside the `(?:...)|(?:...)` group the extractor joins it into."""
    text = _string(node, key)
    try:
        re.compile(text)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise _Problem(f"{_quote(text)} is not a valid regex: {exc.msg}{where}", node, key) from None
    except (OverflowError, RecursionError, MemoryError) as exc:     # a{99999999999}, 10,000 nested groups
        raise _Problem(f"{_quote(text)} is not a usable regex: {exc or type(exc).__name__}", node, key) from None
    try:
        re.compile(f"(?:{text})")
    except re.error as exc:
        raise _Problem(f"{_quote(text)} cannot be joined with other patterns ({exc.msg}): "
                       "use a scoped flag group such as (?i:...)", node, key) from None
    return text


def _language(node: Node, key: str) -> str:
    text = _string(node, key)
    if not LANGUAGE_RE.fullmatch(text):
        raise _Problem(f"{_quote(text)} is not a two-letter ISO 639-1 language code (e.g. en, fr)", node, key)
    return text


def _event(node: Node, key: str) -> Event:
    text = _string(node, key)
    if text not in EVENTS:
        raise _Problem(f"unknown event {_quote(text)} (expected one of {', '.join(EVENTS)})", node, key)
    return Event(text)


def _format(node: Node, key: str) -> str:
    text = _string(node, key)
    if text not in WEBHOOK_FORMATS:
        expected = ", ".join(WEBHOOK_FORMATS)
        raise _Problem(f"{_quote(text)} is not a webhook format (expected one of {expected})", node, key)
    return text


def _apprise_gone(node: Node, key: str) -> None:
    """The key of an earlier draft that was never used: its URLs (passwords too) sat in the file."""
    raise _Problem("is not supported; use alerts.channels (name, url_env: the environment variable that holds "
                   "the apprise URL(s), never written in the file, events)", node, key)


_ENV_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _env_name(node: Node, key: str) -> str:
    """The name of an environment variable (its value is read only when it is used)."""
    text = _string(node, key)
    if not _ENV_RE.fullmatch(text):
        raise _Problem(f"{_quote(text)} is not an environment variable name (letters, digits and _)", node, key)
    return text


def _lead_time(node: Node, key: str) -> timedelta:
    """A reminder lead time: a duration of at least one day, in whole days (14d, 2w)."""
    value = _duration(node, key)
    if value.total_seconds() % 86400 or value.days < 1:
        raise _Problem(f"{_quote(str(node.value))} is not a whole number of days (e.g. 14d, 3d, 1d)", node, key)
    return value


def _list_of(item: Check, what: str, *, single: bool = True, non_empty: bool = False) -> Check:
    """A checker for a list of `item`s (or, when `single`, one bare item), each checked under `key[i]`."""
    expected = f"{'a string or ' if single else ''}a {'non-empty ' if non_empty else ''}list of {what}"

    def check(node: Node, key: str) -> tuple[Any, ...]:
        if single and isinstance(node, ScalarNode) and node.tag != _NULL:
            return (item(node, key),)
        if not isinstance(node, SequenceNode) or (non_empty and not node.value):
            raise _Problem(f"expected {expected}, got {_kind(node)}", node, key)
        return tuple(item(child, f"{key}[{i}]") for i, child in enumerate(node.value))

    return check


def _repo(node: Node, key: str) -> str:
    """A git repository: a URL (http, https, git, ssh, file), `user@host:path`, or a local path."""
    text = _string(node, key)
    scheme = text.split("://", 1)[0].lower() if "://" in text else None
    if scheme is not None and (scheme not in GIT_SCHEMES or any(c.isspace() for c in text)):
        raise _Problem(f"{_quote(text)} is not a git URL (expected {', '.join(GIT_SCHEMES)}:// or a local path)",
                       node, key)
    if text.startswith("-"):
        raise _Problem(f"{_quote(text)} is not a repository (starts with -)", node, key)
    return text


def _repo_path(node: Node, key: str) -> str:
    """A file's path inside a repository: relative, with / separators and no `..`."""
    text = _string(node, key)
    parts = text.split("/")
    if text.startswith("/") or "\\" in text or any(part in ("", ".", "..") for part in parts):
        raise _Problem(f"{_quote(text)} is not a path inside the repository (relative, / separated, no ..)",
                       node, key)
    return text


_selectors = _list_of(_selector_or_range, "CSS selectors")
_regexes = _list_of(_regex, "regexes")
_events = _list_of(_event, "events", non_empty=True)
def _page(node: Node, key: str) -> str | tuple[str, bool]:
    """One page of `urls:`: a URL, or `{url: URL, render: true|false}` (this page alone through Chromium)."""
    if not isinstance(node, MappingNode):
        return _url(node, key)
    values: dict[str, Any] = {}
    for knode, vnode in node.value:
        name = str(knode.value) if isinstance(knode, ScalarNode) else ""
        if name not in ("url", "render"):
            raise _Problem(f"unknown key {_quote(name)} (allowed: url, render)", knode, f"{key}.{name}")
        values[name] = _url(vnode, f"{key}.url") if name == "url" else _bool(vnode, f"{key}.render")
    if "url" not in values:
        raise _Problem('missing key "url"', node, key)
    return values["url"], bool(values.get("render", False))


_urls = _list_of(_page, "URLs", single=False, non_empty=True)
_lead_times = _list_of(_lead_time, "lead times", single=False)

# --- the tables of allowed keys ----------------------------------------------------------------------------

TOP_KEYS: dict[str, Check] = {"defaults": _raw, "alerts": _raw, "services": _raw}
DEFAULTS_KEYS: dict[str, Check] = {"interval": _duration, "timeout": _duration, "user_agent": _string,
                                   "allow_private": _bool}   # redirects and browser requests to intranet hosts
ALERTS_KEYS: dict[str, Check] = {"retry": _raw, "failing_after": _positive_int, "reminders": _lead_times,
                                 "channels": _raw, "webhooks": _raw, "apprise": _apprise_gone}
RETRY_KEYS: dict[str, Check] = {"initial": _duration, "max_interval": _duration, "give_up_after": _duration}
WEBHOOK_KEYS: dict[str, Check] = {"name": _string, "url": _url, "secret_env": _env_name, "events": _events,
                                  "format": _format}
CHANNEL_KEYS: dict[str, Check] = {"name": _string, "url_env": _env_name, "events": _events}
SERVICE_KEYS: dict[str, Check] = {"name": _string, "documents": _raw}
DOCUMENT_KEYS: dict[str, Check] = {"url": _url, "urls": _urls, "select": _selectors, "remove": _selectors,
                                   "ignore": _regexes, "language": _language, "render": _bool,
                                   "ota": _raw, **DEFAULTS_KEYS}
OTA_KEYS: dict[str, Check] = {"repo": _repo, "path": _repo_path}


@dataclass
class _Fields:
    """One mapping, checked: the valid values; the key node of each allowed key present, valid or not;
    `mapping` False when it was not a mapping (or null) at all; `ok` False when anything in it was invalid."""

    values: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    mapping: bool = True
    ok: bool = True


class _Validator:
    """Walks the composed document, collecting every error instead of stopping at the first."""

    def __init__(self, path: str, environ: Mapping[str, str]) -> None:
        self.path = path
        self.environ = environ
        self.errors: list[ConfigError] = []

    def error(self, message: str, node: Node, key: str) -> None:
        line = node.start_mark.line + 1
        self.errors.append(ConfigError(message, path=self.path, line=line, key=key or None))

    def items(self, node: Node | None, key: str, *, slugs: bool = False) -> list[tuple[str, Node, Node]]:
        """The (name, key node, value node) pairs of a mapping; null is empty. Reports duplicate keys."""
        if _is_null(node):
            return []
        assert node is not None
        if not isinstance(node, MappingNode):
            where = "" if key else " at the top level"
            self.error(f"expected a mapping{where}, got {_kind(node)}", node, key)
            return []
        seen: set[str] = set()
        pairs: list[tuple[str, Node, Node]] = []
        for knode, vnode in node.value:
            name = str(knode.value) if isinstance(knode, ScalarNode) else ""
            sub = f"{key}.{name}" if key else name
            if not isinstance(knode, ScalarNode) or knode.tag == _NULL or not name:
                self.error(f"expected a string key, got {_kind(knode)}", knode, key)
            elif name in seen:
                self.error(f"duplicate key {_quote(name)}", knode, sub)
            elif slugs and not SLUG_RE.fullmatch(name):
                self.error(f"{_quote(name)} is not a lowercase slug (a-z, 0-9 and -, not starting with -)",
                           knode, sub)
            else:
                seen.add(name)
                pairs.append((name, knode, vnode))
        return pairs

    def fields(self, node: Node | None, key: str, table: Mapping[str, Check]) -> _Fields:
        """Check a mapping against its table of allowed keys."""
        result = _Fields(mapping=_is_null(node) or isinstance(node, MappingNode))
        before = len(self.errors)
        for name, knode, vnode in self.items(node, key):
            sub = f"{key}.{name}" if key else name
            check = table.get(name)
            if check is None:
                allowed = ", ".join(table)
                self.error(f"unknown key {_quote(name)} (allowed: {allowed})", knode, sub)
                continue
            result.nodes[name] = knode
            try:
                result.values[name] = check(vnode, sub)
            except _Problem as problem:
                self.error(problem.message, problem.node, problem.key)
        result.ok = result.mapping and len(self.errors) == before
        return result

    def watchlist(self, root: Node | None) -> Watchlist:
        top = self.fields(root, "", TOP_KEYS)
        defaults = self.fields(top.values.get("defaults"), "defaults", DEFAULTS_KEYS).values
        alerts = self.alerts(top.values.get("alerts"))
        documents: list[Document] = []
        for slug, knode, vnode in self.items(top.values.get("services"), "services", slugs=True):
            documents.extend(self.service(slug, knode, vnode, defaults))
        return Watchlist(path=self.path, documents=tuple(documents), alerts=alerts)

    def service(self, slug: str, knode: Node, node: Node, defaults: Mapping[str, Any]) -> list[Document]:
        key = f"services.{slug}"
        service = self.fields(node, key, SERVICE_KEYS)
        if service.mapping and "documents" not in service.nodes:
            self.error('missing key "documents"', knode, key)
        name = service.values.get("name", slug)
        documents = []
        for doc_slug, doc_knode, doc_node in self.items(service.values.get("documents"), f"{key}.documents",
                                                        slugs=True):
            doc_key = f"{key}.documents.{doc_slug}"
            doc = self.fields(doc_node, doc_key, DOCUMENT_KEYS)
            if "url" in doc.nodes and "urls" in doc.nodes:
                self.error("give either url or urls, not both", doc.nodes["urls"], doc_key)
                continue
            if "ota" in doc.nodes:
                ota = self.ota_source(doc, doc_key)
                if ota is None or not doc.ok:
                    continue
                values = {**{k: v for k, v in defaults.items() if k not in NOT_WITH_OTA}, **doc.values,
                          "ota": ota}
                documents.append(Document(id=f"{slug}/{doc_slug}", service=slug, service_name=name,
                                          name=doc_slug, urls=(ota.url(),), **values))
                continue
            if doc.mapping and "url" not in doc.nodes and "urls" not in doc.nodes:
                self.error('missing key "url" (or "urls", or "ota")', doc_knode, doc_key)
                continue
            if not doc.ok:
                continue
            values = {**defaults, **doc.values}
            pages = (values.pop("url"),) if "url" in values else values.pop("urls")
            urls = tuple(page if isinstance(page, str) else page[0] for page in pages)
            rendered = frozenset(page[0] for page in pages if not isinstance(page, str) and page[1])
            documents.append(Document(id=f"{slug}/{doc_slug}", service=slug, service_name=name, name=doc_slug,
                                      urls=urls, render_urls=rendered, **values))
        return documents

    def ota_source(self, doc: _Fields, doc_key: str) -> OtaSource | None:
        """A document's `ota: {repo, path}`; a relative local repository is taken from the watchlist's folder."""
        for name in NOT_WITH_OTA:
            if name in doc.nodes:
                self.error(f"{name} cannot be used with ota (a followed document is the repository's text)",
                           doc.nodes[name], f"{doc_key}.{name}")
                return None
        key = f"{doc_key}.ota"
        node = doc.values.get("ota")
        ota = self.fields(node, key, OTA_KEYS)
        if not isinstance(node, MappingNode):
            if ota.mapping:
                self.error(f"expected a mapping with repo and path, got {_kind(node) if node else 'null'}",
                           doc.nodes["ota"], key)
            return None
        for required in ("repo", "path"):
            if required not in ota.nodes:
                self.error(f"missing key {_quote(required)}", node, key)
                ota.ok = False
        if not ota.ok:
            return None
        repo = str(ota.values["repo"])
        if "://" not in repo and not re.fullmatch(r"[\w.-]+@[\w.-]+:.+", repo):   # a local path
            repo = os.path.abspath(os.path.join(os.path.dirname(self.path), os.path.expanduser(repo)))
        return OtaSource(repo=repo, path=ota.values["path"])

    def alerts(self, node: Node | None) -> AlertConfig:
        alerts = self.fields(node, "alerts", ALERTS_KEYS)
        retry = self.fields(alerts.values.pop("retry", None), "alerts.retry", RETRY_KEYS).values
        alerts.values.pop("apprise", None)
        if "reminders" in alerts.values:
            alerts.values["reminders"] = tuple(sorted(set(alerts.values["reminders"]), reverse=True))
        names: set[str] = set()   # one namespace: a delivery names its target
        webhooks = self.targets(alerts.values.pop("webhooks", None), "webhooks", WEBHOOK_KEYS, ("name", "url"),
                                names)
        channels = self.targets(alerts.values.pop("channels", None), "channels", CHANNEL_KEYS,
                                ("name", "url_env"), names)
        return AlertConfig(retry=RetryPolicy(**retry), webhooks=tuple(WebhookConfig(**w) for w in webhooks),
                           channels=tuple(ChannelConfig(**c) for c in channels), **alerts.values)

    def targets(self, node: Node | None, section: str, table: Mapping[str, Check], required: tuple[str, ...],
                names: set[str]) -> list[dict[str, Any]]:
        """The valid entries of `alerts.webhooks` or `alerts.channels`, as keyword arguments."""
        if node is None or _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.error(f"expected a list of {section}, got {_kind(node)}", node, f"alerts.{section}")
            return []
        found = []
        for i, item in enumerate(node.value):
            key = f"alerts.{section}[{i}]"
            entry = self.fields(item, key, table)
            if not isinstance(item, MappingNode):
                if entry.mapping:   # null: fields() accepted it as empty
                    self.error(f"expected a mapping, got {_kind(item)}", item, key)
                continue
            for needed in required:
                if needed not in entry.nodes:
                    self.error(f"missing key {_quote(needed)}", item, key)
                    entry.ok = False
            name = entry.values.get("name")
            if name is not None:
                if name in names:
                    self.error(f"duplicate name {_quote(name)} (webhooks and channels share names)",
                               entry.nodes["name"], f"{key}.name")
                    entry.ok = False
                names.add(name)
            if "events" in entry.values:
                entry.values["events"] = tuple(dict.fromkeys(entry.values["events"]))
            if entry.ok:
                found.append(entry.values)
        return found


# libyaml's composer when PyYAML was built with it (its wheels are): the same nodes and marks, ~10x faster on
# a watchlist of a thousand documents. Syntax errors are reported by the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _syntax_error(exc: yaml.YAMLError, path: str) -> ConfigError:
    """A YAML syntax error as one line with its file and line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "syntax error"
        if exc.context and exc.problem and exc.context_mark is not None:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        line = mark.line + 1 if mark is not None else None
    else:
        message, line = (str(exc).splitlines() or ["syntax error"])[0], None
    return ConfigError("invalid YAML: " + " ".join(message.split()), path=path, line=line)


def _check(text: str, path: str,
           environ: Mapping[str, str] | None) -> tuple[Watchlist | None, list[ConfigError]]:
    """Validate watchlist text; the watchlist (when there are no errors) and every error, topmost first."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        try:  # the pure-Python parser words syntax errors the same on every platform
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            return None, [_syntax_error(exc, path)]
    validator = _Validator(path, os.environ if environ is None else environ)
    watchlist = validator.watchlist(root)
    errors = sorted(validator.errors, key=lambda error: error.line or 0)
    return (None if errors else watchlist), errors


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None


def parse_watchlist(text: str, *, path: str = "watchlist.yaml",
                    environ: Mapping[str, str] | None = None) -> Watchlist:
    """Parse and validate watchlist text; raises the topmost ConfigError. `environ` defaults to os.environ."""
    watchlist, errors = _check(text, path, environ)
    if errors:
        raise errors[0]
    assert watchlist is not None
    return watchlist


def load_watchlist(path: str | Path, *, environ: Mapping[str, str] | None = None) -> Watchlist:
    """Read and validate a watchlist file; raises the topmost ConfigError (a missing file is one)."""
    return parse_watchlist(_read(path), path=str(path), environ=environ)


def missing_variables(watchlist: Watchlist, environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per webhook secret or channel URL variable that is not set (only sending needs them)."""
    environ = os.environ if environ is None else environ
    lines = []
    for target in watchlist.alerts.targets:
        variable, what = ((target.secret_env, "secret") if isinstance(target, WebhookConfig)
                          else (target.url_env, "URL(s)"))
        if variable and not environ.get(variable):
            state = "is empty" if variable in environ else "is not set"
            kind = "webhook" if isinstance(target, WebhookConfig) else "channel"
            lines.append(f"{watchlist.path}: {kind} {target.name!r}: environment variable {variable} ({what}) "
                         f"{state}; its deliveries wait until it is")
    return lines


def validate_watchlist(path: str | Path, environ: Mapping[str, str] | None = None) -> list[ConfigError]:
    """Every error in a watchlist file, topmost first; an empty list when it is valid."""
    try:
        text = _read(path)
    except ConfigError as exc:
        return [exc]
    return _check(text, str(path), environ)[1]

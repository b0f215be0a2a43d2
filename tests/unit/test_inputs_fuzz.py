"""Every input has a one-line error (issue 13, finding 7): hypothesis over the watchlist's values, `backfill
--dir` file names, Open Terms Archive declarations and the watchlists `import-ota --write` writes into. Each
either works or raises a ConfigError whose message is one line naming the file; none raises anything else.
A watchlist that validates can be scheduled: its interval, backed off and jittered, is still a date."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.backfill import versions_from_dir
from monitor.errors import ConfigError, ExtractError
from monitor.extract import extract_clauses
from monitor.ota import import_declarations, write_into_watchlist
from monitor.pipeline import JITTER, MAX_BACKOFF_FACTOR
from monitor.timeutil import utc_now
from monitor.watchlist import parse_watchlist

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

big = st.one_of(st.integers(0, 10**3), st.integers(10**5, 10**22), st.just(500000), st.just(9999999999))
durations = st.one_of(
    st.builds(lambda n, unit: f"{n}{unit}", big, st.sampled_from(["ms", "s", "m", "h", "d", "w", "y", ""])),
    st.builds(lambda x, unit: f"{x}{unit}", st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["s", "w"])),
    st.text(max_size=12))
selectors = st.one_of(
    st.sampled_from(["::before", "p::after", "main", "p:has()", "a{", ":nth-child(99999999999999999999n)",
                     "*" * 50, "[x='", "#", ":not(", "div > > p", "p:contains('x')", ":is(" * 200]),
    st.text(max_size=20))
regexes = st.one_of(
    st.sampled_from(["a{99999999999}", "(" * 5000 + ")" * 5000, "(?i)x", "[", "a**", "(?P<n>x)(?P<n>y)",
                     "\\", "x{4294967296}", "(?<=a+)b"]),
    st.builds(lambda n: f"a{{{n}}}", big), st.text(max_size=20))
values = st.one_of(durations, selectors, regexes, st.none(), st.booleans(), st.integers(), st.lists(st.text(max_size=5), max_size=3),
                   st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
doc_settings = st.fixed_dictionaries({}, optional={
    "interval": durations, "timeout": durations, "select": st.one_of(selectors, st.lists(selectors, max_size=3)),
    "remove": st.lists(selectors, max_size=3), "ignore": st.one_of(regexes, st.lists(regexes, max_size=3)),
    "allow_private": values, "render": values, "language": values, "user_agent": values})


def one_line_naming(exc: ConfigError, name: str) -> None:
    message = str(exc)
    assert "\n" not in message and name in message, message


@FUZZ
@given(settings_=doc_settings, defaults=st.fixed_dictionaries({}, optional={"interval": durations,
                                                                             "timeout": durations}))
def test_any_watchlist_value_validates_or_gives_one_line(settings_, defaults):
    doc = {"url": "https://example.test/terms", **settings_}
    text = yaml.safe_dump({"defaults": defaults, "services": {"acme": {"documents": {"terms": doc}}}})
    try:
        watchlist = parse_watchlist(text, path="fuzz.yaml", environ={})
    except ConfigError as exc:
        one_line_naming(exc, "fuzz.yaml")
        return
    for document in watchlist.documents:      # what `check` and `run` then do with it must work too
        utc_now() + document.interval * MAX_BACKOFF_FACTOR * (1 + JITTER)
        assert document.timeout.total_seconds() > 0
        try:
            extract_clauses("<main><p>Some terms of service text for the fuzzer.</p></main>",
                            select=document.select, remove=document.remove, ignore=document.ignore,
                            source=document.id)
        except ExtractError:
            pass


@pytest.mark.parametrize("setting", ["interval: 9999999999w", "interval: 500000w", 'select: ["::before"]',
                                     'ignore: ["a{99999999999}"]', "timeout: 9999999999w", 'remove: ["::after"]'])
def test_the_fuzzers_findings_are_one_line_errors(setting):
    text = f"services:\n  acme:\n    documents:\n      terms:\n        url: https://e.test/t\n        {setting}\n"
    with pytest.raises(ConfigError) as caught:
        parse_watchlist(text, path="w.yaml", environ={})
    one_line_naming(caught.value, "w.yaml:6: services.acme.documents.terms.")


names = st.one_of(
    st.builds(lambda y, m, d, ext: f"{y:04d}-{m:02d}-{d:02d}{ext}", st.integers(1, 9999), st.integers(0, 13),
              st.integers(0, 32), st.sampled_from([".md", ".html", ".htm", ".txt", ""])),
    st.builds(lambda y, rest: f"{y:04d}-12-31T{rest}.md", st.sampled_from([1, 2024, 9999]),
              st.sampled_from(["23-59-59Z", "23-59-59-05-00", "23-00+14-00", "99-99-99", "10-00-00+23-59"])),
    st.text(st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1, max_size=20))


@FUZZ
@given(files=st.lists(st.tuples(names, st.booleans()), min_size=1, max_size=4, unique_by=lambda f: f[0]))
def test_backfill_dir_names_work_or_give_one_line(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, is_folder in files:
            if name in (".", ".."):
                continue
            target = folder / name
            try:
                target.mkdir() if is_folder else target.write_text("# Terms\n\nClause one.", encoding="utf-8")
            except OSError:
                continue
        try:
            list(versions_from_dir(folder))
        except ConfigError as exc:
            one_line_naming(exc, tmp)


urls = st.one_of(st.sampled_from(["http://[::1/terms", "http://[::1]:99999/x", "https://", "http://:80/",
                                  "http://[fe80::1%25eth0]/t", "https://e.test:-1/", "ftp://e.test/"]),
                 st.text(max_size=30))


def nested(depth: int) -> object:
    value: object = "x"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


declarations = st.fixed_dictionaries({"name": st.one_of(st.just("Acme"), st.text(max_size=8))}, optional={
    "terms": st.dictionaries(st.sampled_from(["Terms of Service", "Privacy Policy", "", "✓"]),
                             st.one_of(st.fixed_dictionaries({"fetch": urls}, optional={
                                 "select": st.one_of(selectors, st.lists(selectors, max_size=2)),
                                 "remove": selectors, "executeClientScripts": values}), values),
                             max_size=2)})


@FUZZ
@given(declaration=declarations)
def test_ota_declarations_import_or_give_one_line(declaration):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Acme.json"
        path.write_text(json.dumps(declaration), encoding="utf-8")
        result = import_declarations([path])
        for error in result.errors:
            one_line_naming(error, "Acme.json")


def test_a_100k_deep_json_is_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (error,) = import_declarations([path]).errors
    one_line_naming(error, "deep.json")
    assert "nested too deeply" in str(error)


shapes = st.recursive(st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans()),
                      lambda inner: st.one_of(st.lists(inner, max_size=3),
                                              st.dictionaries(st.sampled_from(["services", "acme", "documents",
                                                                               "terms-of-service", "name", "x"]),
                                                              inner, max_size=3)), max_leaves=8)


@FUZZ
@given(shape=shapes)
def test_write_into_a_watchlist_of_any_shape_works_or_gives_one_line_and_writes_nothing(shape):
    with tempfile.TemporaryDirectory() as tmp:
        declaration = Path(tmp) / "Acme.json"
        declaration.write_text(json.dumps({"name": "Acme", "terms": {"Terms of Service": {
            "fetch": "https://acme.test/terms", "select": "main"}}}), encoding="utf-8")
        result = import_declarations([declaration])
        assert not result.errors
        watchlist = Path(tmp) / "watchlist.yaml"
        before = yaml.safe_dump(shape)
        watchlist.write_text(before, encoding="utf-8")
        try:
            write_into_watchlist(result, watchlist, environ={})
        except ConfigError as exc:
            one_line_naming(exc, "watchlist.yaml")
            assert watchlist.read_text(encoding="utf-8") == before


def test_the_longest_interval_still_schedules():
    from monitor.watchlist import MAX_DURATION

    assert utc_now() + MAX_DURATION * MAX_BACKOFF_FACTOR * (1 + JITTER) > utc_now() + timedelta(days=1)

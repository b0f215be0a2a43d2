"""monitor.ota: Open Terms Archive declarations (written here in OTA's format) -> watchlist entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import ConfigError
from monitor.models import RangeSelector
from monitor.ota import import_declarations, render_entries, slugify, write_into_watchlist
from monitor.watchlist import load_watchlist, parse_watchlist

SHIPPED = Path(__file__).resolve().parents[2] / "watchlist.yaml"

EXAMPLE = {
    "name": "Exämple Social",
    "terms": {
        "Privacy Policy": {
            "fetch": "https://example.com/privacy",
            "select": ["main", {"startBefore": "#data-use", "endAfter": "#contact"}],
            "remove": ".share",
            "filter": ["removeQueryParams", "removeSessionBanner"],
            "executeClientScripts": True,
        },
        "Terms of Service": {
            "combine": [
                {"fetch": "https://example.com/terms"},
                {"fetch": "https://example.com/terms/ai", "remove": [".share"]},
            ],
            "select": "article",
            "remove": [".share"],
        },
        "Commercial Terms": {"fetch": "https://example.com/commercial.pdf"},
        "Community Guidelines": {
            "fetch": "https://example.com/rules",
            "select": {"startAfter": "h1", "endBefore": "footer"},
            "filter": [{"removeQueryParams": ["utm_source"]}],
        },
    },
}


def write(folder: Path, name: str, data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def declarations(tmp_path: Path) -> Path:
    folder = tmp_path / "declarations"
    write(folder, "Exämple Social.json", EXAMPLE)
    write(folder, "Exämple Social.history.json", {
        "Privacy Policy": [
            {"fetch": "https://example.com/privacy-old", "select": "body", "validUntil": "2022-03-01T10:00:00Z"},
            {"fetch": "https://example.com/privacy", "select": "#content", "validUntil": "2024-06-11T08:00:00Z"},
        ],
    })
    write(folder, "Old Style.json", {"name": "Old Style", "documents": {
        "Privacy Policy": {"fetch": "https://old.example.org/privacy", "select": "#policy"}}})
    return tmp_path


def test_slugs() -> None:
    assert slugify("Privacy Policy") == "privacy-policy"
    assert slugify("Exämple Social") == "example-social"
    assert slugify("Société Générale") == "societe-generale"
    assert slugify("X (Twitter)") == "x-twitter"


def test_import_maps_every_shape(declarations: Path) -> None:
    result = import_declarations([declarations])    # a folder with a declarations/ subfolder
    assert result.errors == []
    assert [e.slug for e in result.entries] == ["example-social", "old-style"]
    docs = result.entries[0].documents
    assert result.entries[0].name == "Exämple Social"
    assert docs["privacy-policy"] == {
        "url": "https://example.com/privacy",
        "select": ["main", {"startBefore": "#data-use", "endAfter": "#contact"}],
        "remove": [".share"], "render": True}
    assert docs["terms-of-service"] == {                          # combine -> urls, inherited select/remove
        "urls": ["https://example.com/terms", "https://example.com/terms/ai"],
        "select": ["article"], "remove": [".share"]}
    assert docs["commercial-terms"] == {"url": "https://example.com/commercial.pdf"}   # a PDF: fetch only
    assert docs["community-guidelines"] == {
        "url": "https://example.com/rules", "select": [{"startAfter": "h1", "endBefore": "footer"}]}
    assert result.entries[1].documents == {                       # the older "documents" key
        "privacy-policy": {"url": "https://old.example.org/privacy", "select": ["#policy"]}}


def test_unsupported_filter_is_reported_and_remove_query_params_is_not(declarations: Path) -> None:
    result = import_declarations([declarations / "declarations" / "Exämple Social.json"])
    assert result.warnings == [
        'example-social/privacy-policy: filter "removeSessionBanner" is not supported (an Open Terms Archive '
        "custom filter); its effect is not applied"]


def test_history_is_reported_for_information(declarations: Path) -> None:
    result = import_declarations([declarations / "declarations" / "Exämple Social.history.json"])
    assert result.notes == [
        "example-social/privacy-policy: 2 historical declarations, valid until 2022-03-01 .. 2024-06-11 "
        "(information only; the current declaration is watched)"]
    assert result.entries[0].documents["privacy-policy"]["url"] == "https://example.com/privacy"


def test_rendered_entries_validate_as_a_watchlist(declarations: Path) -> None:
    text = render_entries(import_declarations([declarations]))
    assert text.startswith("services:\n  example-social:\n    name: Exämple Social\n")
    watchlist = parse_watchlist(text, path="imported.yaml", environ={})
    docs = {d.id: d for d in watchlist.documents}
    assert len(docs) == 5
    privacy = docs["example-social/privacy-policy"]
    assert privacy.select == ("main", RangeSelector(start_before="#data-use", end_after="#contact"))
    assert privacy.remove == (".share",) and privacy.render is True
    assert docs["example-social/terms-of-service"].urls == ("https://example.com/terms",
                                                           "https://example.com/terms/ai")
    assert docs["example-social/commercial-terms"].select == ()


def test_combined_pages_with_different_css_use_a_css_group(tmp_path: Path) -> None:
    path = write(tmp_path, "S.json", {"name": "S", "terms": {"Terms of Service": {"combine": [
        {"fetch": "https://s.example/a", "select": "#a", "remove": ".x"},
        {"fetch": "https://s.example/b", "select": ["#b"]}]}}})
    result = import_declarations([path])
    assert result.entries[0].documents == {"terms-of-service": {
        "urls": ["https://s.example/a", "https://s.example/b"], "select": ["#a, #b"], "remove": [".x"]}}
    assert result.warnings == ['s/terms-of-service: combined pages select different parts; using the CSS group '
                               '"#a, #b" and the union of their removals on every page']


def test_combined_pages_with_ranges_that_differ_become_one_document_per_page(tmp_path: Path) -> None:
    path = write(tmp_path, "S.json", {"name": "S", "terms": {"Privacy Policy": {
        "executeClientScripts": True,
        "combine": [{"fetch": "https://s.example/a", "select": {"startBefore": "h1", "endBefore": "footer"}},
                    {"fetch": "https://s.example/b"}]}}})
    result = import_declarations([path])
    assert result.entries[0].documents == {
        "privacy-policy-1": {"url": "https://s.example/a",
                             "select": [{"startBefore": "h1", "endBefore": "footer"}], "render": True},
        "privacy-policy-2": {"url": "https://s.example/b", "render": True}}
    assert "imported as 2 documents privacy-policy-1..privacy-policy-2" in result.warnings[0]
    parse_watchlist(render_entries(result), environ={})


@pytest.mark.parametrize(("terms", "message"), [
    ({"Privacy Policy": {"fetch": "https://s.example/p", "select": "div[x"}},
     '"Privacy Policy".select: "div[x" is not a valid CSS selector: Malformed attribute selector at position 3'),
    ({"Privacy Policy": {"fetch": "https://s.example/p", "remove": ["nav", "nav >"]}},
     '"Privacy Policy".remove[1]: "nav >" is not a valid CSS selector: Invalid character \' \' position 3'),
    ({"Terms": {"combine": [{"fetch": "https://s.example/a", "select": {"startBefore": "h1", "endBefore": "p["}}]}},
     '"Terms".combine[0].select.endBefore: "p[" is not a valid CSS selector: Malformed attribute selector at '
     "position 1"),
    ({"Terms": {"fetch": "https://s.example/a", "select": {"startBefore": "h1"}}},
     '"Terms".select: a range needs exactly one of endBefore or endAfter'),
    ({"Terms": {"fetch": "ftp://s.example/a"}}, '"Terms".fetch: "ftp://s.example/a" is not an http(s) URL'),
    ({"Terms": {"combine": []}}, '"Terms": combine: expected a non-empty list of pages'),
], ids=["bad select", "bad remove in a list", "bad range in combine", "half a range", "bad url", "empty combine"])
def test_bad_declaration_is_an_error_naming_file_and_terms_type(tmp_path: Path, terms: dict[str, Any],
                                                                message: str) -> None:
    path = write(tmp_path, "Bad.json", {"name": "Bad", "terms": terms})
    good = write(tmp_path, "Good.json", {"name": "Good", "terms": {"Terms": {"fetch": "https://g.example/t"}}})
    result = import_declarations([path, good])
    assert [str(e) for e in result.errors] == [f"{path}: {message}"]
    assert [e.slug for e in result.entries] == ["good"]


@pytest.mark.parametrize(("data", "message"), [
    ({"terms": {}}, 'missing "name" (the service name)'),
    ({"name": "N"}, 'missing "terms" (or "documents"): terms type -> declaration'),
], ids=["no name", "no terms"])
def test_malformed_declaration(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    path = write(tmp_path, "N.json", data)
    assert [str(e) for e in import_declarations([path]).errors] == [f"{path}: {message}"]


def test_invalid_json_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "J.json"
    path.write_text('{\n  "name": "J",\n  "terms": {,}\n}', encoding="utf-8")
    assert [str(e) for e in import_declarations([path]).errors] == [
        f"{path}:3: invalid JSON: Expecting property name enclosed in double quotes"]


EXISTING = """\
# My watchlist: hand-written comments must survive an import.
defaults:
  interval: 12h   # slower than the default

services:
  # Someone's own service, first.
  zeta:
    name: Zeta
    documents:
      terms:
        url: https://zeta.example/terms   # keep me
  example-social:
    name: Example (my name)
    documents:
      privacy-policy:
        url: https://example.com/old-privacy
        select: "#old"
        language: en            # not managed by import-ota: kept
        ignore: ["Updated: .*"]
"""


def test_write_keeps_comments_and_order(declarations: Path, tmp_path: Path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(EXISTING, encoding="utf-8")
    report = write_into_watchlist(import_declarations([declarations]), watchlist, environ={})
    assert (report.added, report.updated) == (4, 1)
    text = watchlist.read_text(encoding="utf-8")
    for line in EXISTING.splitlines():
        if "old" not in line:                       # every line but the updated privacy settings is kept
            assert line in text, line
    assert text.index("zeta:") < text.index("example-social:") < text.index("old-style:")
    assert text.index("privacy-policy:") < text.index("terms-of-service:")
    loaded = load_watchlist(watchlist, environ={})
    docs = {d.id: d for d in loaded.documents}
    privacy = docs["example-social/privacy-policy"]
    assert privacy.url == "https://example.com/privacy" and privacy.language == "en"
    assert privacy.ignore == ("Updated: .*",) and privacy.render is True
    assert privacy.interval.total_seconds() == 12 * 3600
    assert loaded.documents[0].service_name == "Zeta"
    assert docs["example-social/terms-of-service"].service_name == "Example (my name)"
    assert "old-style/privacy-policy" in docs

    again = write_into_watchlist(import_declarations([declarations]), watchlist, environ={})
    assert (again.added, again.updated) == (0, 5)
    assert watchlist.read_text(encoding="utf-8") == text          # idempotent


def test_write_into_a_missing_file_creates_it(declarations: Path, tmp_path: Path) -> None:
    watchlist = tmp_path / "new.yaml"
    write_into_watchlist(import_declarations([declarations]), watchlist, environ={})
    assert len(load_watchlist(watchlist, environ={}).documents) == 5


def test_write_into_the_shipped_watchlist_copy_validates(declarations: Path, tmp_path: Path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    write_into_watchlist(import_declarations([declarations]), watchlist, environ={})
    text = watchlist.read_text(encoding="utf-8")
    assert text.startswith(SHIPPED.read_text(encoding="utf-8").split("services:")[0])   # header comments kept
    load_watchlist(watchlist, environ={})


def test_write_refuses_a_result_that_would_not_validate(declarations: Path, tmp_path: Path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    broken = "services:\n  zeta:\n    documents:\n      terms:\n        url: https://z.example/t\n        interval: 6x\n"
    watchlist.write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a duration"):
        write_into_watchlist(import_declarations([declarations]), watchlist, environ={})
    assert watchlist.read_text(encoding="utf-8") == broken


def test_cli_prints_writes_and_exits_2_on_a_bad_declaration(declarations: Path, tmp_path: Path, run_cli) -> None:
    printed = run_cli("import-ota", str(declarations / "declarations"))
    assert printed.exit_code == 0, printed.output
    parse_watchlist(printed.stdout, environ={})
    assert 'filter "removeSessionBanner" is not supported' in printed.stderr
    assert "2 historical declarations" in printed.stderr

    (tmp_path / "watchlist.yaml").write_text(EXISTING, encoding="utf-8")
    written = run_cli("import-ota", str(declarations), "--write")
    assert written.exit_code == 0, written.output
    assert written.stdout.strip().endswith("watchlist.yaml: 4 documents added, 1 updated")
    assert run_cli("validate").exit_code == 0

    bad = write(tmp_path / "bad", "Bad.json", {"name": "Bad", "terms": {"T": {"fetch": "https://b.example",
                                                                             "select": "p["}}})
    before = (tmp_path / "watchlist.yaml").read_text(encoding="utf-8")
    failed = run_cli("import-ota", str(bad), "--write")
    assert failed.exit_code == 2
    assert f'error: {bad}: "T".select: "p[" is not a valid CSS selector' in failed.stderr
    assert (tmp_path / "watchlist.yaml").read_text(encoding="utf-8") == before

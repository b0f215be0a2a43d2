"""The `ota:` source as configuration: the document built from a watchlist entry, its links, and the clone's
place on disk."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from monitor.models import OtaSource
from monitor.sources.ota_git import clone_path, reuse_window
from monitor.watchlist import parse_watchlist

GENAI = "https://github.com/OpenTermsArchive/genai-eu-versions"


def test_github_source_links_the_file_and_its_commits() -> None:
    source = OtaSource(repo=GENAI + ".git", path="ChatGPT/Privacy Policy.md")
    assert source.url() == f"{GENAI}/blob/HEAD/ChatGPT/Privacy%20Policy.md"
    assert source.commit_url("abc123") == f"{GENAI}/commit/abc123"
    assert OtaSource(repo="git@github.com:OpenTermsArchive/genai-eu-versions.git",
                     path="x.md").commit_url("abc") == f"{GENAI}/commit/abc"


def test_other_sources_have_no_commit_link() -> None:
    source = OtaSource(repo="/srv/versions", path="A/Terms.md")
    assert source.url() == "/srv/versions#A/Terms.md"
    assert source.commit_url("abc") is None
    assert OtaSource(repo="https://gitlab.com/x/y", path="a.md").commit_url("abc") is None


def test_watchlist_document_follows_a_repository(tmp_path: Path) -> None:
    text = ("defaults:\n  user_agent: x/1\n  interval: 2h\nservices:\n  chatgpt:\n    name: ChatGPT\n    documents:\n"
            "      terms:\n        ota: {repo: ../versions, path: \"ChatGPT/Terms of Use.md\"}\n        language: en\n")
    [doc] = parse_watchlist(text, path=str(tmp_path / "conf" / "watchlist.yaml"), environ={}).documents
    assert doc.ota == OtaSource(repo=str(tmp_path / "versions"), path="ChatGPT/Terms of Use.md")
    assert doc.url == f"{tmp_path / 'versions'}#ChatGPT/Terms of Use.md"
    assert (doc.language, doc.interval, doc.user_agent) == ("en", timedelta(hours=2), "tosmon/1.0")


def test_one_clone_folder_per_repository(tmp_path: Path) -> None:
    a = clone_path(tmp_path, GENAI)
    assert a.parent == tmp_path and a.name.startswith("genai-eu-versions-")
    assert clone_path(tmp_path, GENAI) == a
    assert clone_path(tmp_path, GENAI + ".git") != a           # another URL, its own clone
    assert reuse_window(timedelta(hours=6)) == 6 * 3600 * 0.2

"""The quality bar of issue 3, enforced through the command users run: `tosmon eval CORPUS --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.readme_contract import fenced_after

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_tosmon_eval_meets_the_bar():
    result = CliRunner().invoke(cli, ["eval", str(CORPUS), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    training = report["categories"]["ai_training"]
    assert training["precision"] >= 0.90 and training["recall"] >= 0.90, training
    assert report["dates"]["accuracy"] >= 0.90, report["dates"]
    assert report["plain_negative_training_flags"] == 0
    assert report["cases"] >= 131  # "errors" lists the misses and false alarms, shown by the text report


def _readme_corpus() -> Path:
    """The corpus the README's `tosmon eval ../shared/...` block was run on, found beside this checkout."""
    shown = fenced_after("### `tosmon eval CORPUS_DIR")
    folder = shown.splitlines()[0].split()[-1]           # "$ tosmon eval ../shared/corpus-more"
    return CORPUS.parent / folder.removeprefix("../shared/")


@pytest.mark.skipif(not _readme_corpus().is_dir(), reason="the README's corpus is not beside this checkout")
def test_the_readme_eval_table_is_a_real_run():
    """The README's eval block shows this run's cases, per-category scores and dates."""
    result = CliRunner().invoke(cli, ["eval", str(_readme_corpus()), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    shown = fenced_after("### `tosmon eval CORPUS_DIR")
    assert f": {report['cases']} cases in " in shown, shown.splitlines()[1]
    rows = {row[0]: row for row in map(str.split, shown.splitlines()) if len(row) == 7 and row[0].startswith("ai_")}
    for category, score in report["categories"].items():
        tp, fp, fn = score["tp"], score["fp"], score["fn"]   # the JSON's rates are rounded to 3 places
        expected = [category] + [f"{tp / (tp + other):.2f}" if tp + other else "-" for other in (fp, fn)]
        expected += [str(score[k]) for k in ("tp", "fp", "fn", "tn")]
        assert rows.get(category) == expected, f"README eval table: {rows.get(category)} but this run: {expected}"
    dates = report["dates"]
    assert f": {dates['found']}/{dates['expected']} = {dates['accuracy']:.2f}" in shown
    assert f"ai_training flags on plain negatives: {report['plain_negative_training_flags']}" in shown


def test_eval_of_a_broken_case_or_an_empty_folder_is_one_line_exit_2(tmp_path):
    """A meta.json that is not JSON (or a case without before.md) names the file; a folder without cases
    says so instead of a report of zeros."""
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "empty")], catch_exceptions=False)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == f"error: {tmp_path / 'empty'}: no cases (cases/<id>/meta.json)"
    case = tmp_path / "bad" / "cases" / "x"
    case.mkdir(parents=True)
    (case / "meta.json").write_text("{", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "bad")], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {case / 'meta.json'}: not valid JSON") and result.stderr.count("\n") == 1
    (case / "meta.json").write_text('{"labels": ["none"], "kind": "plain_negative"}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "bad")], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {case / 'before.md'}: ") and result.stderr.count("\n") == 1

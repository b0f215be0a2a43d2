"""The quality bar of issue 3, enforced through the command users run: `tosmon eval CORPUS --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

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

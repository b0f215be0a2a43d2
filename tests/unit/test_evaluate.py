"""The corpus quality bar of issue 3, enforced through the same replay `tosmon eval` prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.evaluate import EvalReport, evaluate_corpus

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "corpus"
#: The bar holds on both shared corpora (skipped where ../shared is absent) and on the written sample that ships
#: with the repository, so a fresh clone still runs a real classifier-quality test.
CORPORA = {"corpus": CORPUS, "corpus-more": SHARED / "corpus-more",
           "sample": Path(__file__).resolve().parents[1] / "data" / "corpus-sample"}


@pytest.fixture(scope="module", params=sorted(CORPORA))
def report(request: pytest.FixtureRequest) -> EvalReport:
    corpus = CORPORA[request.param]
    if not (corpus / "cases").is_dir():
        pytest.skip(f"labelled corpus not found at {corpus} (it lives beside the repository, in shared/)")
    result = evaluate_corpus(corpus)
    print(result.format_text())
    return result


def test_training_precision_and_recall(report: EvalReport) -> None:
    score = report.categories["ai_training"]
    assert score.precision is not None and score.precision >= 0.90, report.format_text()
    assert score.recall is not None and score.recall >= 0.90, report.format_text()


#: The issue's gate: dates (ISO + role) right for at least 90% of the labelled dates, on every corpus.
DATE_BAR = {"corpus": 0.90, "corpus-more": 0.90, "sample": 0.90}


def test_date_accuracy(report: EvalReport) -> None:
    bar = DATE_BAR.get(Path(report.corpus).name, DATE_BAR["sample"])
    assert report.date_accuracy is not None and report.date_accuracy >= bar, report.format_text()


def test_no_training_flag_on_plain_negatives(report: EvalReport) -> None:
    assert report.plain_negative_training_flags == 0, report.format_text()


def test_report_is_json_and_text(report: EvalReport) -> None:
    data = json.loads(json.dumps(report.to_json()))
    assert data["cases"] == report.cases > 0
    assert set(data["categories"]) == {"ai_training", "ai_opt_out", "ai_scraping_ban", "ai_feature",
                                       "ai_content_rules"}
    assert "ai_training" in report.format_text()


def test_small_corpus(tmp_path: Path) -> None:
    case = tmp_path / "cases" / "one"
    case.mkdir(parents=True)
    (case / "before.md").write_text("# Terms\n\nWe provide the service.\n", encoding="utf-8")
    (case / "after.md").write_text("# Terms\n\nWe provide the service.\n\nFrom November 3, 2025 we will use your "
                                   "posts to train our AI models.\n", encoding="utf-8")
    (case / "meta.json").write_text(json.dumps({
        "labels": ["ai_training"], "kind": "positive", "language": "en", "new_date": "2025-09-18T00:00:00Z",
        "dates": [{"text": "November 3, 2025", "iso": "2025-11-03", "role": "effective"}]}), encoding="utf-8")
    result = evaluate_corpus(tmp_path)
    assert result.categories["ai_training"].tp == 1
    assert result.date_accuracy == 1.0
    assert result.errors == []

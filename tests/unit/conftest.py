"""Fixtures of the unit tests."""

from __future__ import annotations

import pytest

from monitor.store import Store


@pytest.fixture
def store(tmp_path, request):
    """A fresh database with the test module's `DOC` synced at its `NOW`."""
    s = Store(tmp_path / "m.db")
    s.sync_documents([request.module.DOC], now=request.module.NOW)
    yield s
    s.close()

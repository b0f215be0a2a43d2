"""Importing a library without the optional extras it would pull in on its own."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without(*names: str) -> Iterator[None]:
    """Imports inside this block see the top-level modules `names` as not installed, unless they are already
    imported. For libraries that import an optional extra when it happens to be installed, for a feature
    tosmon never uses: sqlite-utils imports numpy and pandas (20 MB) to map their types to SQL, httpx its
    command-line client with rich and pygments (~8 MB). Afterwards the modules stay importable as usual."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # importing a None entry raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            del sys.modules[name]

"""Shared fixtures. Qt runs offscreen in every test (no display on CI).

The sample ledgers are made by the tests themselves (``tests/sample_ledgers.py``:
the project's seeded generator, expectations from ``tests/oracle.py``); the
hand-made samples of ``shared/samples`` beside the checkout are an optional
extra (``shared_samples_dir``), tested too when they are there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("JIUYE_OPERATOR", "测试员")

PROJECT = Path(__file__).resolve().parent.parent
SHARED_SAMPLES = PROJECT.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The generated sample ledgers and their expectations."""
    from tests.sample_ledgers import samples_dir as generated

    return generated()


@pytest.fixture(scope="session")
def shared_samples_dir() -> Path:
    """The hand-made samples beside the checkout; the test is skipped without them."""
    if not SHARED_SAMPLES.is_dir():
        pytest.skip(f"no hand-made samples at {SHARED_SAMPLES} (optional)")
    return SHARED_SAMPLES

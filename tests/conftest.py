"""Shared fixtures. Qt runs offscreen in every test (no display on CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("JIUYE_OPERATOR", "测试员")

PROJECT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT.parent / "shared" / "samples"


@pytest.fixture
def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        pytest.fail(f"sample ledgers not found at {SAMPLES} (shared/ must sit beside the checkout)")
    return SAMPLES

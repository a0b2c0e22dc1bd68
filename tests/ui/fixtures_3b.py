"""Fixtures of the weekly, self-check, import and ops screens (issue 3, part 3B).

Import them in a test module (``from tests.ui.fixtures_3b import fixture_sample_state``,
which registers the fixture ``sample_state``; its dependency
``fixture_sample_db_template`` too); kept out of ``conftest.py`` so that the
main-window tests can have their own. The ``fixture_`` attribute names keep
the test parameters from shadowing the imports.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from jiuye_desktop import importer
from jiuye_desktop.domain import Level
from jiuye_desktop.service import init_database, open_session
from tests.sample_ledgers import samples_dir
from ui import ops
from ui.state import AppState

SAMPLE_LEDGER = "xuchang-2017-ledger.xlsx"
SAMPLE_EXPECTED = "xuchang-2017-expected.json"


def sample_path(name: str = SAMPLE_LEDGER) -> Path:
    """A generated sample ledger or its expectation (``tests/sample_ledgers.py``)."""
    return samples_dir() / name


def new_database(path: Path) -> Path:
    """An empty ledger of 许昌市 (city level, its six county-level areas)."""
    init_database(path, unit_code="411000", unit_name="许昌市", level=Level.CITY).close()
    return path


@pytest.fixture(scope="session", name="sample_db_template")
def fixture_sample_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample ledger imported once; tests work on copies."""
    path = new_database(tmp_path_factory.mktemp("sample") / "template.sqlite")
    session = open_session(path)
    try:
        result = importer.import_workbook(session, sample_path())
        assert result.imported == 630
    finally:
        session.close()
    return path


def _state(path: Path, qtbot: QtBot) -> Iterator[AppState]:
    state = AppState(path, open_session(path))
    try:
        yield state
    finally:
        # No worker may outlive the test (it would call back into dead widgets).
        qtbot.waitUntil(lambda: ops.active_count() == 0, timeout=20_000)
        state.session.close()


@pytest.fixture(name="sample_state")
def fixture_sample_state(
    tmp_path: Path, sample_db_template: Path, qtbot: QtBot
) -> Iterator[AppState]:
    """AppState on a fresh copy of the imported sample ledger (630 records)."""
    path = tmp_path / "ledger.sqlite"
    shutil.copyfile(sample_db_template, path)
    yield from _state(path, qtbot)


@pytest.fixture(name="empty_state")
def fixture_empty_state(tmp_path: Path, qtbot: QtBot) -> Iterator[AppState]:
    """AppState on a new ledger without records."""
    yield from _state(new_database(tmp_path / "empty.sqlite"), qtbot)

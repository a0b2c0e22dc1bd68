"""Fixtures for window tests: a real ledger database in tmp_path, the app's own look."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from jiuye_desktop.domain import Level
from jiuye_desktop.importer import import_workbook
from jiuye_desktop.service import init_database, open_session
from ui.app import configure_application
from ui.state import AppState


@pytest.fixture(scope="session", autouse=True)
def _app_look(qapp: QApplication) -> None:
    """The shipped font, Fusion, the palette and Qt's Chinese, as the program has them."""
    configure_application(qapp)


@pytest.fixture(autouse=True)
def _own_settings(tmp_path: Path) -> None:
    """Window state goes to this test's folder, never to the user's settings."""
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """An empty 许昌市 ledger (city level, its six areas)."""
    path = tmp_path / "ledger.sqlite"
    init_database(path, unit_code="411000", unit_name="许昌市", level=Level.CITY).close()
    return path


@pytest.fixture
def state(db_path: Path) -> Iterator[AppState]:
    session = open_session(db_path)
    yield AppState(db_path, session)
    # qtbot closes the test's widgets after this teardown; close them while the
    # database is still open (a field losing the focus asks the core once more).
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    # Work still running in the background (a self-check started when its screen was
    # shown) reports to the GUI thread: let it finish before the database closes.
    from ui.ops import wait_all

    wait_all()
    QApplication.processEvents()
    session.close()


@pytest.fixture
def sample_state(state: AppState, samples_dir: Path) -> AppState:
    """The ledger with the 630 records of the Xuchang sample workbook."""
    import_workbook(state.session, samples_dir / "xuchang-2017-ledger.xlsx")
    return state


class Dialogs:
    """Message boxes a test caused: recorded and answered instead of blocking."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.answer = QMessageBox.StandardButton.Cancel
        self.allowed = False

    def expect(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.allowed = True


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dialogs]:
    """No test may hang on a modal message box; an unexpected one fails the test.

    Used by a whole module with ``pytestmark = pytest.mark.usefixtures("dialogs")``.
    """
    record = Dialogs()

    def fake_exec(box: QMessageBox) -> int:
        record.shown.append(box.text())
        return int(record.answer.value)

    def fake_static(_parent: object, _title: str, text: str, *args: object, **kw: object):
        record.shown.append(text)
        return record.answer

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    for name in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(fake_static))
    yield record
    if record.shown and not record.allowed:
        pytest.fail(f"unexpected message box: {record.shown}")

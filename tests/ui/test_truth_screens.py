"""Issue 12 in the window: 标记为已核实 on the self-check screen; the report's date and warning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from jiuye_desktop import dismissals
from tests.ui.fixtures_3b import fixture_sample_db_template, fixture_sample_state  # noqa: F401
from ui.dismiss_dialog import DismissDialog
from ui.report_date_dialog import ReportDateDialog
from ui.selfcheck_view import SelfCheckView
from ui.state import AppState

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def view(qtbot: QtBot, sample_state: AppState) -> SelfCheckView:
    widget = SelfCheckView(sample_state)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.check_finished, timeout=30_000):
        widget.run_check()
    return widget


def _select_first(view: SelfCheckView, kind: str) -> None:
    view.show_kind(kind)
    view.findings_view.selectRow(0)


def test_a_warning_is_marked_checked_and_leaves_the_open_list(
    qtbot: QtBot, view: SelfCheckView, sample_state: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    _select_first(view, "duplicate")
    assert not view.dismiss_button.isEnabled()  # a duplicate is fixed or removed, never checked
    _select_first(view, "warning")
    assert view.dismiss_button.isEnabled()
    finding = view._selected_findings()[0]
    key = dismissals.finding_key(finding)

    def fake_exec(dialog: DismissDialog) -> int:
        assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
        dialog.reason.setText("电话核实无误")
        dialog.resize(640, 220)
        dialog.grab().save(str(SHOTS / "selfcheck-dismiss.png"))
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(DismissDialog, "exec", fake_exec)
    with qtbot.waitSignal(view.check_finished, timeout=30_000):
        view.dismiss_button.click()
    result = view.result
    assert result is not None
    assert not [
        f for f in result.findings if (f.record, dismissals.finding_key(f)) == (finding.record, key)
    ]
    assert [(f.record, d.reason) for f, d in result.dismissed] == [(finding.record, "电话核实无误")]
    assert dismissals.is_dismissed(sample_state.session, finding.record, key)


def test_the_report_dialog_offers_dates_and_warns_about_open_findings(qtbot: QtBot) -> None:
    dialog = ReportDateDialog(
        None,
        today=dt.date(2017, 12, 1),
        last_removal=dt.date(2017, 11, 20),
        open_counts={"duplicate": 2, "invalid": 1, "incomplete": 0, "warning": 9},
    )
    qtbot.addWidget(dialog)
    assert dialog.report_date() == dt.date(2017, 12, 1)
    assert dialog.last_removal_button is not None
    dialog.last_removal_button.click()
    assert dialog.report_date() == dt.date(2017, 11, 20)
    text = dialog.warning_label.text()
    assert "3条尚未剔除" in text and "重复2条、无效1条" in text
    dialog.resize(620, 200)
    dialog.grab().save(str(SHOTS / "selfcheck-report-date.png"))
    # Enter goes back rather than writing a report with open findings.
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).isDefault()
    assert not buttons.button(QDialogButtonBox.StandardButton.Ok).isDefault()


def test_a_clean_ledger_gets_no_warning(qtbot: QtBot) -> None:
    dialog = ReportDateDialog(None, today=dt.date(2017, 12, 1), last_removal=None, open_counts={})
    qtbot.addWidget(dialog)
    assert dialog.last_removal_button is None and dialog.warning_label.text() == ""

"""Export and print buttons of the weekly and self-check screens.

Each button asks where to write, then runs one core export off the GUI
thread (``run_op``); the core writes atomically and says in Chinese what went
wrong (a file open in Excel, a missing folder).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QMessageBox,
    QPushButton,
    QWidget,
)

from jiuye_desktop import snapshots, submitted
from jiuye_desktop.exports.annex1_pdf import annex1_pdf_bytes, export_annex1_pdf
from jiuye_desktop.exports.annex1_xlsx import export_annex1_xlsx
from jiuye_desktop.exports.atomic import ExportError
from jiuye_desktop.exports.selfcheck_data import last_removal_day
from jiuye_desktop.exports.selfcheck_pdf import export_selfcheck_report
from jiuye_desktop.exports.view_xlsx import (
    ExportCancelled,
    ViewExport,
    export_findings,
    export_ledger_view,
)
from jiuye_desktop.package import ExportResult, export_package
from jiuye_desktop.service import Session
from ui.ledger_view import LedgerView
from ui.ops import Cancelled, Progress, run_op, show_error
from ui.package_dialog import PackageDialog
from ui.printing import preview_pdf
from ui.report_date_dialog import ReportDateDialog
from ui.selfcheck_view import SelfCheckView
from ui.state import AppState
from ui.weekly_view import WeeklyView

_FOLDER_KEY = "exports/last_folder"


def _ask_path(parent: QWidget, title: str, name: str, pattern: str) -> Path | None:
    folder = str(QSettings().value(_FOLDER_KEY, str(Path.home())))
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / name), pattern)
    if not path:
        return None
    QSettings().setValue(_FOLDER_KEY, str(Path(path).parent))
    return Path(path)


def _done(parent: QWidget, what: str) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information, "已导出", what, QMessageBox.StandardButton.Ok, parent
    )
    box.open()


def attach_weekly(view: WeeklyView, state: AppState) -> None:
    """导出Excel…, 导出PDF… and 打印… for the shown week."""
    xlsx = QPushButton("导出Excel…")
    xlsx.setToolTip("导出盖章用的附件1（Excel，A4横向一页）")
    pdf = QPushButton("导出PDF…")
    pdf.setToolTip("导出附件1的PDF（内嵌中文字体）")
    printing = QPushButton("打印…")
    printing.setToolTip("打印预览：与导出的PDF是同一页")
    package = QPushButton("导出上报文件…")
    package.setToolTip("报送上级的文件：附件1、实名台账和校验码，可加密码（密码不保存）")
    for button in (xlsx, pdf, printing, package):
        view.add_toolbar_widget(button)

    def file_name(ext: str) -> str:
        unit = state.session.unit
        return f"{unit.name}附件1-{view.week.label}.{ext}"

    def export(kind: str) -> None:
        week = view.week
        if kind == "xlsx":
            path = _ask_path(view, "导出附件1（Excel）", file_name("xlsx"), "Excel 工作簿 (*.xlsx)")
            fn = export_annex1_xlsx
        else:
            path = _ask_path(view, "导出附件1（PDF）", file_name("pdf"), "PDF 文件 (*.pdf)")
            fn = export_annex1_pdf
        if path is None:
            return

        def work(session: Session, _p: Progress, _c: Cancelled) -> Path:
            return fn(session, week, path)

        run_op(
            view,
            "正在导出附件1…",
            work,
            state=state,
            on_done=lambda out: _done(view, f"已导出 {week.label} 附件1：\n{out}"),
        )

    def print_week() -> None:
        week = view.week

        def work(session: Session, _p: Progress, _c: Cancelled) -> bytes:
            return annex1_pdf_bytes(session, week)

        run_op(
            view,
            "正在准备打印…",
            work,
            state=state,
            on_done=lambda data: preview_pdf(view, data, f"附件1 {week.label}"),
        )

    def export_upward() -> None:
        week = view.week
        path = _ask_path(
            view,
            "导出上报文件",
            file_name("xlsx").replace("附件1", "上报"),
            "Excel 工作簿 (*.xlsx)",
        )
        if path is None:
            return
        dialog = PackageDialog(
            week.label,
            str(path),
            submitted_before=snapshots.last_submission(state.session, week) is not None,
            parent=view,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        password = dialog.chosen_password()
        mark = dialog.mark_submitted()

        def work(session: Session, _p: Progress, _c: Cancelled) -> tuple[ExportResult, str]:
            res = export_package(session, week, path, password=password)
            # The table that went upward is the one marked (domain.md §9).
            at = submitted.submit(session, week).submitted_at if mark else ""
            return res, at

        def done(outcome: tuple[ExportResult, str]) -> None:
            res, at = outcome
            text = (
                f"已导出 {week.label} 上报文件（{res.rows} 行"
                f"{'，已加密' if res.encrypted else ''}）：\n{res.path}"
            )
            if at:
                text += f"\n\n已将 {week.label} 标记为已上报（{at}）。"
                view.refresh()
                view.submitted.emit(week)
            _done(view, text)

        run_op(view, "正在导出上报文件…", work, state=state, on_done=done)

    package.clicked.connect(export_upward)
    xlsx.clicked.connect(lambda: export("xlsx"))
    pdf.clicked.connect(lambda: export("pdf"))
    printing.clicked.connect(print_week)


def attach_selfcheck(view: SelfCheckView, state: AppState) -> None:
    """生成自查报告… (PDF of domain.md §7)."""
    button = QPushButton("生成自查报告…")
    button.setToolTip("自查前后六项本年累计、剔除明细（身份证号已遮盖）、待核实的疑似重复")
    view.add_toolbar_widget(button)

    def report() -> None:
        unit = state.session.unit
        today = dt.date.today()
        result = view.result
        ask = ReportDateDialog(
            view,
            today=today,
            last_removal=last_removal_day(state.session, today.year),
            open_counts=dict(result.summary) if result is not None else {},
        )
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        day = ask.report_date()
        name = f"{unit.name}自查报告-{day:%Y%m%d}.pdf"
        path = _ask_path(view, "生成自查报告（PDF）", name, "PDF 文件 (*.pdf)")
        if path is None:
            return

        def work(session: Session, _p: Progress, _c: Cancelled) -> Path:
            return export_selfcheck_report(session, path, report_date=day)

        run_op(
            view,
            "正在生成自查报告…",
            work,
            state=state,
            on_done=lambda out: _done(view, f"已生成自查报告：\n{out}"),
        )

    button.clicked.connect(report)

    findings = QPushButton("导出Excel…")
    findings.setToolTip("把自查发现的全部问题导出为 Excel，交乡镇、街道核实")
    view.add_toolbar_widget(findings)

    def export_findings_now() -> None:
        result = view.result
        if result is None:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "导出自查结果",
                "请先运行自查。",
                QMessageBox.StandardButton.Ok,
                view,
            )
            box.open()
            return
        unit = state.session.unit
        name = f"{unit.name}自查结果-{dt.date.today():%Y%m%d}.xlsx"
        path = _ask_path(view, "导出自查结果（Excel）", name, "Excel 工作簿 (*.xlsx)")
        if path is None:
            return

        def work(_session: Session, _p: Progress, _c: Cancelled) -> ViewExport:
            return export_findings(result, path)

        run_op(
            view,
            "正在导出自查结果…",
            work,
            state=state,
            on_done=lambda res: _done(view, f"已导出 {res.rows:,} 条自查结果：\n{res.path}"),
            on_error=lambda exc: _export_failed(view, exc),
        )

    findings.clicked.connect(export_findings_now)


def _export_failed(parent: QWidget, exc: BaseException) -> None:
    """A file that cannot be written is the clerk's to fix: a warning, not an internal error."""
    if isinstance(exc, ExportError | ExportCancelled):
        box = QMessageBox(
            QMessageBox.Icon.Warning, "未导出", str(exc), QMessageBox.StandardButton.Ok, parent
        )
        box.open()
    else:
        show_error(parent, exc)


def attach_ledger(view: LedgerView, state: AppState) -> None:
    """导出Excel…: the records the grid shows now (search, filters, sort), every field."""
    button = QPushButton("导出Excel…")
    button.setToolTip("把当前筛选出的全部记录导出为 Excel（全部字段，身份证号保存为文本）")
    view.add_toolbar_widget(button)

    def export() -> None:
        query = view.model.query
        name = f"{state.session.unit.name}实名台账-{dt.date.today():%Y%m%d}.xlsx"
        path = _ask_path(view, "导出台账（Excel）", name, "Excel 工作簿 (*.xlsx)")
        if path is None:
            return

        def work(session: Session, progress: Progress, cancelled: Cancelled) -> ViewExport:
            return export_ledger_view(session, query, path, progress=progress, cancelled=cancelled)

        run_op(
            view,
            "正在导出台账…",
            work,
            state=state,
            cancellable=True,
            on_done=lambda res: _done(view, f"已导出 {res.rows:,} 条记录：\n{res.path}"),
            on_error=lambda exc: _export_failed(view, exc),
        )

    button.clicked.connect(export)


def attach(widget: QWidget, state: AppState) -> None:
    """Add the export buttons a screen has, if any."""
    if isinstance(widget, LedgerView):
        attach_ledger(widget, state)
    elif isinstance(widget, WeeklyView):
        attach_weekly(widget, state)
    elif isinstance(widget, SelfCheckView):
        attach_selfcheck(widget, state)

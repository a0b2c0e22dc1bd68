"""The merge screen's three tables: the files, the preview (or merge) plan, the week's completeness.

    files = files_table(); show_files(files, paths, passwords)
    plan = plan_table(); text = show_plan(plan, result)          # the words under the plan
    status = status_table(); summary = show_completeness(status, statuses)

They show what ``jiuye_desktop.merge`` and ``jiuye_desktop.completeness``
return: the columns, the words and the colours live here; what the clerk does
with the files (passwords, preview, merge, a new signing key) is in
``ui.merge_view``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from jiuye_desktop import package
from jiuye_desktop.completeness import AreaStatus
from jiuye_desktop.merge import MergeResult

#: How the screen shows the core's completeness states.
STATUS_COLORS = {
    "delivered": QColor("#1e7b34"),
    "late": QColor("#9a5b00"),
    "missing": QColor("#6b7280"),
    "failed": QColor("#b3261e"),
}
ERROR_COLOR = "#b3261e"
OK_COLOR = "#1e7b34"

FILE_COLUMNS = ["文件", "密码", "位置"]
PLAN_COLUMNS = [
    "文件",
    "填报单位",
    "周次",
    "操作",
    "新增行数",
    "替换行数",
    "城镇新增就业 本年累计（前→后）",
    "城镇新增就业 本周实际（前→后）",
    "上报进度",
    "说明",
]
PROGRESS_COLUMN = PLAN_COLUMNS.index("上报进度")
STATUS_COLUMNS = ["地区", "代码", "状态", "文件周次", "接收时间", "文件", "行数", "说明"]


def files_table() -> QTableWidget:
    table = _plain(FILE_COLUMNS)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def plan_table() -> QTableWidget:
    return _fitted(_plain(PLAN_COLUMNS))


def status_table() -> QTableWidget:
    return _fitted(_plain(STATUS_COLUMNS))


def show_files(table: QTableWidget, files: Sequence[Path], passwords: Mapping[str, str]) -> None:
    """One row per file: its name, whether it needs (or has) a password, its folder."""
    table.setRowCount(len(files))
    for row, path in enumerate(files):
        if package.is_encrypted(path):
            lock = "已输入" if str(path) in passwords else "需要密码"
        else:
            lock = "无"
        for col, text in enumerate((path.name, lock, str(path.parent))):
            item = QTableWidgetItem(text)
            item.setToolTip(str(path))
            if col == 1 and lock == "需要密码":
                item.setForeground(QBrush(QColor(ERROR_COLOR)))
            table.setItem(row, col, item)


def show_plan(table: QTableWidget, result: MergeResult) -> str:
    """One row per package of a preview or merge; returns the words to show under it."""
    table.setRowCount(len(result.packages))
    for row, p in enumerate(result.packages):
        note = f"本单位另有 {p.local_rows} 条该地区的记录" if p.local_rows else ""
        if p.replaces:
            note = f"替换{p.replaces}的文件" + (f"；{note}" if note else "")
        if p.fingerprint:
            key = f"公钥指纹 {p.fingerprint}" + (
                "（首次登记，请电话核对）" if p.key_status == "new" else ""
            )
            note = f"{note}；{key}" if note else key
        values = (
            p.file,
            f"{p.unit_name}（{p.unit_code}）",
            p.week.label,
            p.action_name,
            str(p.rows_add),
            str(p.rows_replace),
            f"{p.before[1]} → {p.after[1]}",
            f"{p.before[0]} → {p.after[0]}",
            p.progress.text if p.progress else "（文件未附进度）",
            note,
        )
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            if 4 <= col <= 7:
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if col == PROGRESS_COLUMN and p.progress is not None:
                item.setToolTip(p.progress.summary)
                item.setForeground(QBrush(QColor(OK_COLOR if p.progress.complete else ERROR_COLOR)))
            table.setItem(row, col, item)
    changed = sum(1 for p in result.packages if p.action != "unchanged")
    if result.dry_run:
        text = f"预览：{len(result.packages)}个文件均通过检查（签名、摘要、账表一致、所属地区）"
        text += (
            f"，合并后将改动{changed}个地区。" if changed else "，内容与已合并的相同，无需合并。"
        )
    else:
        text = f"已合并{changed}个文件，数据库已保存。"
    first = [p for p in result.packages if p.key_status == "new" and p.fingerprint]
    if first:
        text += "\n首次收到以下单位的上报文件，合并时将登记其签名公钥；请先打电话与对方核对指纹："
        text += "".join(f"\n· {p.unit_name}（{p.unit_code}）：{p.fingerprint}" for p in first)
    if result.duplicates:
        text += f"\n跨地区重复 {len(result.duplicates)} 人（请通知有关地区核实剔除）："
        text += "".join(f"\n· {d.message}" for d in result.duplicates[:5])
        if len(result.duplicates) > 5:
            text += f"\n……共 {len(result.duplicates)} 人，详见“自查”。"
    return text


def show_completeness(table: QTableWidget, statuses: Sequence[AreaStatus]) -> str:
    """One row per subordinate area; returns the week's counts (已报送 …) for the summary."""
    table.setRowCount(len(statuses))
    for row, s in enumerate(statuses):
        values = (
            s.name,
            s.code,
            s.status_name,
            s.package_week or "",
            s.received_at or "",
            s.file_name or "",
            "" if s.rows is None else str(s.rows),
            s.message,
        )
        for col, text in enumerate(values):
            item = QTableWidgetItem(text)
            if col == 2:
                item.setForeground(QBrush(STATUS_COLORS[s.status]))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            if col == 7 and text:
                item.setToolTip(text)
            table.setItem(row, col, item)
    counts = {k: sum(1 for s in statuses if s.status == k) for k in STATUS_COLORS}
    return (
        f"已报送 {counts['delivered']}，迟报 {counts['late']}，"
        f"未报送 {counts['missing']}，未通过检查 {counts['failed']}"
    )


def _plain(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


def _fitted(table: QTableWidget) -> QTableWidget:
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table

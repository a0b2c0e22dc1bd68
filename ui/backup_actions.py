"""文件 ▸ 备份数据库 / 从备份恢复: the core's backups from the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from jiuye_desktop.service import Session, open_session
from jiuye_desktop.storage.backup import (
    OtherUnit,
    list_backups,
    restore_backup,
    verify_backup,
)
from jiuye_desktop.storage.db import StorageError
from ui.ops import Cancelled, Progress, run_op
from ui.state import AppState


def back_up(parent: QWidget, state: AppState) -> None:
    """A manual backup, off the GUI thread (a big ledger takes seconds)."""

    def work(session: Session, _p: Progress, _c: Cancelled) -> object:
        return session.back_up_now("manual")

    run_op(
        parent,
        "正在备份数据库…",
        work,
        state=state,
        on_done=lambda path: QMessageBox.information(parent, "已备份", f"已备份到：\n{path}"),
    )


def restore(parent: QWidget, state: AppState) -> bool:
    """Choose a backup, confirm, put it in place; the ledger is opened again. True if restored."""
    items = list_backups(state.db_path)
    if not items:
        QMessageBox.information(parent, "从备份恢复", "还没有备份。")
        return False
    labels = [
        f"{b.taken_at:%Y-%m-%d %H:%M:%S}  {b.reason_text}  {b.size / 1e6:.1f} MB" for b in items
    ]
    label, ok = QInputDialog.getItem(
        parent, "从备份恢复", "选择要恢复的备份（最新的在前）：", labels, 0, False
    )
    if not ok:
        return False
    chosen = items[labels.index(label)]
    sound, why = verify_backup(chosen.path)
    if not sound:
        QMessageBox.warning(parent, "从备份恢复", f"这份备份不能用：{why}")
        return False
    answer = QMessageBox.question(
        parent,
        "从备份恢复",
        f"用 {chosen.taken_at:%Y-%m-%d %H:%M} 的备份替换当前台账？\n"
        "当前台账文件会保留在备份文件夹中，可以再恢复回来。",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    return _restore_into_window(parent, state, chosen.path)


def _restore_into_window(parent: QWidget, state: AppState, source: Path) -> bool:
    """Close this window's own connection, put the backup in place, open the ledger again.

    Another program (or another window) holding the ledger makes the core refuse
    before anything moves; a backup of another unit asks first.
    """
    operator = state.session.operator
    state.session.close()
    other_unit_ok = False
    try:
        while True:
            try:
                restore_backup(state.db_path, source, other_unit_ok=other_unit_ok)
                break
            except OtherUnit as exc:
                answer = QMessageBox.question(
                    parent,
                    "备份属于另一个单位",
                    f"{exc}\n\n仍要用这份备份替换当前台账吗？",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return False
                other_unit_ok = True
            except StorageError as exc:
                QMessageBox.warning(parent, "未能恢复", str(exc))
                return False
    finally:
        state.session = open_session(state.db_path, operator=operator)
    QMessageBox.information(parent, "已恢复", f"已从备份 {source.name} 恢复，台账已重新打开。")
    changed = getattr(parent, "_on_ledger_changed", None)
    if callable(changed):
        changed()
    return True

"""文件 ▸ 备份数据库 / 从备份恢复: the core's backups from the window."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox, QWidget

from jiuye_desktop.service import Session
from jiuye_desktop.storage.backup import list_backups, restore_backup, verify_backup
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
    """Choose a backup, confirm, put it in place; the program then closes. True if restored."""
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
        "当前台账会先另存一份备份。恢复后程序将关闭，请重新打开。",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    state.session.close()
    restore_backup(state.db_path, chosen.path)
    QMessageBox.information(parent, "已恢复", "已从备份恢复。请重新打开程序。")
    app = QApplication.instance()
    if app is not None:
        app.quit()
    return True

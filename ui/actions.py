"""Every QAction of the main window, created in one place and keyed by an enum."""

from __future__ import annotations

from enum import Enum, auto

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


class ActionId(Enum):
    NEW_RECORD = auto()
    FIND = auto()
    OPEN_RECORD = auto()
    RECORD_HISTORY = auto()
    REFRESH = auto()
    PAGE_LEDGER = auto()
    PAGE_ENTRY = auto()
    PAGE_WEEKLY = auto()
    PAGE_SELFCHECK = auto()
    PAGE_IMPORT = auto()
    PAGE_MERGE = auto()
    PAGE_PROGRESS = auto()
    PAGE_TARGETS = auto()
    PAGE_SAMPLE = auto()
    SETTINGS = auto()
    BACKUP = auto()
    RESTORE_BACKUP = auto()
    QUIT = auto()
    GUIDE = auto()
    SHORTCUTS = auto()
    ABOUT = auto()


#: (text, shortcut, status tip) of each action.
_SPECS: dict[ActionId, tuple[str, str | QKeySequence.StandardKey | None, str]] = {
    ActionId.NEW_RECORD: ("新增记录(&N)", "Ctrl+N", "在录入页新增一条记录"),
    ActionId.FIND: (
        "查找(&F)",
        QKeySequence.StandardKey.Find,
        "在台账中按身份证号、姓名、单位或电话查找",
    ),
    ActionId.OPEN_RECORD: ("修改所选记录(&E)", "Ctrl+E", "在录入页打开台账中选中的记录"),
    ActionId.RECORD_HISTORY: ("修改历史(&H)…", "Ctrl+H", "所选记录的全部变动：时间、操作员、内容"),
    ActionId.REFRESH: ("刷新(&R)", "F5", "重新读取台账"),
    ActionId.PAGE_LEDGER: ("台账(&L)", "Ctrl+1", "实名台账"),
    ActionId.PAGE_ENTRY: ("录入(&I)", "Ctrl+2", "逐条录入"),
    ActionId.PAGE_WEEKLY: ("周报表(&W)", "Ctrl+3", "周调度表（附件1）"),
    ActionId.PAGE_SELFCHECK: ("自查(&C)", "Ctrl+4", "重复、无效、不完整记录的自查与剔除"),
    ActionId.PAGE_IMPORT: ("导入(&M)", "Ctrl+5", "导入台账Excel文件"),
    ActionId.PAGE_MERGE: ("汇总(&U)", "Ctrl+6", "合并下属单位上报的文件（市级）"),
    ActionId.PAGE_PROGRESS: ("进度(&P)", "Ctrl+7", "目标任务完成进度：是否全面完成，哪些地区落后"),
    ActionId.PAGE_TARGETS: ("目标任务(&T)", "Ctrl+8", "年度目标任务（本级、各地区、合计；附件2）"),
    ActionId.PAGE_SAMPLE: (
        "电话抽查(&D)",
        "Ctrl+9",
        "电话抽查演练：按随机种子抽取样本、打印呼叫单、逐条录入通话结果并汇总",
    ),
    ActionId.SETTINGS: ("单位设置(&S)…", None, "填报单位、下属地区、负责人与公章图片"),
    ActionId.BACKUP: ("备份数据库(&B)", None, "把台账完整复制一份到备份文件夹"),
    ActionId.RESTORE_BACKUP: (
        "从备份恢复(&R)…",
        None,
        "用以前的备份替换当前台账（当前台账先另存）",
    ),
    ActionId.QUIT: ("退出(&X)", "Ctrl+Q", "关闭程序"),
    ActionId.GUIDE: ("使用指南(&G)", "F1", "第一次使用、每周五的报表、11月的自查、市级合并"),
    ActionId.SHORTCUTS: ("快捷键一览(&K)", None, "全部键盘快捷键"),
    ActionId.ABOUT: ("关于(&A)", None, "程序版本"),
}

#: Page actions in navigation order.
PAGE_ACTIONS = (
    ActionId.PAGE_LEDGER,
    ActionId.PAGE_ENTRY,
    ActionId.PAGE_WEEKLY,
    ActionId.PAGE_SELFCHECK,
    ActionId.PAGE_IMPORT,
    ActionId.PAGE_MERGE,
    ActionId.PAGE_PROGRESS,
    ActionId.PAGE_TARGETS,
    ActionId.PAGE_SAMPLE,
)


def build_actions(parent: QWidget) -> dict[ActionId, QAction]:
    """One QAction per ActionId, owned by ``parent``."""
    actions: dict[ActionId, QAction] = {}
    for action_id, (text, shortcut, tip) in _SPECS.items():
        action = QAction(text, parent)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        actions[action_id] = action
    actions[ActionId.QUIT].setMenuRole(QAction.MenuRole.QuitRole)
    actions[ActionId.ABOUT].setMenuRole(QAction.MenuRole.AboutRole)
    return actions

"""What an empty ledger shows instead of an empty grid: three first steps, each with a button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

#: (button text, what it does) of each step, in order.
STEPS = (
    ("导入现有台账", "已有 Excel 格式的实名台账？选择文件，核对列的对应关系后一次导入。"),
    ("录入第一条", "逐条录入：输入身份证号后自动带出性别和出生日期，回车跳到下一栏。"),
    ("设置地区", "填写下属地区（县级可填乡镇、街道）、负责人、操作员姓名和公章图片。"),
)


class FirstSteps(QScrollArea):
    """Three numbered steps; ``step_chosen(i)`` when the button of step ``i`` is pressed."""

    step_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        outer = QVBoxLayout(inner)
        outer.addStretch(1)
        title = QLabel("台账还是空的。从这里开始：")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(14)
        self.buttons: list[QPushButton] = []
        for i, (text, what) in enumerate(STEPS):
            number = QLabel(f"{i + 1}")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            number.setFixedSize(34, 34)
            number.setStyleSheet(
                "background: #2f6fd6; color: white; border-radius: 17px; font-weight: bold;"
            )
            button = QPushButton(text)
            button.setMinimumWidth(150)
            button.setMinimumHeight(34)
            label = QLabel(what)
            label.setWordWrap(True)
            label.setMinimumWidth(320)
            grid.addWidget(number, i, 0)
            grid.addWidget(button, i, 1)
            grid.addWidget(label, i, 2)
            button.clicked.connect(lambda _=False, step=i: self.step_chosen.emit(step))
            self.buttons.append(button)
        grid.setColumnStretch(2, 1)
        row = QWidget()
        row.setLayout(grid)
        row.setMaximumWidth(760)
        outer.addWidget(row, 0, Qt.AlignmentFlag.AlignHCenter)
        hint = QLabel("“帮助 → 使用指南”（F1）介绍每周五的报表、11月的自查和市级合并。")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet("color: #5f6368;")
        outer.addWidget(hint)
        outer.addStretch(2)
        self.setWidget(inner)

"""抽取新样本 of the 电话抽查 screen: the date, the indicators, how many, the random seed, 抽取.

box = DrawBox()
box.set_date(day)             # the default date (the core's phone_sample.default_date)
box.request()                 # DrawRequest for phone_sample.draw, None without an indicator
box.draw_button.clicked       # the screen draws (in the background)
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from jiuye_desktop.domain import Indicator
from jiuye_desktop.phone_sample import DEFAULT_INDICATORS, INDICATOR_BY_NAME


@dataclass(frozen=True)
class DrawRequest:
    """What ``phone_sample.draw`` is asked: one of ``share`` and ``per_area`` is None."""

    day: dt.date
    seed: int
    indicators: list[Indicator]
    share: float | None
    per_area: int | None


class DrawBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("抽取新样本")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.indicator_boxes: dict[str, QCheckBox] = {}
        boxes = QHBoxLayout()
        for name, ind in INDICATOR_BY_NAME.items():
            box = QCheckBox(name.removesuffix("人数"))
            box.setChecked(ind in DEFAULT_INDICATORS)
            self.indicator_boxes[name] = box
            boxes.addWidget(box)
        boxes.addStretch(1)
        self.mode_combo = QComboBox()
        self.mode_combo.addItem("按比例", "share")
        self.mode_combo.addItem("每个地区人数", "per_area")
        self.share_spin = QDoubleSpinBox()
        self.share_spin.setRange(0.1, 100.0)
        self.share_spin.setDecimals(1)
        self.share_spin.setValue(5.0)
        self.share_spin.setSuffix(" %")
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 10_000)
        self.count_spin.setValue(10)
        self.count_spin.setSuffix(" 人")
        self.count_spin.hide()
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2_147_483_647)
        self.seed_spin.setValue(random.randint(1, 99_999))
        self.seed_spin.setToolTip("印在呼叫单上；同一台账用同一种子可重复抽出相同的记录")
        self.new_seed_button = QPushButton("换一个")
        self.draw_button = QPushButton("抽取")
        self.draw_button.setDefault(True)

        amount = QHBoxLayout()
        amount.addWidget(self.mode_combo)
        amount.addWidget(self.share_spin)
        amount.addWidget(self.count_spin)
        amount.addWidget(QLabel("（每个有记录的地区至少1人）"))
        amount.addStretch(1)
        seed = QHBoxLayout()
        seed.addWidget(self.seed_spin)
        seed.addWidget(self.new_seed_button)
        seed.addStretch(1)
        seed.addWidget(self.draw_button)
        form = QFormLayout()
        form.addRow("抽查日期", self.date_edit)
        form.addRow("抽查指标", boxes)
        form.addRow("抽取数量", amount)
        form.addRow("随机种子", seed)
        self.setLayout(form)

        self.mode_combo.currentIndexChanged.connect(self._on_mode_combo_changed)
        self.new_seed_button.clicked.connect(self._on_new_seed_button_clicked)

    def set_date(self, day: dt.date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    def request(self) -> DrawRequest | None:
        """The draw as chosen; None when no indicator is ticked."""
        chosen = [
            INDICATOR_BY_NAME[n] for n, box in self.indicator_boxes.items() if box.isChecked()
        ]
        if not chosen:
            return None
        d = self.date_edit.date()
        share = self.share_spin.value() / 100 if self.mode_combo.currentData() == "share" else None
        return DrawRequest(
            day=dt.date(d.year(), d.month(), d.day()),
            seed=self.seed_spin.value(),
            indicators=chosen,
            share=share,
            per_area=self.count_spin.value() if share is None else None,
        )

    def _on_mode_combo_changed(self, index: int) -> None:
        self.share_spin.setVisible(index == 0)
        self.count_spin.setVisible(index == 1)

    def _on_new_seed_button_clicked(self) -> None:
        self.seed_spin.setValue(random.randint(1, 99_999))

"""The status bar: the unit, this week's label and its Friday deadline, record counts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from jiuye_desktop.browse import Counts
from jiuye_desktop.domain import LEVEL_NAMES, Unit, Week

_WEEKDAYS = "一二三四五六日"


def _day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


class StatusBar(QStatusBar):
    """Permanent labels on the right; transient messages on the left."""

    MESSAGE_MS = 8000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit_label = QLabel()
        self.week_label = QLabel()
        self.counts_label = QLabel()
        for label in (self.counts_label, self.week_label, self.unit_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)

    def set_unit(self, unit: Unit) -> None:
        self.unit_label.setText(f"{unit.name}（{unit.code}，{LEVEL_NAMES[unit.level]}）")

    def set_week(self, week: Week, today: dt.date) -> None:
        """This week's label and the Friday its table is due."""
        due = week.end
        when = "今天" if due == today else f"{_day(due)}（周{_WEEKDAYS[due.weekday()]}）"
        self.week_label.setText(
            f"本周：{week.label}（{_day(week.start)}—{_day(week.end)}），{when}报送"
        )
        self.week_label.setToolTip(
            f"{week.label}：{week.start.isoformat()} 至 {week.end.isoformat()}，"
            f"周报表须于 {due.isoformat()} 报送"
        )

    def set_counts(self, counts: Counts) -> None:
        self.counts_label.setText(
            f"记录 {counts.total:,} 条（有效 {counts.active:,}，已剔除 {counts.removed:,}）"
        )

    def show_message(self, text: str) -> None:
        self.showMessage(text, self.MESSAGE_MS)

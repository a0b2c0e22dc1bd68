"""A compact week picker (年度, ◀, the week's label, ▶) for the screens that follow a week.

picker = WeekPicker(week)
picker.week_changed.connect(...)   # the clerk picked another week (Week)
picker.set_week(week)              # show a week without emitting
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from jiuye_desktop.domain import Week
from jiuye_desktop.weeks import next_week, previous_week, week_of, weeks_of_year

FIRST_YEAR, LAST_YEAR = 2000, 2099


class WeekPicker(QWidget):
    week_changed = Signal(object)  # Week

    def __init__(self, week: Week, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._week = week
        self._weeks: list[Week] = []
        self.year_spin = QSpinBox()
        self.year_spin.setRange(FIRST_YEAR, LAST_YEAR)
        self.year_spin.setSuffix(" 年")
        self.prev_button = QPushButton("◀ 上一周")
        self.week_combo = QComboBox()
        self.week_combo.setMinimumContentsLength(12)
        self.week_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.next_button = QPushButton("下一周 ▶")
        self.dates_label = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("年度"))
        layout.addWidget(self.year_spin)
        layout.addSpacing(12)
        layout.addWidget(self.prev_button)
        layout.addWidget(self.week_combo)
        layout.addWidget(self.next_button)
        layout.addSpacing(12)
        layout.addWidget(self.dates_label)
        self.year_spin.valueChanged.connect(self._on_year_spin_changed)
        self.week_combo.currentIndexChanged.connect(self._on_week_combo_changed)
        self.prev_button.clicked.connect(self._on_prev_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.set_week(week)

    @property
    def week(self) -> Week:
        return self._week

    def set_week(self, week: Week) -> None:
        """Show a week (no signal)."""
        self._week = week
        for w in (self.year_spin, self.week_combo):
            w.blockSignals(True)
        if not self._weeks or self._weeks[0].year != week.year:
            self._weeks = list(weeks_of_year(week.year))
            self.week_combo.clear()
            self.week_combo.addItems([w.label for w in self._weeks])
        self.year_spin.setValue(week.year)
        self.week_combo.setCurrentIndex(self._weeks.index(week))
        for w in (self.year_spin, self.week_combo):
            w.blockSignals(False)
        self.dates_label.setText(f"{week.start.isoformat()} 至 {week.end.isoformat()}")
        self.prev_button.setEnabled(week.year > FIRST_YEAR or previous_week(week) is not None)
        self.next_button.setEnabled(week.year < LAST_YEAR or next_week(week) is not None)

    def _pick(self, week: Week) -> None:
        if week != self._week:
            self.set_week(week)
            self.week_changed.emit(week)

    def _on_year_spin_changed(self, year: int) -> None:
        old = self._week.end
        self._pick(week_of(dt.date(year, old.month, min(old.day, 28))))

    def _on_week_combo_changed(self, index: int) -> None:
        if 0 <= index < len(self._weeks):
            self._pick(self._weeks[index])

    def _on_prev_button_clicked(self) -> None:
        week = previous_week(self._week)
        if week is None and self._week.year > FIRST_YEAR:
            week = list(weeks_of_year(self._week.year - 1))[-1]
        if week is not None:
            self._pick(week)

    def _on_next_button_clicked(self) -> None:
        week = next_week(self._week)
        if week is None and self._week.year < LAST_YEAR:
            week = week_of(dt.date(self._week.year + 1, 1, 1))
        if week is not None:
            self._pick(week)

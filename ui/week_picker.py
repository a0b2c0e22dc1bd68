"""The one year/week picker (年度, ◀, the week's label, ▶, its dates) of the screens that follow a week.

picker = WeekPicker(week)
picker.week_changed.connect(...)   # the clerk picked another week (Week)
picker.set_week(week)              # show a week without emitting
picker.week                        # the week shown

The weekly table and the progress screen use it as it is. The merge screen's
completeness list asks for the plain form: ``WeekPicker(week, steps=False,
dates=month_day_dates, year_week=this_or_last_week)`` — 年度, 周次 and the
week's label without the ◀/▶ buttons, the dates as 11月4日至11月10日, and a
new year shows this week (or that year's last week) instead of the same day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from jiuye_desktop.domain import Week
from jiuye_desktop.weeks import next_week, previous_week, week_of, weeks_of_year

FIRST_YEAR, LAST_YEAR = 2000, 2099


def iso_dates(week: Week) -> str:
    """``2017-11-04 至 2017-11-10``"""
    return f"{week.start.isoformat()} 至 {week.end.isoformat()}"


def month_day_dates(week: Week) -> str:
    """``11月4日至11月10日``"""
    s, e = week.start, week.end
    return f"{s.month}月{s.day}日至{e.month}月{e.day}日"


def same_day_in(year: int, week: Week) -> Week:
    """Another year: the week of the same day as the shown week's end (the 28th at most)."""
    old = week.end
    return week_of(dt.date(year, old.month, min(old.day, 28)))


def this_or_last_week(year: int, _week: Week) -> Week:
    """Another year: this week when it is the current year, otherwise the year's last week."""
    today = week_of(dt.date.today())
    return today if today.year == year else list(weeks_of_year(year))[-1]


class WeekPicker(QWidget):
    week_changed = Signal(object)  # Week

    def __init__(
        self,
        week: Week,
        parent: QWidget | None = None,
        *,
        steps: bool = True,
        dates: Callable[[Week], str] = iso_dates,
        year_week: Callable[[int, Week], Week] = same_day_in,
    ) -> None:
        super().__init__(parent)
        self._week = week
        self._weeks: list[Week] = []
        self._dates = dates
        self._year_week = year_week
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
        if steps:
            layout.addSpacing(12)
            layout.addWidget(self.prev_button)
            layout.addWidget(self.week_combo)
            layout.addWidget(self.next_button)
            layout.addSpacing(12)
        else:
            layout.addWidget(QLabel("周次"))
            layout.addWidget(self.week_combo)
            for button in (self.prev_button, self.next_button):
                button.setParent(self)
                button.hide()
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
        self.dates_label.setText(self._dates(week))
        self.prev_button.setEnabled(week.year > FIRST_YEAR or previous_week(week) is not None)
        self.next_button.setEnabled(week.year < LAST_YEAR or next_week(week) is not None)

    def _pick(self, week: Week) -> None:
        if week != self._week:
            self.set_week(week)
            self.week_changed.emit(week)

    def _on_year_spin_changed(self, year: int) -> None:
        self._pick(self._year_week(year, self._week))

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

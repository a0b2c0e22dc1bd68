"""One progress chart drawn with QPainter: 本年累计 week by week against the target's line.

The data (``progress.Chart``) and the axis values (``progress.nice_ticks``,
``progress.month_starts``) come from the core, as for the PDF.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from jiuye_desktop.progress import BEHIND, DONE, STATUS_NAMES, Chart, month_starts, nice_ticks

CUMULATIVE_COLOR = QColor("#2f6fd6")
TARGET_COLOR = QColor("#888888")
GRID_COLOR = QColor("#e4e4e4")
STATUS_TEXT_COLORS = {DONE: QColor("#1e7a32"), BEHIND: QColor("#b3261e")}


class ProgressChart(QWidget):
    def __init__(self, chart: Chart | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chart = chart
        self.setMinimumSize(260, 170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_chart(self, chart: Chart | None) -> None:
        self._chart = chart
        self.update()

    @property
    def chart(self) -> Chart | None:
        return self._chart

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(360, 220)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        chart = self._chart
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        if chart is None:
            p.end()
            return
        fm = p.fontMetrics()
        line = fm.height()
        ticks = nice_ticks(chart.y_min, chart.y_max * 1.05, 4)
        y0, y1 = ticks[0], ticks[-1]
        left = max(fm.horizontalAdvance(f"{t:,.0f}") for t in ticks) + 10
        top, bottom, right = line * 1.8, line + 8, 12
        plot = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)

        def px(day: float) -> float:
            return plot.left() + plot.width() * day / chart.days

        def py(value: float) -> float:
            return plot.bottom() - plot.height() * (value - y0) / max(y1 - y0, 1)

        # Title and status.
        title = chart.indicator + (
            f"（目标 {chart.target:,}）" if chart.target is not None else "（无目标）"
        )
        p.setPen(QColor("#1f2328"))
        p.drawText(QPointF(left, line * 1.1), title)
        status = STATUS_NAMES[chart.status]
        p.setPen(STATUS_TEXT_COLORS.get(chart.status, QColor("#5f6368")))
        p.drawText(QPointF(self.width() - right - fm.horizontalAdvance(status), line * 1.1), status)
        # Grid and axes.
        for value in ticks:
            p.setPen(QPen(GRID_COLOR, 1))
            p.drawLine(QPointF(plot.left(), py(value)), QPointF(plot.right(), py(value)))
            p.setPen(QColor("#5f6368"))
            text = f"{value:,.0f}"
            p.drawText(
                QRectF(0, py(value) - line / 2, left - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        p.setPen(QPen(QColor("#9aa0a6"), 1))
        p.drawRect(plot)
        p.setPen(QColor("#5f6368"))
        for day, label in month_starts(chart.year)[::2]:
            p.drawText(QPointF(px(day), plot.bottom() + line), label)
        # The target's straight line: 0 on 1 January to the target on 31 December.
        if chart.target is not None:
            p.setPen(QPen(TARGET_COLOR, 1.3, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(px(0), py(0)), QPointF(px(chart.days), py(chart.target)))
        # 本年累计 week by week.
        path = QPainterPath()
        for n, (day, value) in enumerate(chart.points):
            point = QPointF(px(day), py(value))
            if n == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        p.setPen(QPen(CUMULATIVE_COLOR, 2))
        p.drawPath(path)
        last_day, last = chart.points[-1]
        p.setBrush(CUMULATIVE_COLOR)
        p.drawEllipse(QPointF(px(last_day), py(last)), 3.5, 3.5)
        text = f"{last:,}"
        x = px(last_day) + 6
        if x + fm.horizontalAdvance(text) > plot.right():
            x = px(last_day) - 6 - fm.horizontalAdvance(text)
        p.drawText(QPointF(x, py(last) - 6), text)
        p.end()

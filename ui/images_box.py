"""公章与签名图片 of the unit settings: one preview per image kind, 选择… and 清除.

    box = ImagesBox()
    box.show_stored(kind, data)     # what the ledger holds (not a change)
    box.set_image(kind, data)       # the clerk's choice (None clears); box.changed lists the kinds
    box.image(kind)                 # PNG bytes or None

The kinds and their names are the core's (``service.IMAGE_KINDS``); the dialog saves them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from jiuye_desktop.service import IMAGE_KINDS

PREVIEW_SIZE = 96


class ImagesBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("公章与签名图片（PNG，可不填）", parent)
        self._images: dict[str, bytes | None] = {kind: None for kind in IMAGE_KINDS}
        self.changed: set[str] = set()
        grid = QGridLayout(self)
        self.previews: dict[str, QLabel] = {}
        self.choose_buttons: dict[str, QPushButton] = {}
        self.clear_buttons: dict[str, QPushButton] = {}
        for col, (kind, title) in enumerate(IMAGE_KINDS.items()):
            preview = QLabel("（无）")
            preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
            preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
            preview.setStyleSheet("QLabel { background: #ffffff; border: 1px solid #c9ced6; }")
            choose = QPushButton("选择…")
            clear = QPushButton("清除")
            grid.addWidget(QLabel(title), 0, col, Qt.AlignmentFlag.AlignHCenter)
            grid.addWidget(preview, 1, col, Qt.AlignmentFlag.AlignHCenter)
            buttons = QHBoxLayout()
            buttons.addWidget(choose)
            buttons.addWidget(clear)
            grid.addLayout(buttons, 2, col)
            self.previews[kind], self.choose_buttons[kind], self.clear_buttons[kind] = (
                preview,
                choose,
                clear,
            )
            choose.clicked.connect(lambda _=False, k=kind: self._on_choose(k))
            clear.clicked.connect(lambda _=False, k=kind: self.set_image(k, None))

    def show_stored(self, kind: str, data: bytes | None) -> None:
        self._images[kind] = data
        self.changed.discard(kind)
        self._show_preview(kind)

    def set_image(self, kind: str, data: bytes | None) -> None:
        self._images[kind] = data
        self.changed.add(kind)
        self._show_preview(kind)

    def image(self, kind: str) -> bytes | None:
        return self._images[kind]

    def chosen(self) -> set[str]:
        """The kinds that have an image (a new ledger saves these)."""
        return {k for k, v in self._images.items() if v is not None}

    def _on_choose(self, kind: str) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, f"选择{IMAGE_KINDS[kind]}图片", "", "PNG 图片 (*.png)"
        )
        if not name:
            return
        data = Path(name).read_bytes()
        pixmap = QPixmap()
        if not pixmap.loadFromData(data, "PNG"):
            QMessageBox.warning(self, "图片无法使用", f"“{name}”不是PNG图片。")
            return
        self.set_image(kind, data)

    def _show_preview(self, kind: str) -> None:
        label = self.previews[kind]
        data = self._images[kind]
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data, "PNG"):
            label.setPixmap(
                pixmap.scaled(
                    PREVIEW_SIZE - 4,
                    PREVIEW_SIZE - 4,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            label.clear()
            label.setText("（无）")

"""The reporting unit: first-run setup, and the same dialog later under 设置.

Load → validate → save. On first run it creates the database
(``service.init_database``); later it saves through the session
(``set_profile``, ``set_areas``, ``set_image``). The unit's code, name and
level are fixed once the ledger exists.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from jiuye_desktop import divisions
from jiuye_desktop.domain import LEVEL_NAMES, Level
from jiuye_desktop.service import (
    IMAGE_KINDS,
    PROFILE_FIELDS,
    Session,
    SetupError,
    init_database,
    parse_area_spec,
)
from jiuye_desktop.storage.db import StorageError
from jiuye_desktop.unit_identity import SENT_NOTE, change_identity, check_new_unit, known_level
from jiuye_desktop.validation import phone_ok
from ui.areas_box import AreasBox
from ui.images_box import ImagesBox


class SetupDialog(QDialog):
    """填报单位设置. ``session`` is the open ledger after a successful first-run save."""

    def __init__(
        self,
        *,
        path: Path | None = None,
        session: Session | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if (path is None) == (session is None):
            raise ValueError("either a new database path or an open session")
        self.path = path
        self.session = session
        self._units = divisions.henan_units()
        self._build()
        self._connect_signals()
        self.load()

    @classmethod
    def for_new_database(cls, path: Path, parent: QWidget | None = None) -> SetupDialog:
        return cls(path=path, parent=parent)

    @classmethod
    def for_session(cls, session: Session, parent: QWidget | None = None) -> SetupDialog:
        return cls(session=session, parent=parent)

    @property
    def creating(self) -> bool:
        return self.path is not None

    # --- Building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle("建立本单位的台账" if self.creating else "单位设置")
        self.resize(940, 620)

        # The unit.
        self.unit_combo = QComboBox()
        self.unit_combo.setEditable(True)
        self.unit_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit_combo.addItem("", None)
        for d in self._units:
            parent = divisions.name_of(d.parent) if d.parent and d.kind == "county" else None
            label = f"{d.code} {d.name}" + (f"（{parent}）" if parent else "")
            self.unit_combo.addItem(label, d.code)
        completer = QCompleter(self.unit_combo.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.unit_combo.setCompleter(completer)
        self.unit_combo.lineEdit().setPlaceholderText("输入代码或名称，如 许昌 或 411000")
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(6)
        self.code_edit.setPlaceholderText("6位行政区划代码")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("如 许昌市")
        self.county_radio = QRadioButton(LEVEL_NAMES[Level.COUNTY])
        self.city_radio = QRadioButton(LEVEL_NAMES[Level.CITY])
        self.province_radio = QRadioButton(LEVEL_NAMES[Level.PROVINCE])
        self.level_group = QButtonGroup(self)
        self.level_group.addButton(self.county_radio)
        self.level_group.addButton(self.city_radio)
        self.level_group.addButton(self.province_radio)
        self.county_radio.setChecked(True)
        level_row = QHBoxLayout()
        level_row.addWidget(self.county_radio)
        level_row.addWidget(self.city_radio)
        level_row.addWidget(self.province_radio)
        level_row.addStretch(1)
        unit_box = QGroupBox("填报单位")
        unit_form = QFormLayout(unit_box)
        if self.creating:
            unit_form.addRow("从河南省列表选择", self.unit_combo)
        unit_form.addRow("单位代码", self.code_edit)
        unit_form.addRow("单位名称", self.name_edit)
        unit_form.addRow("级别", level_row)
        self.identity_button = QPushButton("修改代码、名称或级别…")
        self.identity_button.setToolTip(
            "更正本单位的代码、名称或级别：须填写原因，记入单位修改记录；已发出的上报文件不变"
        )
        self._identity_unlocked = False
        if not self.creating:
            unit_form.addRow("", self.identity_button)
            self.fingerprint_label = QLabel(self._fingerprint())
            self.fingerprint_label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
            )
            self.fingerprint_label.setToolTip(
                "上报文件用本单位的密钥签名；上级首次合并时登记此指纹，请在电话中向上级读出核对"
            )
            unit_form.addRow("签名公钥指纹", self.fingerprint_label)

        # The areas.
        self.areas = AreasBox()
        self.areas_table = self.areas.table
        self.default_areas_button = self.areas.default_button

        # People.
        self.people: dict[str, QLineEdit] = {}
        people_box = QGroupBox("负责人与联系人")
        people_form = QFormLayout(people_box)
        for key, title in PROFILE_FIELDS.items():
            edit = QLineEdit()
            self.people[key] = edit
            people_form.addRow(title, edit)
        self.people["contact_phone"].setPlaceholderText("手机或固定电话")
        self.people["operator"].setPlaceholderText("您的姓名，记入修改历史（空着则用联系人）")

        # Seal and signatures.
        self.images = ImagesBox()
        self.previews = self.images.previews

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("建立台账" if self.creating else "保存")
        if self.creating:
            # Enter in a field never creates the ledger: the clerk clicks 建立台账.
            for button in self.buttons.buttons():
                button.setAutoDefault(False)
                button.setDefault(False)

        left = QVBoxLayout()
        left.addWidget(unit_box)
        left.addWidget(self.areas, 1)
        right = QVBoxLayout()
        right.addWidget(people_box)
        right.addWidget(self.images)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        if self.creating:
            intro = QLabel(f"第一次使用：请设置本单位。台账将保存在 {self.path}")
            intro.setWordWrap(True)
            layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        if self.creating:
            self.unit_combo.setFocus()
        else:
            for widget in (
                self.code_edit,
                self.name_edit,
                self.county_radio,
                self.city_radio,
                self.province_radio,
            ):
                widget.setEnabled(False)

    def _fingerprint(self) -> str:
        from jiuye_desktop.signing import own_key
        from jiuye_desktop.storage.db import StorageError

        assert self.session is not None
        try:
            return own_key(self.session).fingerprint
        except StorageError:
            return "（数据库只读，尚未生成密钥）"

    def _connect_signals(self) -> None:
        self.unit_combo.currentIndexChanged.connect(self._on_unit_chosen)
        self.unit_combo.lineEdit().editingFinished.connect(self._on_unit_typed)
        self.default_areas_button.clicked.connect(self._on_default_areas)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.identity_button.clicked.connect(self._on_identity_button_clicked)

    def _on_identity_button_clicked(self) -> None:
        self._identity_unlocked = True
        for widget in (
            self.code_edit,
            self.name_edit,
            self.county_radio,
            self.city_radio,
            self.province_radio,
        ):
            widget.setEnabled(True)
        self.identity_button.setEnabled(False)
        self.code_edit.setFocus()

    def ask_identity_reason(self, changes: str) -> str | None:
        """The reason of an identity change (None: cancelled)."""
        text, ok = QInputDialog.getText(
            self, "修改本单位信息", f"{changes}\n\n请填写修改原因（记入单位修改记录）："
        )
        return text.strip() if ok and text.strip() else None

    def _change_identity(self) -> bool:
        """The guarded path: what changes, a reason, one confirmation; then the core."""
        assert self.session is not None
        unit = self.session.unit
        code, name, level = (
            self.code_edit.text().strip(),
            self.name_edit.text().strip(),
            self.level(),
        )
        if (code, name, level) == (unit.code, unit.name, unit.level):
            return True
        lines = []
        if code != unit.code:
            lines.append(f"单位代码：{unit.code} → {code}")
        if name != unit.name:
            lines.append(f"单位名称：{unit.name} → {name}")
        if level != unit.level:
            lines.append(f"级别：{LEVEL_NAMES[unit.level]} → {LEVEL_NAMES[level]}")
        unknown = code != unit.code and known_level(code) is None
        if unknown:
            lines.append(f"注意：代码“{code}”不在本程序附带的行政区划代码表中")
        changes = "\n".join(lines)
        reason = self.ask_identity_reason(changes)
        if reason is None:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "确认修改本单位信息",
            f"{changes}\n原因：{reason}\n\n{SENT_NOTE}。\n\n确定修改吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return False
        try:
            change_identity(
                self.session,
                code=code,
                name=name,
                level=level,
                reason=reason,
                unknown_code=unknown,
            )
        except SetupError as exc:
            self.error_label.setText(str(exc))
            return False
        return True

    # --- Load --------------------------------------------------------------------------------

    def load(self) -> None:
        if self.session is None:
            return  # the operator is the clerk's own name, not the computer's login
        unit = self.session.unit
        self.code_edit.setText(unit.code)
        self.name_edit.setText(unit.name)
        self._level_radio(unit.level).setChecked(True)
        self.set_areas([(a.code or None, a.name) for a in self.session.areas() if not a.is_self])
        for key, value in self.session.profile().items():
            self.people[key].setText(value)
        if not self.people["operator"].text():
            self.people["operator"].setText(self.session.operator)
        for kind in IMAGE_KINDS:
            self.images.show_stored(kind, self.session.image(kind))

    # --- Values ------------------------------------------------------------------------------

    def choose_unit(self, code: str) -> bool:
        """Fill code, name, level and the default areas from the shipped list."""
        division = divisions.lookup(code)
        if division is None:
            return False
        index = self.unit_combo.findData(division.code)
        if index >= 0 and index != self.unit_combo.currentIndex():
            self.unit_combo.blockSignals(True)
            self.unit_combo.setCurrentIndex(index)
            self.unit_combo.blockSignals(False)
        self.code_edit.setText(division.code)
        self.name_edit.setText(division.name)
        level = {"province": Level.PROVINCE, "city": Level.CITY}.get(division.kind, Level.COUNTY)
        self._level_radio(level).setChecked(True)
        if not self.areas.touched or not self.area_rows():
            self.set_areas(divisions.default_areas(division.code) if level != Level.COUNTY else [])
            self.areas.touched = False
        return True

    def _level_radio(self, level: Level) -> QRadioButton:
        return {Level.CITY: self.city_radio, Level.PROVINCE: self.province_radio}.get(
            level, self.county_radio
        )

    def level(self) -> Level:
        if self.province_radio.isChecked():
            return Level.PROVINCE
        return Level.CITY if self.city_radio.isChecked() else Level.COUNTY

    def set_areas(self, areas: list[tuple[str | None, str]] | list[tuple[str, str]]) -> None:
        self.areas.set_areas(areas)

    def area_rows(self) -> list[tuple[str, str]]:
        """(code, name) as typed, blank rows left out."""
        return self.areas.rows()

    def profile(self) -> dict[str, str]:
        """The people as typed; an empty 操作员 is the 联系人 (the clerk who keeps the ledger)."""
        values = {key: edit.text().strip() for key, edit in self.people.items()}
        if not values["operator"]:
            values["operator"] = values["contact"]
        return values

    def set_image(self, kind: str, data: bytes | None) -> None:
        self.images.set_image(kind, data)

    def image(self, kind: str) -> bytes | None:
        return self.images.image(kind)

    # --- Validate and save -----------------------------------------------------------------

    def validate(self) -> str:
        """What is wrong, in Chinese ('' when the dialog can be saved). The core decides."""
        try:
            for code, name in self.area_rows():
                parse_area_spec(f"{code}:{name}" if code else name)
        except SetupError as exc:
            return str(exc)
        phone = self.profile()["contact_phone"]
        if phone and not phone_ok(phone):
            return f"联系电话“{phone}”格式不正确（手机11位，或固定电话如 0374-1234567）"
        return ""

    def save(self) -> None:
        """One core call per kind of setting; raises SetupError or StorageError."""
        areas = [parse_area_spec(f"{c}:{n}" if c else n) for c, n in self.area_rows()]
        profile = self.profile()
        if self.creating:
            assert self.path is not None
            self.session = init_database(
                self.path,
                unit_code=self.code_edit.text().strip(),
                unit_name=self.name_edit.text().strip(),
                level=self.level(),
                areas=areas,
                operator=profile["operator"] or None,
            )
            self.images.changed = self.images.chosen()
        assert self.session is not None
        self.session.set_profile({k: v for k, v in profile.items() if v or not self.creating})
        if not self.creating:
            self.session.set_areas(areas)
        for kind in sorted(self.images.changed):
            self.session.set_image(kind, self.images.image(kind))
        self.images.changed.clear()

    def _confirm_identity(self) -> bool:
        """A new unit's code, name and level as the core checks them (unit_identity); a code
        outside the shipped list is used only when the clerk confirms it (a second question)."""
        code, name = self.code_edit.text().strip(), self.name_edit.text().strip()
        if not code and not name:
            self.error_label.setText("请先选择或填写本单位的代码和名称")
            return False
        unknown = False
        if code.isdigit() and len(code) == 6 and known_level(code) is None:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "单位代码不在代码表中",
                f"单位代码“{code}”不在本程序附带的行政区划代码表中（任何年份都没有），"
                "可能输错了。\n\n确定使用这个代码建立台账吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                self,
            )
            box.setDefaultButton(QMessageBox.StandardButton.No)
            box.button(QMessageBox.StandardButton.Yes).setText("确定使用")
            box.button(QMessageBox.StandardButton.No).setText("返回修改")
            if box.exec() != QMessageBox.StandardButton.Yes:
                return False
            unknown = True
        try:
            check_new_unit(code, name, self.level(), unknown_code=unknown)
        except SetupError as exc:
            self.error_label.setText(str(exc))
            return False
        return True

    def accept(self) -> None:
        if self.creating and not self._confirm_identity():
            return
        if not self.creating and self._identity_unlocked and not self._change_identity():
            return
        problem = self.validate()
        if problem:
            self.error_label.setText(problem)
            return
        try:
            self.save()
        except (SetupError, StorageError) as exc:
            self.error_label.setText(str(exc))
            QMessageBox.warning(self, "无法保存", str(exc))
            return
        super().accept()

    # --- Slots -------------------------------------------------------------------------------

    def _on_unit_chosen(self, index: int) -> None:
        code = self.unit_combo.itemData(index)
        if code:
            self.choose_unit(code)

    def _on_unit_typed(self) -> None:
        text = self.unit_combo.currentText().strip()
        if not text:
            return
        index = self.unit_combo.findText(text, Qt.MatchFlag.MatchStartsWith)
        if index < 0:
            index = self.unit_combo.findText(text, Qt.MatchFlag.MatchContains)
        if index > 0:
            self.unit_combo.setCurrentIndex(index)

    def _on_default_areas(self) -> None:
        code = self.code_edit.text().strip()
        self.set_areas(divisions.default_areas(code) if self.level() != Level.COUNTY else [])
        self.areas.touched = False

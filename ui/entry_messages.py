"""What the entry form says and asks: the findings' colours and counts, where each finding
shows, and its three questions (保存前确认, 放弃修改, 打开已有记录).

    kind_counts(findings)                                # 无效 1、不完整 2
    placed = place_findings(findings, headers, shown, touched, save_tried)
    summary_html(placed, unreadable, id_passed, in_submitted)   # the line under the fields
    box = findings_box(parent, findings); box.exec()     # 保存前确认
    ask_discard(parent), ask_open(parent, record_id)     # True when the clerk agrees
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QWidget

from jiuye_desktop.domain import FINDING_KIND_NAMES, Finding, FindingKind
from ui.widgets import KIND_COLORS, MUTED_COLOR


def color_html(kind: str) -> str:
    return KIND_COLORS.get(kind, MUTED_COLOR).name()


def kind_counts(findings: list[Finding]) -> str:
    """``无效 1、不完整 2`` — per kind, distinct fields."""
    counts: dict[FindingKind, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return "、".join(f"{FINDING_KIND_NAMES[k]} {counts[k]}" for k in FindingKind if counts.get(k))


@dataclass
class Placed:
    """The findings the form names: beside their field, or in the summary when it is hidden."""

    by_field: dict[str, list[tuple[str, str]]]  # header → (kind, message)
    elsewhere: list[tuple[str, str]] = field(default_factory=list)  # (kind, "field：message")
    named: list[Finding] = field(default_factory=list)


def place_findings(
    findings: list[Finding],
    headers: tuple[str, ...],
    shown: set[str],
    touched: set[str],
    save_tried: bool,
) -> Placed:
    """Where each finding shows; an empty field is named once the clerk has passed it."""
    placed = Placed({h: [] for h in headers})
    for f in findings:
        if f.kind == FindingKind.INCOMPLETE and not (save_tried or f.field in touched):
            continue
        placed.named.append(f)
        if f.field in shown:
            placed.by_field[f.field].append((f.kind.value, f.message))
        else:
            placed.elsewhere.append((f.kind.value, f"{f.field}：{f.message}"))
    return placed


def summary_html(
    placed: Placed, unreadable: str | None, id_passed: bool, in_submitted: bool
) -> str:
    """The line under the fields: findings of hidden fields, what saving will ask, and why.

    ``unreadable`` is the ID's problem when saving would be refused for it (``id_passed``:
    the clerk has left the ID or tried to save); ``in_submitted``: 登记日期 lies in a
    submitted week.
    """
    parts = [f"<span style='color:{color_html(k)}'>{m}</span>" for k, m in placed.elsewhere]
    counted = kind_counts(placed.named)
    if unreadable is not None:
        # Saving is refused without a readable ID: never say it can be saved.
        if id_passed:
            parts.append(f"改正后才能保存：{unreadable}。")
    elif counted:
        parts.append(
            f"目前：{counted}。保存时会列出这些问题请您确认（可返回修改，或仍然保存、"
            "留待自查处理）。"
        )
    if in_submitted:
        parts.append("登记日期在已上报的周内：保存时需填写调整原因。")
    return "　".join(parts)


def findings_box(parent: QWidget, findings: list[Finding]) -> QMessageBox:
    """保存前确认: what the self-check will flag; Enter goes back, Ctrl+S saves anyway."""
    lines = "\n".join(f"· [{FINDING_KIND_NAMES[f.kind]}] {f.field}：{f.message}" for f in findings)
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "保存前确认",
        f"这条记录保存后，自查将发现以下问题（{kind_counts(findings)}）：\n\n{lines}\n\n"
        "按回车返回修改；按 Ctrl+S 仍然保存，问题留待自查处理。",
        QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Save,
        parent,
    )
    back = box.button(QMessageBox.StandardButton.Cancel)
    back.setText("返回修改（回车）")
    anyway = box.button(QMessageBox.StandardButton.Save)
    anyway.setText("仍然保存（Ctrl+S）")
    again = QShortcut(QKeySequence("Ctrl+S"), box)  # the key that asked saves anyway
    again.activated.connect(anyway.click)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    return box


def ask_discard(parent: QWidget) -> bool:
    """放弃修改: True to drop what was typed (the default button)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "放弃修改",
        "放弃尚未保存的内容？",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.Discard)
    return box.exec() == QMessageBox.StandardButton.Discard


def ask_open(parent: QWidget, record_id: int) -> bool:
    """打开已有记录: True to open the record and leave what was typed unsaved."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "打开已有记录",
        f"打开记录 #{record_id}？当前填写的内容不会保存。",
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        parent,
    )
    return box.exec() == QMessageBox.StandardButton.Open

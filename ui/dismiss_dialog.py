"""Marking warnings as checked (已核实, domain.md §5.3): the warnings chosen and a reason."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from jiuye_desktop.selfcheck import CheckFinding
from ui.reason_dialog import ReasonDialog


class DismissDialog(ReasonDialog):
    """The warnings to mark as checked, a line for the reason; 确定 once one is written."""

    def __init__(self, findings: Sequence[CheckFinding], parent: QWidget | None = None) -> None:
        shown = list(findings)[:8]
        lines = "\n".join(f"· {f.name}（记录 #{f.record}）：{f.message}" for f in shown)
        if len(findings) > len(shown):
            lines += f"\n……共 {len(findings)} 条"
        super().__init__(
            f"将把以下提示标记为已核实（不剔除记录）：\n{lines}",
            parent,
            title="标记为已核实",
            hint="核实理由和操作员记入该记录的修改历史，并随上报文件报送，上级合并后同样视为已核实：",
            placeholder="例如：电话核实，确已连续工作满3个月",
            ok_text="标记为已核实",
            width=560,
        )

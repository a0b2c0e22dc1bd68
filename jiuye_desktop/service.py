"""A working session on one ledger database: the unit, its areas, adding and editing records.

The window and the command line both go through here; neither runs SQL.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import adjustments, divisions
from .domain import Area, Finding, Level, Record, Unit
from .records import UnitContext, prepared_row, row_findings
from .storage import ledger
from .storage.backup import BackgroundBackup, make_backup, open_ledger
from .storage.db import Database, StorageError

OPERATOR_SETTING = "operator"

#: The unit's people and contact (domain settings live in the database).
PROFILE_FIELDS: dict[str, str] = {
    "unit_head": "单位负责人",
    "org_head": "机构负责人",
    "contact": "联系人",
    "contact_phone": "联系电话",
    "operator": "操作员",
}
#: Images of the unit: the seal and the two signatures (PNG bytes).
IMAGE_KINDS: dict[str, str] = {
    "seal": "公章",
    "sign_unit": "单位负责人签名",
    "sign_org": "机构负责人签名",
}


class SetupError(Exception):
    """The unit or its areas cannot be set up as asked (Chinese message)."""


def default_operator() -> str:
    try:
        return os.environ.get("JIUYE_OPERATOR") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on some systems
        return "操作员"


@dataclass
class Session:
    db: Database
    operator: str
    auto_backup: bool = True  # back up before an import or a merge

    @property
    def readonly(self) -> bool:
        """The ledger file cannot be written (a file attribute, a read-only medium): it was
        opened for reading, and every change is refused with a Chinese message."""
        return self.db.readonly

    @property
    def unit(self) -> Unit:
        unit = ledger.get_unit(self.db.conn)
        if unit is None:
            raise StorageError(f"数据库 {self.db.path} 还没有填报单位，请先运行 init")
        return unit

    def areas(self) -> list[Area]:
        return [a for _, a in ledger.list_areas(self.db.conn)]

    def context(self, today: dt.date | None = None) -> UnitContext:
        pairs = ledger.list_areas(self.db.conn)
        keys = [a.code or f"#{i}" for i, a in pairs]
        return UnitContext(
            unit=self.unit,
            areas=[a for _, a in pairs],
            area_ids={k: i for k, (i, _) in zip(keys, pairs, strict=True)},
            area_keys=keys,
            prefix_existed=divisions.ever_existed,
            today=today or dt.date.today(),
        )

    def close(self) -> None:
        self.db.close()

    def backup(self, reason: str) -> Path | None:
        """An automatic backup (before an import, a merge, at start) when enabled.

        It comes before a write: a read-only ledger is refused here, before anything."""
        self.db.refuse_if_readonly()
        if not self.auto_backup:
            return None
        return make_backup(self.db, reason)

    def back_up_now(self, reason: str = "manual") -> Path:
        """A backup the clerk asked for (made whether automatic backups are on or not)."""
        return make_backup(self.db, reason)

    def backup_in_background(self, reason: str) -> BackgroundBackup | None:
        """``backup`` taken by another thread; ``wait()`` on it before writing anything."""
        self.db.refuse_if_readonly()
        if not self.auto_backup:
            return None
        return BackgroundBackup(self.db.path, reason)

    # --- the unit's profile ---------------------------------------------------------------------

    def profile(self) -> dict[str, str]:
        """People and contact of the unit, keyed as ``PROFILE_FIELDS``."""
        return {k: ledger.get_setting(self.db.conn, k) for k in PROFILE_FIELDS}

    def set_profile(self, values: dict[str, str]) -> None:
        unknown = set(values) - set(PROFILE_FIELDS)
        if unknown:
            raise SetupError(f"未知的设置项：{'、'.join(sorted(unknown))}")
        with self.db.transaction() as tx:
            for key, value in values.items():
                ledger.set_setting(tx, key, value.strip())
        if values.get(OPERATOR_SETTING):
            self.operator = values[OPERATOR_SETTING].strip()

    def image(self, kind: str) -> bytes | None:
        """The seal or a signature image (PNG bytes), or None."""
        if kind not in IMAGE_KINDS:
            raise KeyError(kind)
        return ledger.get_image(self.db.conn, kind)

    def set_image(self, kind: str, data: bytes | None) -> None:
        if kind not in IMAGE_KINDS:
            raise KeyError(kind)
        if data is not None and not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise SetupError(f"{IMAGE_KINDS[kind]}图片必须是PNG文件")
        with self.db.transaction() as tx:
            ledger.set_image(tx, kind, data)

    def set_areas(self, areas: Sequence[tuple[str | None, str]]) -> None:
        """Replace the subordinate areas (本级 stays first), keeping those with records.

        An area is matched by code, else by name; one that still has records
        cannot be dropped. Records' own findings are re-judged afterwards since
        "area unknown to the unit" depends on the list.
        """
        names = [n.strip() for _, n in areas]
        codes = [c for c, _ in areas if c]
        if any(not n for n in names):
            raise SetupError("地区名称不能为空")
        if len(set(names)) != len(names) or len(set(codes)) != len(codes):
            raise SetupError("地区名称或代码有重复")
        if self.unit.code in codes:
            raise SetupError(f"地区代码{self.unit.code}与本单位相同（本级已自动包含）")
        try:
            with self.db.transaction() as tx:
                ledger.replace_areas(tx, [(c or None, n.strip()) for c, n in areas])
        except ValueError as exc:
            raise SetupError(str(exc)) from exc
        self.rejudge_areas()

    def rejudge_areas(self) -> int:
        """Re-link and re-judge the records whose area now resolves differently.

        After the areas change only records whose written 所属地区 maps to
        another area row (or to none, or newly to one) change: one look-up per
        distinct (written area, linked area) pair, not a pass over the ledger.
        Returns how many records were re-judged.
        """
        ctx = self.context()
        count = 0
        with self.db.transaction() as tx:
            for area_raw, area_id in ledger.area_links(tx):
                key = ctx.resolve_area(area_raw)
                new_id = ctx.area_ids.get(key) if key else None
                if new_id == area_id:
                    continue
                for record_id, rec, _old, _removed in list(
                    ledger.iter_records(
                        tx, "r.area_raw = ? AND r.area_id IS ?", (area_raw, area_id)
                    )
                ):
                    rec.area_code = key
                    ledger.relink_record(tx, record_id, prepared_row(rec, ctx))
                    count += 1
        return count

    # --- records typed in the window ---------------------------------------------------------

    def judge(self, values: dict[str, object]) -> tuple[Record, list[Finding]]:
        """Normalise form values (keyed by template header) and judge them, storing nothing.

        The entry form calls this as the clerk types; duplicates are looked up
        separately (``browse.person_records``).
        """
        from .records import normalize

        ctx = self.context()
        record = normalize(values, ctx)
        return record, row_findings(prepared_row(record, ctx))

    def add_values(
        self, values: dict[str, object], reason: str | None = None
    ) -> tuple[int, list[Finding]]:
        """Save a record typed in the form (values keyed by template header)."""
        from .records import normalize

        return self.add_record(normalize(values, self.context()), reason)

    def add_record(self, record: Record, reason: str | None = None) -> tuple[int, list[Finding]]:
        """Save a new record; ``reason`` is needed when it lands in a submitted week.

        Raises:
            adjustments.ReasonRequired: its 登记日期 is in a submitted week and no reason.
        """
        ctx = self.context()
        record.area_code = record.area_code or ctx.resolve_area(record.area_raw)
        row = prepared_row(record, ctx)
        with self.db.transaction() as tx:
            ledger.insert_rows(tx, [row], import_id=None, operator=self.operator)
            new_id = ledger.last_record_id(tx)
            adjustments.after_insert(tx, new_id, reason=reason, operator=self.operator)
        return new_id, row_findings(row)

    def edit_record(
        self, record_id: int, record: Record, reason: str | None = None
    ) -> list[Finding]:
        """Replace a record's values; ``reason`` is needed for a counted change of a
        record in a submitted week (domain.md §9).

        Raises:
            adjustments.ReasonRequired: such a change without a reason (nothing is written).
        """
        ctx = self.context()
        record.area_code = record.area_code or ctx.resolve_area(record.area_raw)
        row = prepared_row(record, ctx)
        with self.db.transaction() as tx:
            before = adjustments.before_states(tx, [record_id]).get(record_id)
            changes = ledger.update_record(tx, record_id, row, operator=self.operator)
            if before is not None and changes:
                adjustments.after_edit(
                    tx, record_id, before, changes, reason=reason, operator=self.operator
                )
        return row_findings(row)


def open_session(path: Path | str, *, operator: str | None = None) -> Session:
    db = open_ledger(path)
    try:
        if ledger.get_unit(db.conn) is None:
            raise StorageError(f"数据库 {path} 还没有填报单位，请先运行 init")
        # The name set in 单位设置 (操作员, else 联系人); the computer's login only as a last resort.
        op = (
            operator
            or ledger.get_setting(db.conn, OPERATOR_SETTING)
            or ledger.get_setting(db.conn, "contact")
            or default_operator()
        )
    except BaseException:
        db.close()
        raise
    return Session(db, op)


def needs_setup(path: Path | str) -> bool:
    """True when the database does not exist yet or has no reporting unit.

    Raises:
        StorageError: the file is locked, damaged, or newer than the program.
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return True
    db = open_ledger(path)
    try:
        return ledger.get_unit(db.conn) is None
    finally:
        db.close()


def parse_area_spec(spec: str) -> tuple[str | None, str]:
    """``[CODE:]NAME`` of ``init --area``."""
    code, sep, name = spec.partition(":")
    if not sep:
        code, name = "", spec
    code, name = code.strip(), name.strip()
    if not name:
        raise SetupError(f"地区“{spec}”缺少名称，应写成 [代码:]名称")
    if code and not (code.isdigit() and 6 <= len(code) <= 12):
        raise SetupError(f"地区“{spec}”的代码应为6–12位数字")
    return (code or None), name


def init_database(
    path: Path | str,
    *,
    unit_code: str,
    unit_name: str,
    level: Level,
    areas: Sequence[tuple[str | None, str]] | None = None,
    operator: str | None = None,
) -> Session:
    """Create the database of a reporting unit.

    Without ``areas`` a known Henan city gets its county-level units, the
    province (410000) its cities and directly administered counties (domain.md §2).
    """
    if not (unit_code.isdigit() and len(unit_code) == 6):
        raise SetupError(f"单位代码“{unit_code}”应为6位数字（GB/T 2260）")
    if not unit_name.strip():
        raise SetupError("单位名称不能为空")
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        db = open_ledger(path)
        try:
            if ledger.get_unit(db.conn) is not None:
                raise SetupError(f"数据库 {path} 已经建立过填报单位，不能重复初始化")
        finally:
            db.close()
    if areas is None:
        areas = divisions.default_areas(unit_code) if level != Level.COUNTY else []
    names = [n for _, n in areas]
    codes = [c for c, _ in areas if c]
    if len(set(names)) != len(names) or len(set(codes)) != len(codes):
        raise SetupError("地区名称或代码有重复")
    if unit_code in codes:
        raise SetupError(f"地区代码{unit_code}与本单位相同（本级已自动包含）")
    from .signing import make_own_key

    db = open_ledger(path, create=True)
    op = operator or default_operator()
    try:
        with db.transaction() as tx:
            ledger.create_unit(tx, Unit(unit_code, unit_name.strip(), level), list(areas))
            ledger.set_setting(tx, OPERATOR_SETTING, op)
            make_own_key(tx, unit_code, op)  # the unit's signing key (annex1.md)
    except BaseException:
        db.close()
        raise
    return Session(db, op)

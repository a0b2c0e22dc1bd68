"""The city's merge of its subordinate units' packages (annex1.md), all or nothing.

``merge_packages`` takes the files of one merge in ONE transaction: each is
opened (decrypted when it has a password), its rows read and judged as its unit
judges them (its digest and signature checked: ``package.judge_package``),
checked against this unit (the package's unit must be one of its subordinate
areas; an older week than the one merged is refused), and its rows are stored
as copies in ``records`` (``origin_unit`` = the unit's code, ``area_id`` =
this unit's row of that area, removals with their dates), so the weekly table
gives exactly the unit's numbers. Then its 附件1 is compared with the table of
the copies as stored, in the sender's own rows (账表一致, ``province.sent_table``):
what is checked is what was stored.

Replacement: one package per unit and year is active. A newer package of
the unit (a later week, or the same week exported later) carries the whole
year so far, so it replaces the active one: the copies the old one brought
are deleted (they are copies of the unit's own ledger, which the unit keeps;
the ``packages`` log and the file keep the history; the tally triggers keep
the weekly table right) and the new rows inserted. A package identical to
the active one changes nothing.

One bad file refuses the whole merge and the database stays as it was; a dry
run does the same work and rolls it back, so its preview is exactly what a
merge would do. A merge is preceded by a backup (``Session.backup("merge")``).
Failures of the files are remembered in memory for the completeness view
(``completeness.remember``) of this process, never in the database.

Speed: reading, hashing and judging the rows of a large merge runs in two
worker processes started with ``spawn`` (``merge_pool.PackageReader``), and the
writes run with a larger page cache (``Database.bulk_cache``); as everywhere with
``multiprocessing``, a script that merges must guard its entry point with
``if __name__ == "__main__":`` (``main.py`` does, and calls ``freeze_support``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import signing
from .completeness import Failure, remember
from .domain import Area, Level, Week
from .merge_copies import city_rows, copy_targets
from .merge_duplicates import CrossDuplicate, cross_area_duplicates
from .merge_pool import Judge, PackageReader, password_for
from .package import (
    JudgedPackage,
    KeyChanged,
    Package,
    PackageError,
    PackageHead,
    judge_package,
    open_package,
)
from .package.progress_sheet import ReportedProgress
from .package.verify import compare_annex
from .province import sent_table
from .service import Session
from .storage import dismissals_sql, ledger, packages_sql, province_sql
from .storage.db import now_text
from .weekly import area_cells

Progress = Callable[[int, int], None]


ACTION_NAMES = {"new": "新增", "replace": "替换", "unchanged": "未变化"}


class MergeRefused(Exception):
    """The merge was refused as a whole; nothing changed. ``failures`` says which file and why."""

    def __init__(self, message: str, failures: Sequence[Failure] = ()) -> None:
        super().__init__(message)
        self.failures = list(failures)


@dataclass(frozen=True, slots=True)
class PackagePlan:
    """What merging one package does (or did) to the ledger."""

    file: str
    unit_code: str
    unit_name: str
    area: str  # this unit's row of that area
    week: Week
    written_at: str
    action: str  # new | replace | unchanged
    rows_add: int
    rows_replace: int
    replaces: str | None  # label of the week of the package replaced
    before: tuple[int, ...]  # the area's 12 cells in the package's week, before
    after: tuple[int, ...]  # … and after
    local_rows: int = 0  # records of this area not from packages (typed or imported here)
    fingerprint: str = ""  # of the key that signed the package
    key_status: str = "pinned"  # pinned: the unit's known key | new: pinned by this merge
    progress: ReportedProgress | None = None  # what the package's 进度 sheet says

    @property
    def action_name(self) -> str:
        return ACTION_NAMES[self.action]

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "unit": {"code": self.unit_code, "name": self.unit_name},
            "area": self.area,
            "week": {
                "key": self.week.key,
                "label": self.week.label,
                "start": self.week.start.isoformat(),
                "end": self.week.end.isoformat(),
            },
            "written_at": self.written_at,
            "action": self.action,
            "rows_add": self.rows_add,
            "rows_replace": self.rows_replace,
            "replaces": self.replaces,
            "before": list(self.before),
            "after": list(self.after),
            "local_rows": self.local_rows,
            "fingerprint": self.fingerprint,
            "key_status": self.key_status,
            "progress": self.progress.as_json() if self.progress else None,
        }


@dataclass
class MergeResult:
    dry_run: bool
    packages: list[PackagePlan] = field(default_factory=list)
    duplicates: list[CrossDuplicate] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(p.action != "unchanged" for p in self.packages)

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "committed": not self.dry_run and self.changed,
            "packages": [p.as_json() for p in self.packages],
            "cross_area_duplicates": [d.as_json() for d in self.duplicates],
        }


# --- The merge -------------------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def merge_packages(
    session: Session,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    password: str | None = None,
    passwords: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> MergeResult:
    """Merge packages of subordinate units into this unit's ledger, all or nothing.

    Args:
        session: this (city) unit's ledger.
        paths: the package files.
        dry_run: do everything, report it, change nothing.
        password: the password of every encrypted file (unless in ``passwords``).
        passwords: passwords by path (as given, resolved, or file name).
        progress: ``progress(done, total)`` in files.
        cancelled: when it turns True the merge stops and nothing is stored.

    Returns:
        What each package does (did), and the duplicates across areas after the merge.

    Raises:
        MergeRefused: a file failed (every failure is listed) or the unit cannot merge;
            the database is unchanged.
    """
    unit = session.unit
    if unit.level == Level.COUNTY:
        raise MergeRefused(f"{unit.name}是县级单位，不能合并上报文件（合并由市级单位进行）")
    if not paths:
        raise MergeRefused("没有选择要合并的上报文件")
    files = [Path(p) for p in paths]
    secrets = [password_for(p, password, passwords) for p in files]
    result = MergeResult(dry_run)
    try:
        with PackageReader(files, secrets) as reader:
            opened, failures = reader.open_all(progress)
            # A later week (or the same week written later) replaces an earlier one of the unit.
            opened.sort(key=lambda item: (item[0].head.week.end, item[0].head.written_at))
            if not dry_run and not failures:
                session.backup("merge")  # a copy beside the database before it changes
            with session.db.bulk_cache(), session.db.transaction() as tx:
                # More rows coming than the ledger holds: the indexes the merge does not
                # read are built once at the end instead of grown row by row.
                incoming = sum(pkg.head.row_count for pkg, _ in opened)
                rebuild = (
                    packages_sql.drop_indexes(tx, packages_sql.MERGE_READS, ("records",))
                    if incoming > ledger.last_record_id(tx)
                    else []
                )
                judges = reader.judges(opened, cancelled)
                try:
                    for i, ((pkg, _secret), judged) in enumerate(zip(opened, judges, strict=True)):
                        if cancelled and cancelled():
                            raise MergeRefused("合并已取消，数据库未做任何改动")
                        try:
                            plan = _merge_one(session, pkg, judged)
                        except PackageError as exc:
                            failures.append(_failure(pkg, exc))
                        else:
                            result.packages.append(plan)
                        if progress:
                            progress(len(paths) + i + 1, len(paths) * 2)
                finally:
                    judges.close()
                if failures:
                    raise MergeRefused(_refusal_text(failures), failures)
                packages_sql.create_indexes(tx, rebuild)
                result.duplicates = cross_area_duplicates(session)
                if dry_run:
                    raise _DryRun
    except _DryRun:
        pass
    except MergeRefused as exc:
        remember(session, exc.failures)
        raise
    return result


def _failure(pkg: Package, exc: PackageError) -> Failure:
    h = pkg.head
    return Failure(
        pkg.name,
        str(exc),
        now_text(),
        h.unit.code,
        h.unit.name,
        h.week,
        exc if isinstance(exc, KeyChanged) else None,
    )


def _refusal_text(failures: Sequence[Failure]) -> str:
    lines = [f"合并未进行，数据库未做任何改动。{len(failures)}个文件未通过检查："]
    lines += [f"- {f.message}" for f in failures]
    return "\n".join(lines)


def _merge_one(session: Session, pkg: Package, judged: Judge) -> PackagePlan:
    """Check one package against this unit, verify it and store its rows.

    The checks against this unit come first (they need only the 说明); then
    the judged rows and 账表一致. The caller holds the transaction.
    """
    conn = session.db.conn
    head = pkg.head
    unit = session.unit
    areas = {a.code: (i, a) for i, a in ledger.list_areas(conn) if a.code and not a.is_self}
    if head.unit.code not in areas:
        raise PackageError(
            f"文件“{pkg.name}”的填报单位{head.unit.name}（{head.unit.code}）"
            f"不是{unit.name}的下属地区，不能合并"
        )
    area_id, area = areas[head.unit.code]
    earlier = packages_sql.import_by_hash(conn, head.sha256)
    active = packages_sql.active_package(conn, head.unit.code, head.week.year)
    plan_head = _PlanHead(pkg.name, head, area.name)
    if active is not None and active.sha256 == head.sha256:
        cells = area_cells(session, head.week, area_id)
        return plan_head.plan("unchanged", 0, 0, None, cells, cells, 0)
    plan_head.key_status = _check_key(session, pkg)
    if earlier is not None:
        when, kind = earlier[1], earlier[2]
        if kind == "merge":
            raise PackageError(
                f"文件“{pkg.name}”已于{when}合并过，后来已被{head.unit.name}更新的文件替换，不能再合并"
            )
        raise PackageError(
            f"文件“{pkg.name}”的内容已于{when}作为台账导入本单位（文件名：{earlier[0]}），"
            "再合并会重复计数"
        )
    if active is not None and (active.week_end, active.written_at) > (
        head.week.end.isoformat(),
        head.written_at,
    ):
        same = active.week_key == head.week.key
        raise PackageError(
            f"{head.unit.name}已合并{active.week_label}的上报文件（{active.file_name}，"
            f"导出于{active.written_at}），文件“{pkg.name}”是"
            + (
                f"同一周次中更早导出的文件（{head.written_at}）"
                if same
                else f"更早的{head.week.label}"
            )
            + "，不能用它替换"
        )
    rows = judged()
    before = area_cells(session, head.week, area_id)
    # A package whose 附件1 does not hold refuses the whole merge (the transaction is rolled
    # back); the files after it are still checked, to list every failure at once.
    n, replaced = _store(session, pkg, rows, active, (area_id, area), areas)
    after = area_cells(session, head.week, area_id)
    local = packages_sql.local_records_in_area(conn, area_id)
    action = "replace" if active is not None else "new"
    return plan_head.plan(
        action, n, replaced, active.week_label if active else None, before, after, local
    )


def _store(
    session: Session,
    pkg: Package,
    rows: JudgedPackage,
    active: packages_sql.PackageRow | None,
    own: tuple[int, Area],
    areas: Mapping[str, tuple[int, Area]],
) -> tuple[int, int]:
    """Store a judged package's rows as copies (replacing the active package of its unit),
    then check its 附件1 against what was stored (账表一致). Returns (rows stored, rows
    of the replaced package deleted).

    Raises:
        PackageError: 账表不一致.
    """
    conn = session.db.conn
    head = pkg.head
    area_id, area = own
    replaced = 0
    if active is not None:
        replaced = packages_sql.delete_package_records(conn, active.id)
        packages_sql.mark_superseded(conn, active.id)
    import_id = ledger.add_import(
        conn,
        file_name=pkg.name,
        sha256=head.sha256,
        sheet="实名台账",
        operator=session.operator,
        row_count=len(rows.rows),
        kind="merge",
    )
    package_id = packages_sql.add_package(
        conn,
        unit_code=head.unit.code,
        unit_name=head.unit.name,
        level=head.unit.level.value,
        year=head.week.year,
        week_key=head.week.key,
        week_label=head.week.label,
        week_start=head.week.start.isoformat(),
        week_end=head.week.end.isoformat(),
        written_at=head.written_at,
        app_version=head.app_version,
        file_name=pkg.name,
        sha256=head.sha256,
        digest=head.digest,
        fingerprint=head.fingerprint,
        operator=session.operator,
        row_count=len(rows.rows),
        import_id=import_id,
    )
    if active is not None:
        packages_sql.set_superseded_by(conn, active.id, package_id)
    sources = [(head.unit.code, head.self_name), *head.areas]
    province_sql.add_package_areas(conn, package_id, sources)
    targets = copy_targets(session, head, sources, areas, (area_id, area.name))
    runs: list[province_sql.Run] = []
    first_id = packages_sql.next_record_id(conn)
    n = packages_sql.store_rows(
        conn,
        city_rows(head, rows.rows, rows.area_ids, targets, first_id, runs),
        import_id=import_id,
        origin_unit=head.unit.code,
        package_id=package_id,
        operator=session.operator,
        removal_message=f"由{head.unit.name}剔除（上报文件）",
    )
    province_sql.add_runs(conn, package_id, runs)
    # 账表一致: the package's 附件1 against its copies as stored, in its own rows.
    compare_annex(head, rows.annex, sent_table(session, package_id, head.unit, head.week))
    # The warnings the unit checked (核实说明) stay checked here (domain.md §5.3).
    dismissals_sql.insert(
        conn,
        (
            (first_id + i, key, "", reason, operator, at, head.unit.code)
            for i, items in rows.checked.items()
            for key, reason, operator, at in items
        ),
    )
    # A unit that reports here itself (a directly administered county) now has its own
    # package: the copies of its records that its city's package brought stop counting.
    names = {p.unit_code: p.unit_name for p in packages_sql.list_packages(conn)}
    province_sql.uncount_copies_of_others(conn, area_id, head.unit.code, names)
    ledger.finish_import(conn, import_id, n, 0)
    return n, replaced


def offered_key(path: Path | str, password: str | None = None) -> signing.OfferedKey:
    """The key that signed a package, once its digest and signature are checked (what a
    person accepts after comparing the fingerprint by phone).

    Raises:
        PackageError: the file is not a package or was changed after it was signed.
    """
    judged = judge_package(open_package(path, password))
    head = judged.head
    return signing.OfferedKey(head.unit.code, head.unit.name, head.public_key, Path(path).name)


def accept_package_key(
    session: Session, path: Path | str, unit_code: str, password: str | None = None
) -> dict[str, Any]:
    """Accept the (new) key a subordinate unit's package is signed with: it replaces the
    pinned one and goes into the history (``signing.accept_key``).

    Raises:
        PackageError: the package does not verify.
        signing.SigningError: the package is of another unit, or not a subordinate one.
    """
    return signing.accept_key(session, offered_key(path, password), unit_code=unit_code)


def _check_key(session: Session, pkg: Package) -> str:
    """The package's key against the one pinned for its unit: the first package pins it
    (``new``; a dry run rolls that back), a known key passes (``pinned``), another key is
    refused (``KeyChanged``). The signature itself is checked with the rows (``judge``)."""
    head = pkg.head
    conn = session.db.conn
    pinned = signing.pinned(conn, head.unit.code)
    if pinned is None:
        signing.pin_first(
            conn, head.unit.code, head.public_key, source=pkg.name, operator=session.operator
        )
        return "new"
    if pinned[0] == head.public_key:
        return "pinned"
    raise KeyChanged(
        f"文件“{pkg.name}”的签名公钥（指纹 {head.fingerprint}）与{head.unit.name}此前登记的公钥"
        f"（指纹 {pinned[1]}）不同，已拒绝。请打电话向{head.unit.name}核对新公钥的指纹；"
        f"确认无误后，在合并界面接受新公钥，或运行 keys --accept {head.unit.code} “{pkg.name}”",
        pkg.path,
        head.unit.code,
        pinned[1],
        head.fingerprint,
    )


@dataclass(slots=True)
class _PlanHead:
    file: str
    head: PackageHead
    area: str
    key_status: str = "pinned"

    def plan(
        self,
        action: str,
        add: int,
        replace: int,
        replaces: str | None,
        before: tuple[int, ...],
        after: tuple[int, ...],
        local: int,
    ) -> PackagePlan:
        h = self.head
        return PackagePlan(
            self.file,
            h.unit.code,
            h.unit.name,
            self.area,
            h.week,
            h.written_at,
            action,
            add,
            replace,
            replaces,
            before,
            after,
            local,
            h.fingerprint,
            self.key_status,
            h.progress,
        )

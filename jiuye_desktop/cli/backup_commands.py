"""Command-line subcommands of backups: ``backup`` (make one, or ``--list``) and ``restore``
(removed records by ``--record``, or the whole database from a backup by ``--backup``).

:func:`register` adds them to the command line's subparsers and returns the
command functions by name, for ``cli.COMMANDS``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .args import Command, Refused, open_for, say
from .submit_commands import add_reason_option, reasons
from .usage import BOUNDS

RECORD_ID = BOUNDS["record"]


def register(
    sub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser
) -> dict[str, Command]:
    """Add ``restore`` and ``backup`` to the subparsers ``sub``; returns the commands by name."""
    s = sub.add_parser(
        "restore",
        parents=[common, as_json],
        help="恢复已剔除的记录（--record），或从备份恢复数据库（--backup）",
    )
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--record", type=RECORD_ID, action="append", help="记录编号（可重复）")
    g.add_argument("--backup", metavar="文件|latest", help="备份文件的路径，或最近一份完好的备份")
    s.add_argument(
        "--other-unit",
        action="store_true",
        help="确认用另一个单位（代码或级别不同）的备份替换当前数据库",
    )
    add_reason_option(s)

    s = sub.add_parser("backup", parents=[common, as_json], help="备份数据库，或列出备份")
    s.add_argument("--list", action="store_true", help="列出已有的备份")
    return {"restore": cmd_restore, "backup": cmd_backup}


def cmd_backup(args: argparse.Namespace) -> dict[str, Any]:
    from ..storage.backup import list_backups, make_backup, open_ledger

    if args.list:
        items = list_backups(args.db)
        if not args.json:
            for b in items:
                print(
                    f"{b.taken_at:%Y-%m-%d %H:%M:%S}  {b.reason_text:<4} {b.size / 1e6:8.1f} MB  {b.path}"
                )
        return {
            "backups": [
                {
                    "path": str(b.path),
                    "taken_at": b.taken_at.isoformat(sep=" "),
                    "reason": b.reason,
                    "size": b.size,
                }
                for b in items
            ]
        }
    db = open_ledger(args.db, check=True)
    try:
        path = make_backup(db, "manual")
    finally:
        db.close()
    say(f"已备份到 {path}")
    return {"backup": str(path)}


def cmd_restore(args: argparse.Namespace) -> dict[str, Any]:
    if args.backup:
        return _restore_database(args)
    from ..browse import fetch_rows
    from ..selfcheck import restore_many

    session = open_for(args)
    try:
        # All or nothing: an unknown record or one that was never removed refuses the lot.
        rows = fetch_rows(session, list(args.record))
        unknown = [r for r in args.record if r not in rows]
        if unknown:
            raise Refused("没有以下编号的记录：" + "、".join(map(str, unknown)) + "；未做任何恢复")
        kept = [r for r in args.record if not rows[r].removed]
        if kept:
            raise Refused(
                "以下记录没有被剔除，无需恢复：" + "、".join(map(str, kept)) + "；未做任何恢复"
            )
        with reasons():
            done = restore_many(session, args.record, args.reason)
    finally:
        session.close()
    say(f"已恢复 {len(done)} 条记录：" + "、".join(map(str, done)))
    return {"restored": done, "not_removed": []}


def _restore_database(args: argparse.Namespace) -> dict[str, Any]:
    from ..storage.backup import latest_good_backup, restore_backup

    if args.backup == "latest":
        info = latest_good_backup(args.db)
        if info is None:
            raise Refused(f"没有找到数据库 {args.db} 的完好备份")
        source = info.path
    else:
        source = Path(args.backup)
        if not source.is_file():
            raise Refused(f"备份文件 {source} 不存在或不是普通文件")
    safety = restore_backup(args.db, source, other_unit_ok=args.other_unit)
    say(
        f"已从 {source} 恢复数据库 {args.db}"
        + (f"；恢复前的数据库已另存为 {safety}" if safety else "")
    )
    return {
        "restored_from": str(source),
        "db": str(args.db),
        "previous_saved_as": str(safety) if safety else None,
    }

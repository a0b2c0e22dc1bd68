"""Command-line subcommands of the file that goes upward: ``export-package``, ``merge``, ``packages``.

:func:`register` adds them to the command line's subparsers and returns the
command functions by name, for ``cli.COMMANDS``. Each function returns a
JSON-able dict; a refusal raises ``cli.args.Refused`` with a
Chinese message.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .args import Command, add_week_options, date_arg, open_for, refuse, say, week_of


def register(
    sub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser
) -> dict[str, Command]:
    """Add ``export-package``, ``merge`` and ``packages`` to the subparsers ``sub``.

    Args:
        sub: the ``add_subparsers()`` object of the command line.
        common: the parent parser with ``--db`` and ``--operator``.
        as_json: the parent parser with ``--json``.

    Returns:
        The command functions by subcommand name.
    """
    s = sub.add_parser(
        "export-package",
        parents=[common, as_json],
        help="导出上报文件（附件1、实名台账、说明，一个xlsx）",
    )
    add_week_options(s)
    s.add_argument("--out", required=True, type=Path, help="输出文件（.xlsx）")
    s.add_argument("--password", help="设置打开密码（Excel、WPS可打开；密码不保存）")
    s.add_argument("--fill-date", type=date_arg, help="附件1的填表日期 YYYY-MM-DD（默认今天）")

    s = sub.add_parser(
        "merge",
        parents=[common, as_json],
        help="市级、省级：合并下属单位的上报文件（全部成功或全不合并）",
    )
    s.add_argument("files", nargs="+", type=Path, metavar="FILE", help="上报文件（.xlsx）")
    s.add_argument("--dry-run", action="store_true", help="只预览将发生的变化，不写入数据库")
    s.add_argument("--password", help="加密文件的密码")

    s = sub.add_parser(
        "packages", parents=[common, as_json], help="市级、省级：某周各下属地区上报文件是否到齐"
    )
    add_week_options(s)
    return {"export-package": cmd_export_package, "merge": cmd_merge, "packages": cmd_packages}


def cmd_export_package(args: argparse.Namespace) -> dict[str, Any]:
    """Write the package of a week (optionally password-protected)."""
    from ..exports.atomic import ExportError
    from ..package import export_package

    week = week_of(args)
    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        refuse(f"输出文件“{out}”应以 .xlsx 结尾")
    session = open_for(args)
    try:
        result = export_package(
            session, week, out, password=args.password or None, fill_date=args.fill_date
        )
    except ExportError as exc:
        refuse(str(exc))
    finally:
        session.close()
    say(
        f"已导出{result.unit.name}{week.label}的上报文件：{result.path}"
        f"（实名台账 {result.rows} 行，其中已剔除 {result.removed} 行"
        + ("，已设密码" if result.encrypted else "")
        + "）"
    )
    return result.as_json()


def cmd_merge(args: argparse.Namespace) -> dict[str, Any]:
    """Merge packages of subordinate units (or, with ``--dry-run``, show what it would do)."""
    from ..merge import MergeRefused, merge_packages

    session = open_for(args)
    try:
        result = merge_packages(
            session, args.files, dry_run=args.dry_run, password=args.password or None
        )
    except MergeRefused as exc:
        refuse(str(exc))
    finally:
        session.close()
    if not args.json:
        print(
            ("预览（未写入数据库）：" if args.dry_run else "合并结果：")
            + f"{len(result.packages)}个文件"
        )
        for p in result.packages:
            print(
                f"  {p.file}：{p.unit_name}（{p.unit_code}）{p.week.label}，{p.action_name}；"
                f"新增 {p.rows_add} 行，替换 {p.rows_replace} 行；"
                f"{p.area}本年累计城镇新增就业 {p.before[1]} → {p.after[1]}"
                + (f"；注意：本单位另有 {p.local_rows} 条该地区的记录" if p.local_rows else "")
            )
            if p.fingerprint:
                print(
                    f"    签名公钥指纹：{p.fingerprint}"
                    + (
                        "（首次收到该单位的文件，合并后登记此公钥；请打电话与对方核对指纹）"
                        if p.key_status == "new"
                        else "（与已登记的公钥一致）"
                    )
                )
        if result.duplicates:
            print(f"跨地区重复 {len(result.duplicates)} 人：")
            for d in result.duplicates:
                print(f"  {d.message}")
    changed = sum(1 for p in result.packages if p.action != "unchanged")
    same = len(result.packages) - changed
    verb = "预览完成，数据库未改动；将合并" if args.dry_run else "已合并"
    say(
        f"{verb} {changed} 个上报文件"
        + (f"（另有 {same} 个与已合并的相同，未变化）" if same else "")
        + f"，跨地区重复 {len(result.duplicates)} 人"
    )
    return result.as_json()


def cmd_packages(args: argparse.Namespace) -> dict[str, Any]:
    """For each subordinate area: is its package for the week here (delivered, late, missing)?"""
    from ..completeness import completeness

    week = week_of(args)
    session = open_for(args)
    try:
        statuses = completeness(session, week)
    finally:
        session.close()
    if not args.json:
        print(f"{week.label}（{week.start.isoformat()} 至 {week.end.isoformat()}）上报情况：")
        for s in statuses:
            detail = f"{s.package_week}，{s.received_at}，{s.file_name}" if s.file_name else ""
            print(f"  {s.name}：{s.status_name}" + (f"（{detail}）" if detail else ""))
    return {
        "week": {
            "key": week.key,
            "label": week.label,
            "start": week.start.isoformat(),
            "end": week.end.isoformat(),
        },
        "areas": [s.as_json() for s in statuses],
    }

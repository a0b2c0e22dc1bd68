"""The command line of cli.md: the same core as the window, scriptable.

Exit status: 0 done, 1 the input was refused (a Chinese message on stderr and
nothing changed), 2 wrong usage. With ``--json`` exactly one JSON document is
printed on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..domain import Level
from ..storage.db import StorageError
from .args import Refused, add_week_options, date_arg, open_for, say, week_of
from .submit_commands import add_reason_option, reasons
from .submit_commands import register as register_submitted
from .usage import BOUNDS, Parser, UsageError, bounded_int, localise, program_name

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

YEARS, RECORD_ID = BOUNDS["year"], BOUNDS["record"]


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("jiuye-desktop", appauthor=False)) / "ledger.sqlite"


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--db", type=Path, help="数据库文件（默认：本用户的数据文件夹）")
    common.add_argument("--operator", help="操作员姓名（记入修改历史）")
    as_json = Parser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="输出一个JSON文档")

    p = Parser(
        prog=program_name(),
        description="就业实名台账：城镇新增就业人员实名登记台账与周调度表。不带参数运行则打开窗口。",
        epilog="每个命令的用法：在命令后加 -h，例如 weekly -h。退出状态：0 完成，1 被拒绝（未做改动），2 用法错误。",
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"就业实名台账 {__version__}",
        help="显示版本号并退出",
    )
    sub = p.add_subparsers(
        dest="command", required=True, parser_class=Parser, title="命令", metavar="命令"
    )

    s = sub.add_parser("init", parents=[common, as_json], help="建立本单位的台账数据库")
    s.add_argument("--unit-code", required=True, help="本单位的行政区划代码（6位数字，如 411000）")
    s.add_argument("--unit-name", required=True, help="本单位名称（如 许昌市）")
    s.add_argument(
        "--level",
        choices=[lv.value for lv in Level],
        help="级别：县级、市级或省级（省级410000默认含17个省辖市、济源和10个省直管县）；"
        "省略时按代码表推断",
    )
    s.add_argument(
        "--unknown-code",
        action="store_true",
        help="确认单位代码不在本程序附带的行政区划代码表中仍然使用",
    )
    s.add_argument(
        "--area",
        action="append",
        metavar="[代码:]名称",
        help="下属地区（可重复），如 411002:魏都区 或 城关镇；给出后代替默认的地区",
    )

    s = sub.add_parser("demo", parents=[common, as_json], help="生成演示数据")
    s.add_argument(
        "--records",
        type=bounded_int(0, 10_000_000, "记录条数"),
        default=5000,
        help="生成的记录条数（默认 5000）",
    )
    s.add_argument("--year", type=YEARS, default=2017, help="年度（默认 2017）")
    s.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的数据（默认 1）")
    s.add_argument("--unit-code", default="411000", help="新建数据库时的单位代码（默认 411000）")
    s.add_argument("--unit-name", default="许昌市", help="新建数据库时的单位名称（默认 许昌市）")
    s.add_argument(
        "--level",
        default="city",
        choices=[Level.COUNTY.value, Level.CITY.value],
        help="新建数据库时的级别：县级或市级（默认 市级）",
    )

    s = sub.add_parser("import", parents=[common, as_json], help="导入台账Excel文件")
    s.add_argument("file", type=Path, help="台账文件（.xlsx），表头按名称识别，顺序不限")
    add_reason_option(s)

    sub.add_parser("check", parents=[common, as_json], help="自查：重复、无效、不完整")

    s = sub.add_parser("remove", parents=[common, as_json], help="剔除自查发现的记录")
    s.add_argument(
        "--kind",
        required=True,
        choices=["duplicate", "invalid", "incomplete", "all"],
        help="剔除哪一类：重复、无效、不完整或全部（依次对应）",
    )
    s.add_argument("--date", required=True, type=date_arg, help="剔除日期")
    s.add_argument("--note", default="", help="说明（记入每条记录的剔除原因）")
    add_reason_option(s)

    from .backup_commands import register as register_backup

    COMMANDS.update(register_backup(sub, common, as_json))

    s = sub.add_parser("weekly", parents=[common, as_json], help="周调度表（附件1）")
    add_week_options(s)
    s.add_argument(
        "--area",
        help="按该下属地区（如省级的某市）上报文件中的地区分行查看（地区代码）",
    )

    s = sub.add_parser("history", parents=[common, as_json], help="一条记录的修改历史")
    s.add_argument("--record", required=True, type=RECORD_ID, help="记录编号")

    from .export_commands import register as register_exports

    COMMANDS.update(register_exports(sub, common, as_json))

    from .merge_commands import register as register_merge

    COMMANDS.update(register_merge(sub, common, as_json))

    from .progress_commands import register as register_progress

    COMMANDS.update(register_progress(sub, common, as_json))

    COMMANDS.update(register_submitted(sub, common, as_json))

    from .keys_commands import register as register_keys

    COMMANDS.update(register_keys(sub, common, as_json))

    from .sample_commands import register as register_sample

    COMMANDS.update(register_sample(sub, common, as_json))

    from .truth_commands import register as register_truth

    COMMANDS.update(register_truth(sub, common, as_json))
    localise(p)
    return p


# --- commands -----------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> dict[str, Any]:
    from ..service import init_database, parse_area_spec
    from ..unit_identity import check_new_unit

    areas = [parse_area_spec(a) for a in args.area] if args.area else None
    code, name, level = check_new_unit(
        args.unit_code,
        args.unit_name,
        Level(args.level) if args.level else None,
        unknown_code=args.unknown_code,
    )
    session = init_database(
        args.db,
        unit_code=code,
        unit_name=name,
        level=level,
        areas=areas,
        operator=args.operator,
    )
    try:
        unit = session.unit
        listed = [{"code": a.code, "name": a.name} for a in session.areas()]
    finally:
        session.close()
    say(f"已建立 {unit.name}（{unit.code}）的台账：{args.db}，共 {len(listed)} 个地区行")
    return {
        "db": str(args.db),
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level.value},
        "areas": listed,
    }


def cmd_demo(args: argparse.Namespace) -> dict[str, Any]:
    from ..demo_loader import load_demo
    from ..service import init_database, open_session

    if args.records < 0:
        raise Refused("--records 不能为负数")
    t0 = time.perf_counter()
    if not Path(args.db).exists() or Path(args.db).stat().st_size == 0:
        session = init_database(
            args.db,
            unit_code=args.unit_code,
            unit_name=args.unit_name,
            level=Level(args.level),
            operator=args.operator,
        )
    else:
        session = open_session(args.db, operator=args.operator)
    try:
        n = load_demo(session, args.records, year=args.year, seed=args.seed)
    finally:
        session.close()
    seconds = time.perf_counter() - t0
    say(f"已生成 {n} 条演示记录（{args.year}年，种子 {args.seed}），用时 {seconds:.1f} 秒")
    return {
        "db": str(args.db),
        "records": n,
        "year": args.year,
        "seed": args.seed,
        "seconds": round(seconds, 2),
    }


def cmd_import(args: argparse.Namespace) -> dict[str, Any]:
    from ..importer import ImportRefused, import_workbook

    session = open_for(args)
    try:
        with reasons():
            result = import_workbook(session, args.file, reason=args.reason)
    except ImportRefused as exc:
        raise Refused(str(exc)) from exc
    finally:
        session.close()
    say(
        f"已从“{result.file}”的工作表“{result.sheet}”导入 {result.imported} 条记录"
        + (f"，{len(result.rejected)} 行未导入（空行）" if result.rejected else "")
    )
    return result.as_json()


def cmd_check(args: argparse.Namespace) -> dict[str, Any]:
    from ..domain import FINDING_KIND_NAMES, FindingKind
    from ..selfcheck import run_check

    session = open_for(args)
    try:
        result = run_check(session)
    finally:
        session.close()
    if not args.json:
        summary = result.summary
        print(
            "自查结果："
            + "，".join(f"{FINDING_KIND_NAMES[FindingKind(k)]} {v} 条" for k, v in summary.items())
        )
        for f in result.findings:
            where = f"第{f.source_row}行" if f.source_row else f"记录#{f.record}"
            print(
                f"[{FINDING_KIND_NAMES[FindingKind(f.kind)]}] {where} {f.name} {f.area} "
                f"{f.field}：{f.message}"
            )
    return result.as_json()


def cmd_remove(args: argparse.Namespace) -> dict[str, Any]:
    from ..selfcheck import remove_flagged

    session = open_for(args)
    try:
        with reasons():
            result = remove_flagged(session, args.kind, args.date, args.note, reason=args.reason)
    finally:
        session.close()
    from ..domain import FINDING_KIND_NAMES, FindingKind

    say(
        f"已于 {result.date} 剔除 {sum(result.removed.values())} 条记录："
        + "，".join(
            f"{FINDING_KIND_NAMES[FindingKind(k)]} {v} 条" for k, v in result.removed.items()
        )
    )
    return result.as_json()


def cmd_weekly(args: argparse.Namespace) -> dict[str, Any]:
    from ..submitted import adjustments_text, listed
    from ..weekly import compute, table_json, table_text

    week = week_of(args)
    session = open_for(args)
    try:
        if args.area:  # the drill-down: that area by its own areas (no submission state)
            from ..province import BreakdownError, area_breakdown

            try:
                table = area_breakdown(session, week, args.area.strip())
            except BreakdownError as exc:
                raise Refused(str(exc)) from exc
            if not args.json:
                print(table_text(table))
            return table_json(table)
        table = compute(session, week)
        adjusted = listed(session, week)
    finally:
        session.close()
    if not args.json:
        print(table_text(table))
        print("本周已标记为已上报" if adjusted.submitted else "本周尚未标记为已上报")
        for line in adjustments_text(adjusted):
            print(line)
    out = table_json(table)
    out["submitted"] = adjusted.submitted
    out["adjustments"] = [a.as_json() for a in adjusted.items]
    return out


def cmd_history(args: argparse.Namespace) -> dict[str, Any]:
    from ..storage import ledger

    session = open_for(args)
    try:
        items = ledger.record_history(session.db.conn, args.record)
    finally:
        session.close()
    if not items:
        raise Refused(f"没有编号为 {args.record} 的记录")
    if not args.json:
        from ..browse import history

        session = open_for(args)
        try:
            entries = history(session, args.record)
        finally:
            session.close()
        for e in entries:
            print(f"{e.at} {e.operator} {e.action} {e.field} {e.old} → {e.new}".replace("  ", " "))
    return {"record": args.record, "history": items}


COMMANDS = {
    "init": cmd_init,
    "demo": cmd_demo,
    "import": cmd_import,
    "check": cmd_check,
    "remove": cmd_remove,
    "weekly": cmd_weekly,
    "history": cmd_history,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status (0 done, 1 refused, 2 wrong usage).

    With ``--json`` stdout holds exactly one JSON document, also when the command
    is refused or used wrongly: ``{"error": "…", "exit": N}``.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in words
    parser = build_parser()
    try:
        args = parser.parse_args(words)
    except UsageError as exc:
        sys.stderr.write(exc.usage)
        return _fail(f"{exc.prog}：参数错误：{exc}", EXIT_USAGE, as_json)
    if args.db is None:
        args.db = default_db_path()
    try:
        result = COMMANDS[args.command](args)
    except BrokenPipeError:  # output piped into a program that stopped reading
        sys.stderr.close()
        return EXIT_OK
    except UsageError as exc:  # a value only a command can judge (a week that does not exist)
        return _fail(f"参数错误：{exc}", EXIT_USAGE, as_json)
    except (Refused, StorageError) as exc:
        return _fail(f"错误：{exc}", EXIT_REFUSED, as_json)
    except KeyboardInterrupt:
        return _fail("已中断，数据库未做改动", EXIT_REFUSED, as_json)
    except Exception as exc:
        from ..service import SetupError

        if isinstance(exc, SetupError):
            return _fail(f"错误：{exc}", EXIT_REFUSED, as_json)
        raise
    if args.json:
        return _print_json(result)
    return EXIT_OK


def _fail(message: str, status: int, as_json: bool) -> int:
    """The message on stderr and, with ``--json``, the error document on stdout."""
    say(message)
    if as_json:
        _print_json({"error": message, "exit": status})
    return status


def _print_json(document: dict[str, Any]) -> int:
    try:
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

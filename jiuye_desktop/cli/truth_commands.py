"""Command-line subcommands of issue 12 (truth): ``dismiss`` and ``unit``.

:func:`register` adds them to the command line's subparsers and returns the
command functions by name, for ``cli.COMMANDS``. A refusal raises
``cli_args.Refused`` with a Chinese message (exit 1, nothing changed).
"""

from __future__ import annotations

import argparse
from typing import Any

from .args import Command, open_for, refuse, say


def register(
    sub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser
) -> dict[str, Command]:
    """Add ``dismiss`` and ``unit`` to the subparsers ``sub``."""
    s = sub.add_parser(
        "dismiss",
        parents=[common, as_json],
        help="把一条警告或可能重复标记为已核实（重复、无效、不完整不能核实）",
    )
    s.add_argument("--record", required=True, type=int, metavar="编号", help="记录编号")
    s.add_argument(
        "--finding",
        required=True,
        metavar="问题",
        help="要核实的问题：自查结果中该警告的规则名（如 灵活就业登记过早、同名同生日:身份证号），"
        "或“警告”（该记录全部未核实的警告）",
    )
    s.add_argument(
        "--reason",
        required=True,
        metavar="理由",
        help="核实理由（必填，记入修改历史并随上报文件报送）",
    )

    s = sub.add_parser(
        "unit",
        parents=[common, as_json],
        help="查看本单位的代码、名称、级别及其修改记录；或修改它们（须填原因）",
    )
    s.add_argument("--code", metavar="代码", help="新的单位代码（6位数字）")
    s.add_argument("--name", metavar="名称", help="新的单位名称")
    s.add_argument(
        "--level", choices=["county", "city", "province"], help="新的级别：县级、市级或省级"
    )
    s.add_argument(
        "--unknown-code",
        action="store_true",
        help="确认新代码不在本程序附带的行政区划代码表中仍然使用",
    )
    s.add_argument("--reason", metavar="原因", help="修改原因（修改时必填，记入单位修改记录）")
    return {"dismiss": cmd_dismiss, "unit": cmd_unit}


def cmd_dismiss(args: argparse.Namespace) -> dict[str, Any]:
    """Mark open warnings of a record as checked (domain.md §5.3)."""
    from ..dismissals import DismissError, dismiss

    session = open_for(args)
    try:
        done = dismiss(session, args.record, args.finding, args.reason)
    except DismissError as exc:
        refuse(str(exc))
    finally:
        session.close()
    for d in done:
        say(f"记录 #{d.record_id} 的“{d.key}”已标记为已核实：{d.message}")
    return {"record": args.record, "dismissed": [d.as_json() for d in done]}


def cmd_unit(args: argparse.Namespace) -> dict[str, Any]:
    """Show the unit's identity and its changes, or change it (guarded: a reason, a record)."""
    from ..domain import Level
    from ..service import SetupError
    from ..unit_identity import SENT_NOTE, change_identity, describe, history

    session = open_for(args)
    try:
        changes = []
        if args.code is not None or args.name is not None or args.level is not None:
            if not (args.reason or "").strip():
                refuse("修改本单位的代码、名称或级别须用 --reason 填写原因；未做任何修改")
            try:
                changes = change_identity(
                    session,
                    code=args.code,
                    name=args.name,
                    level=Level(args.level) if args.level else None,
                    reason=args.reason,
                    unknown_code=args.unknown_code,
                )
            except SetupError as exc:
                refuse(str(exc))
            if changes:
                for c in changes:
                    say("已修改" + describe(c))
                say(SENT_NOTE)
            else:
                say("与现在的单位信息相同，未做修改")
        unit = session.unit
        past = history(session)
    finally:
        session.close()
    return {
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level.value},
        "changed": [c.as_json() for c in changes],
        "history": past,
    }

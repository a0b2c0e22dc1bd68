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
    return {"dismiss": cmd_dismiss}


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

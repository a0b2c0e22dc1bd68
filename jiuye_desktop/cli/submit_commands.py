"""Command-line subcommands of submitted weeks (domain.md §9): ``submit`` and ``edit``.

:func:`register` adds them to the command line's subparsers and returns the
command functions by name, for ``cli.COMMANDS``. :func:`reasons` turns the
core's ``ReasonRequired`` into a refusal (exit 1) for ``remove``, ``restore``
and ``import`` as well.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .args import Command, Refused, add_week_options, open_for, say, week_of

REASON_HELP = "调整原因：修改、剔除、恢复或新增已上报周内的记录时必须填写"


@contextmanager
def reasons() -> Iterator[None]:
    """A change to a submitted week without ``--reason`` is refused (exit 1, nothing changed)."""
    from ..adjustments import ReasonRequired

    try:
        yield
    except ReasonRequired as exc:
        raise Refused(f"{exc}。请用 --reason 写明调整原因") from exc


def add_reason_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reason", help=REASON_HELP)


def register(
    sub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser
) -> dict[str, Command]:
    """Add ``submit`` and ``edit`` to the subparsers ``sub``; returns the commands by name."""
    s = sub.add_parser(
        "submit",
        parents=[common, as_json],
        help="将某周的周报表标记为已上报；此后修改其覆盖的记录须说明调整原因",
    )
    add_week_options(s)

    s = sub.add_parser(
        "edit", parents=[common, as_json], help="修改一条记录的字段（与录入界面相同的规则）"
    )
    s.add_argument("--record", required=True, type=int, help="记录编号")
    s.add_argument(
        "--set",
        required=True,
        action="append",
        metavar="字段=值",
        help="要修改的字段及新值，字段用台账表头（可重复），例如 --set 失业人员再就业=是",
    )
    add_reason_option(s)
    return {"submit": cmd_submit, "edit": cmd_edit}


def cmd_submit(args: argparse.Namespace) -> dict[str, Any]:
    from ..submitted import adjustments_text, submit

    week = week_of(args)
    session = open_for(args)
    try:
        result = submit(session, week)
    finally:
        session.close()
    carried = result.adjustments
    say(
        f"已将 {week.label}（{week.start.isoformat()} 至 {week.end.isoformat()}）的周报表"
        f"标记为已上报（{result.submitted_at}）"
        + (f"，随附调整 {len(carried.items)} 条" if carried.items else "")
    )
    if not args.json:
        for line in adjustments_text(carried):
            print(line)
    return result.as_json()


def cmd_edit(args: argparse.Namespace) -> dict[str, Any]:
    from ..domain import FINDING_KIND_NAMES
    from ..record_edit import EditRefused, edit_fields

    session = open_for(args)
    try:
        with reasons():
            result = edit_fields(session, args.record, args.set, args.reason)
    except EditRefused as exc:
        raise Refused(str(exc)) from exc
    finally:
        session.close()
    if result.changed:
        say(
            f"已修改记录 #{args.record}："
            + "；".join(f"{h} {o or '空'}→{n or '空'}" for h, o, n in result.changed)
        )
    else:
        say(f"记录 #{args.record} 没有变化")
    if result.findings and not args.json:
        for f in result.findings:
            print(f"[{FINDING_KIND_NAMES[f.kind]}] {f.field}：{f.message}")
    return result.as_json()

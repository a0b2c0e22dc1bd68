"""Command-line subcommands of the targets and the progress: ``targets set|import|list``, ``progress``.

:func:`register` adds them to the command line's subparsers and returns the
command functions by name, for ``cli.COMMANDS``. Each function returns a
JSON-able dict; a refusal raises ``cli.args.Refused`` with a Chinese message.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .args import Command, Refused, add_week_options, open_for, refuse, say, week_of

_SET, _IMPORT, _LIST, _TEMPLATE = "set", "import", "list", "template"


def _target_value(text: str) -> str:
    """argparse type of ``--value``: a whole number of people ≥ 0, or empty (cancel).

    Anything else is wrong usage (exit 2), refused before the ledger is opened.
    """
    value = text.strip()
    if value == "":
        return ""
    if not value.isdigit() or not value.isascii():
        raise argparse.ArgumentTypeError(f"目标“{text}”应为不小于0的整数人数（空字符串表示取消）")
    if int(value) > 10**9:
        raise argparse.ArgumentTypeError(f"目标 {value} 大得不合理（超过十亿人）")
    return value


_target_value.__name__ = "目标人数"


def register(
    sub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser
) -> dict[str, Command]:
    """Add ``targets`` and ``progress`` to the subparsers ``sub``; returns the commands by name."""
    t = sub.add_parser("targets", help="年度目标任务：设定、导入、列出（附件2）")
    actions = t.add_subparsers(
        dest="targets_action", required=True, metavar="{set,import,list,template}"
    )

    s = actions.add_parser(_SET, parents=[common, as_json], help="设定一项目标")
    s.add_argument("--year", required=True, type=int, help="年度，例如 2017")
    s.add_argument(
        "--indicator",
        help="指标名称（周报表中的名称，如 城镇新增就业人员）；用 --from-province 时默认为去产能职工安置人数",
    )
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--value", type=_target_value, help="目标人数（整数；空字符串表示取消该目标）")
    g.add_argument(
        "--from-province",
        action="store_true",
        help="按省厅附件2填入（去产能安置任务取2016年结转+2017年计划；省级还填全省目标）",
    )
    s.add_argument(
        "--area",
        help="地区代码（本级用本单位代码；无代码的地区用名称）；不给出则为本单位合计的目标",
    )

    s = actions.add_parser(
        _IMPORT, parents=[common, as_json], help="从Excel导入目标表（与目标任务界面同样的格式）"
    )
    s.add_argument("file", type=Path, help="目标表（.xlsx）：第一列“地区”，其余各列为指标名称")
    s.add_argument("--year", type=int, help="年度（默认取表格标题中的“某某年”）")

    s = actions.add_parser(_LIST, parents=[common, as_json], help="列出某年的目标")
    s.add_argument("--year", required=True, type=int, help="年度，例如 2017")

    s = actions.add_parser(
        _TEMPLATE, parents=[common, as_json], help="导出目标表（可填写后再导入）"
    )
    s.add_argument("--year", required=True, type=int, help="年度，例如 2017")
    s.add_argument("--out", required=True, type=Path, help="输出文件（.xlsx）")

    s = sub.add_parser(
        "progress", parents=[common, as_json], help="目标任务完成进度（是否全面完成）"
    )
    add_week_options(s)
    s.add_argument("--out", type=Path, help="同时输出一页进度PDF（表格与图表）")
    s.add_argument(
        "--chart-area",
        help="PDF图表所画的地区（代码或名称；默认本单位合计）",
    )
    return {"targets": cmd_targets, "progress": cmd_progress}


def cmd_targets(args: argparse.Namespace) -> dict[str, Any]:
    from ..targets import TargetError

    try:
        return _TARGET_ACTIONS[args.targets_action](args)
    except TargetError as exc:
        raise Refused(str(exc)) from exc


def _set(args: argparse.Namespace) -> dict[str, Any]:
    from ..targets import fill_from_province, set_target

    session = open_for(args)
    try:
        if args.from_province:
            figures = fill_from_province(session, args.year, args.indicator, args.area)
            done = [
                {"code": row.code, "name": row.name, "indicator": name, "value": value}
                for row, name, value in figures
            ]
            for item in done:
                say(
                    f"已按省厅附件2设定{args.year}年{item['name']}“{item['indicator']}”目标：{item['value']}"
                )
            return {"year": args.year, "set": done}
        if not args.indicator:
            refuse("需要 --indicator（指标名称）")
        row, name, value = set_target(session, args.year, args.indicator, args.value, args.area)
    finally:
        session.close()
    if value is None:
        say(f"已取消{args.year}年{row.name}“{name}”的目标")
    else:
        say(f"已设定{args.year}年{row.name}“{name}”的目标：{value}")
    return {
        "year": args.year,
        "set": [{"code": row.code, "name": row.name, "indicator": name, "value": value}],
    }


def _import(args: argparse.Namespace) -> dict[str, Any]:
    from ..targets import import_targets, targets_json

    session = open_for(args)
    try:
        targets = import_targets(session, args.file, args.year)
        result = targets_json(session, targets)
    finally:
        session.close()
    say(f"已从“{args.file.name}”导入{targets.year}年的目标任务")
    return {"file": args.file.name, **result}


def _list(args: argparse.Namespace) -> dict[str, Any]:
    from ..domain import INDICATOR_NAMES
    from ..targets import TOTAL_CODE, load, targets_json

    session = open_for(args)
    try:
        result = targets_json(session, load(session, args.year))
    finally:
        session.close()
    if not args.json:
        print(
            f"{result['unit']['name']}{args.year}年目标任务（人；“—”为未设定，合计未设定时为各行之和）"
        )
        for row in result["rows"]:
            cells = "；".join(
                f"{n}：{row['targets'][n] if row['targets'][n] is not None else '—'}"
                for n in INDICATOR_NAMES
            )
            code = "" if row["code"] == TOTAL_CODE else f"（{row['code']}）"
            print(f"{row['name']}{code}  {cells}")
    return result


def _template(args: argparse.Namespace) -> dict[str, Any]:
    from ..exports.atomic import ExportError
    from ..targets import write_template

    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        refuse(f"输出文件“{out}”应以 .xlsx 结尾")
    session = open_for(args)
    try:
        write_template(session, args.year, out)
    except ExportError as exc:
        refuse(str(exc))
    finally:
        session.close()
    say(f"已导出{args.year}年目标表：{out}")
    return {"year": args.year, "file": str(out)}


_TARGET_ACTIONS = {_SET: _set, _IMPORT: _import, _LIST: _list, _TEMPLATE: _template}


def cmd_progress(args: argparse.Namespace) -> dict[str, Any]:
    from ..exports.atomic import ExportError
    from ..progress import progress, progress_json, progress_text
    from ..targets import TargetError, resolve_row

    week = week_of(args)
    out: Path | None = args.out
    if out is not None and out.suffix.lower() != ".pdf":
        refuse(f"输出文件“{out}”应以 .pdf 结尾")
    session = open_for(args)
    try:
        result = progress(session, week)
        if out is not None:
            from ..exports.progress_pdf import write_progress_pdf

            try:
                row = resolve_row(session, args.chart_area)
            except TargetError as exc:
                refuse(str(exc))
            try:
                write_progress_pdf(session, result, out, chart_row=row.code)
            except ExportError as exc:
                refuse(str(exc))
            say(f"已导出进度PDF：{out}")
    finally:
        session.close()
    if not args.json:
        print(progress_text(result))
    return progress_json(result)

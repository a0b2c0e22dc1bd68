"""Command-line subcommands of the exports: ``export-annex1`` and ``report-selfcheck``.

:func:`register` adds them to the command line's subparsers and returns the
command functions by name, for ``cli.COMMANDS``. Each function returns a
JSON-able dict; a refusal raises ``cli.args.Refused`` with a Chinese message.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .args import Command, add_week_options, date_arg, open_for, refuse, say, week_of


def register(
    sub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser
) -> dict[str, Command]:
    """Add ``export-annex1`` and ``report-selfcheck`` to the subparsers ``sub``.

    Args:
        sub: the ``add_subparsers()`` object of the command line.
        common: the parent parser with ``--db`` and ``--operator``.
        as_json: the parent parser with ``--json``.

    Returns:
        The command functions by subcommand name.
    """
    s = sub.add_parser(
        "export-annex1", parents=[common, as_json], help="导出盖章用的周调度表（附件1，xlsx/PDF）"
    )
    add_week_options(s)
    s.add_argument(
        "--out", required=True, type=Path, help="输出文件（.xlsx；以 .pdf 结尾则输出PDF）"
    )
    s.add_argument("--pdf", type=Path, help="同时输出PDF文件")
    s.add_argument("--fill-date", type=date_arg, help="填表日期 YYYY-MM-DD（默认今天）")

    s = sub.add_parser("report-selfcheck", parents=[common, as_json], help="生成自查报告（PDF）")
    s.add_argument("--out", required=True, type=Path, help="输出的PDF文件")
    s.add_argument("--date", type=date_arg, help="报告日期 YYYY-MM-DD（默认今天）")
    return {"export-annex1": cmd_export_annex1, "report-selfcheck": cmd_report_selfcheck}


def cmd_export_annex1(args: argparse.Namespace) -> dict[str, Any]:
    """Write the stamped Annex 1 of a week: xlsx (``--out``), and PDF (``--pdf`` or a .pdf ``--out``)."""
    from ..exports.annex1_form import session_stamp
    from ..exports.annex1_pdf import render_annex1_pdf
    from ..exports.annex1_xlsx import build_annex1_workbook
    from ..exports.atomic import ExportError, atomic_write_all, check_target
    from ..weekly import compute

    week = week_of(args)
    out: Path = args.out
    pdf: Path | None = args.pdf
    xlsx: Path | None = None
    if out.suffix.lower() == ".pdf":
        if pdf is not None and pdf.resolve() != out.resolve():
            refuse("--out 已是PDF文件，不能再用 --pdf 指定另一个PDF")
        pdf = out
    elif out.suffix.lower() in (".xlsx", ""):
        xlsx = out if out.suffix else out.with_suffix(".xlsx")
    else:
        refuse(f"输出文件“{out}”应以 .xlsx 或 .pdf 结尾")
    if pdf is not None and pdf.suffix.lower() != ".pdf":
        refuse(f"--pdf 的文件“{pdf}”应以 .pdf 结尾")
    session = open_for(args)
    try:
        for target in (xlsx, pdf):
            if target is not None:
                check_target(target)
        table = compute(session, week)
        stamp = session_stamp(session, args.fill_date)
        targets = [p for p in (xlsx, pdf) if p is not None]
        # Both files are made first, then moved into place together: both or neither.
        with atomic_write_all(*targets) as temps:
            for target, tmp in zip(targets, temps, strict=True):
                if target is xlsx:
                    wb = build_annex1_workbook(
                        table,
                        profile=session.profile(),
                        images={
                            "seal": stamp.seal,
                            "sign_unit": stamp.sign_unit,
                            "sign_org": stamp.sign_org,
                        },
                        fill_date=stamp.fill_date,
                    )
                    wb.save(tmp)
                else:
                    from ..submitted import listed

                    tmp.write_bytes(render_annex1_pdf(table, stamp, listed(session, week)))
    except ExportError as exc:
        refuse(str(exc))
    finally:
        session.close()
    written = [str(p) for p in (xlsx, pdf) if p is not None]
    say(f"已导出{table.week.label}周调度表（附件1）：" + "、".join(written))
    return {
        "out": str(xlsx if xlsx is not None else pdf),
        "xlsx": str(xlsx) if xlsx is not None else None,
        "pdf": str(pdf) if pdf is not None else None,
        "unit": {"code": table.unit.code, "name": table.unit.name},
        "week": {
            "label": week.label,
            "start": week.start.isoformat(),
            "end": week.end.isoformat(),
        },
        "fill_date": stamp.fill_date.isoformat(),
        "stamped": {
            "seal": stamp.seal is not None,
            "sign_unit": stamp.sign_unit is not None,
            "sign_org": stamp.sign_org is not None,
        },
        "total": list(table.total),
    }


def cmd_report_selfcheck(args: argparse.Namespace) -> dict[str, Any]:
    """Write the self-check report (自查报告) PDF at a date (default today)."""
    from ..domain import kind_name
    from ..exports.atomic import ExportError, atomic_write, check_target
    from ..exports.selfcheck_data import gather
    from ..exports.selfcheck_pdf import render_selfcheck_pdf

    out: Path = args.out
    if out.suffix.lower() != ".pdf":
        refuse(f"输出文件“{out}”应以 .pdf 结尾")
    session = open_for(args)
    try:
        check_target(out)
        data = gather(session, args.date)
        pdf = render_selfcheck_pdf(data, seal=session.image("seal"))
        with atomic_write(out) as tmp:
            tmp.write_bytes(pdf)
    except ExportError as exc:
        refuse(str(exc))
    finally:
        session.close()
    say(
        f"已生成自查报告：{out}（{data.period_start.isoformat()} 至 {data.period_end.isoformat()}，"
        f"剔除 {data.removed_total} 条，疑似重复待核实 {len(data.review)} 条）"
    )
    if data.open_rows:
        kinds = "、".join(f"{kind_name(k)}{n}条" for k, n in data.open_by_kind().items() if n)
        say(
            f"注意：仍有{len(data.open_rows)}条重复、无效或不完整记录尚未剔除（{kinds}），报告中已如实写明"
        )
    return {
        "out": str(out),
        "date": data.report_date.isoformat(),
        "period": {"start": data.period_start.isoformat(), "end": data.period_end.isoformat()},
        "records": data.records,
        "before": list(data.before),
        "removed": list(data.removed),
        "after": list(data.after),
        "removed_records": data.removed_total,
        "by_reason": data.by_reason(),
        "possible_duplicates": len(data.review),
        "open": data.open_by_kind(),
        "open_by_area": {area: counts for area, counts in data.open_by_area()},
    }

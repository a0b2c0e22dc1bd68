"""Command-line subcommands of the telephone sample (电话抽查, domain.md §8).

``sample`` draws a sample and writes its call sheet, ``sample-result`` records
an outcome, ``sample-summary`` gives the result per area; ``sample-list``
lists the stored samples and ``sample-sheet`` prints a stored one again.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .args import Command, Refused, date_arg, open_for, refuse, say


def _share(text: str) -> float:
    """``0.05`` or ``5%``."""
    t = text.strip()
    try:
        value = float(t[:-1]) / 100 if t.endswith(("%", "％")) else float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"比例“{text}”应为小数或百分数，例如 0.05 或 5%") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"比例“{text}”应大于0且不超过100%")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”应为正整数") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"“{text}”应为正整数")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"随机种子“{text}”应为整数") from None
    if not -(2**63) <= value < 2**63:
        raise argparse.ArgumentTypeError(f"随机种子“{text}”超出范围")
    return value


def register(
    sub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser
) -> dict[str, Command]:
    """Add the telephone-sample commands to the subparsers ``sub``; returns them by name."""
    s = sub.add_parser(
        "sample", parents=[common, as_json], help="电话抽查：抽取样本并生成呼叫单（PDF）"
    )
    s.add_argument(
        "--date", required=True, type=date_arg, help="抽查日期 YYYY-MM-DD（按该日计入的记录抽取）"
    )
    s.add_argument(
        "--indicator",
        action="append",
        metavar="指标",
        help="抽查的指标（可重复；默认：失业人员再就业人数、就业困难人员就业人数、去产能职工安置人数）",
    )
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--share", type=_share, help="每个地区抽取的比例，例如 0.05 或 5%%（至少1人）")
    g.add_argument("--per-area", type=_positive, help="每个地区抽取的人数")
    s.add_argument(
        "--seed",
        required=True,
        type=_seed,
        help="随机种子（整数，印在呼叫单上，同一种子可重复抽取）",
    )
    s.add_argument("--out", type=Path, help="呼叫单PDF文件")

    s = sub.add_parser(
        "sample-result", parents=[common, as_json], help="电话抽查：录入一条通话结果"
    )
    s.add_argument("--sample", required=True, type=int, help="抽查编号")
    s.add_argument("--record", required=True, type=int, help="记录编号")
    s.add_argument(
        "--outcome",
        required=True,
        help="通话结果：已就业（属实）、未就业、自愿放弃就业、空号或停机、无人接听、拒访、信息不符（或其序号1–7）",
    )
    s.add_argument("--note", default="", help="备注")

    s = sub.add_parser("sample-summary", parents=[common, as_json], help="电话抽查：按地区汇总结果")
    s.add_argument("--sample", required=True, type=int, help="抽查编号")

    sub.add_parser("sample-list", parents=[common, as_json], help="电话抽查：列出已保存的抽查")

    s = sub.add_parser(
        "sample-sheet", parents=[common, as_json], help="电话抽查：重新打印呼叫单（PDF）"
    )
    s.add_argument("--sample", required=True, type=int, help="抽查编号")
    s.add_argument("--out", required=True, type=Path, help="呼叫单PDF文件")
    return {
        "sample": cmd_sample,
        "sample-result": cmd_sample_result,
        "sample-summary": cmd_sample_summary,
        "sample-list": cmd_sample_list,
        "sample-sheet": cmd_sample_sheet,
    }


def _write_sheet(session: Any, sample: Any, out: Path) -> None:
    from ..exports.atomic import ExportError
    from ..exports.sample_pdf import write_call_sheet

    try:
        write_call_sheet(session, sample, out)
    except ExportError as exc:
        refuse(str(exc))


def _check_pdf(out: Path | None) -> None:
    if out is not None and out.suffix.lower() != ".pdf":
        refuse(f"输出文件“{out}”应以 .pdf 结尾")


def cmd_sample(args: argparse.Namespace) -> dict[str, Any]:
    from ..phone_sample import DEFAULT_INDICATORS, SampleError, draw, indicator_of

    _check_pdf(args.out)
    try:
        indicators = (
            list(dict.fromkeys(indicator_of(t) for t in args.indicator))
            if args.indicator
            else list(DEFAULT_INDICATORS)
        )
    except SampleError as exc:
        raise Refused(str(exc)) from exc
    session = open_for(args)
    try:
        if args.out is not None:
            from ..exports.atomic import ExportError, check_target

            try:
                check_target(args.out)
            except ExportError as exc:
                refuse(str(exc))
        try:
            sample = draw(
                session,
                args.date,
                seed=args.seed,
                indicators=indicators,
                share=args.share,
                per_area=args.per_area,
            )
        except SampleError as exc:
            raise Refused(str(exc)) from exc
        if args.out is not None:
            _write_sheet(session, sample, args.out)
    finally:
        session.close()
    areas = sample.areas()
    say(
        f"已抽取第 {sample.id} 号电话抽查：{sample.on_date.isoformat()}，随机种子 {sample.seed}，"
        f"{len(areas)} 个地区共 {len(sample.items)} 人（可抽记录 {sample.population} 条）"
        + (f"；呼叫单：{args.out}" if args.out else "")
    )
    if not args.json:
        for code, name, items in areas:
            print(f"{name}（{code}）：{len(items)} 人")
            for i in items:
                print(
                    f"  {i.position:>3} 记录#{i.record} {i.name} {i.phone} {'、'.join(i.indicators)}"
                )
    out = sample.as_json()
    if args.out is not None:
        out["out"] = str(args.out)
    return out


def cmd_sample_result(args: argparse.Namespace) -> dict[str, Any]:
    from ..phone_sample import SampleError, outcome_of, record_outcome

    try:
        outcome = outcome_of(args.outcome)
    except SampleError as exc:
        raise Refused(str(exc)) from exc
    session = open_for(args)
    try:
        try:
            record_outcome(session, args.sample, args.record, outcome, args.note)
        except SampleError as exc:
            raise Refused(str(exc)) from exc
    finally:
        session.close()
    say(f"已录入第 {args.sample} 号电话抽查记录 {args.record} 的结果：{outcome}")
    return {"sample": args.sample, "record": args.record, "outcome": outcome, "note": args.note}


def _share_text(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def cmd_sample_summary(args: argparse.Namespace) -> dict[str, Any]:
    from ..phone_sample import SampleError, summary

    session = open_for(args)
    try:
        try:
            result = summary(session, args.sample)
        except SampleError as exc:
            raise Refused(str(exc)) from exc
    finally:
        session.close()
    if not args.json:
        s = result.sample
        print(f"第 {s.id} 号电话抽查（{s.on_date.isoformat()}，随机种子 {s.seed}）")
        print("地区\t抽取\t接通\t属实\t不属实\t未接通\t未录入\t属实率")
        for r in (*result.rows, result.total):
            print(
                f"{r.name}\t{r.sampled}\t{r.reached}\t{r.confirmed}\t{r.not_confirmed}\t"
                f"{r.not_reached}\t{r.pending}\t{_share_text(r.share)}"
            )
    return result.as_json()


def cmd_sample_list(args: argparse.Namespace) -> dict[str, Any]:
    from ..phone_sample import list_samples

    session = open_for(args)
    try:
        items = list_samples(session)
    finally:
        session.close()
    if not args.json:
        for info in items:
            s = info.sample
            print(
                f"第 {s.id} 号  {s.on_date.isoformat()}  随机种子 {s.seed}  {s.how_many}  "
                f"抽取 {info.sampled} 人，已录入 {info.recorded} 人  {'、'.join(s.indicators)}"
            )
    return {
        "samples": [
            {
                "sample": i.sample.id,
                "date": i.sample.on_date.isoformat(),
                "seed": i.sample.seed,
                "indicators": list(i.sample.indicators),
                "mode": i.sample.mode,
                "amount": i.sample.amount,
                "population": i.sample.population,
                "sampled": i.sampled,
                "recorded": i.recorded,
                "created_at": i.sample.created_at,
            }
            for i in items
        ]
    }


def cmd_sample_sheet(args: argparse.Namespace) -> dict[str, Any]:
    from ..phone_sample import SampleError, get_sample

    _check_pdf(args.out)
    session = open_for(args)
    try:
        try:
            sample = get_sample(session, args.sample)
        except SampleError as exc:
            raise Refused(str(exc)) from exc
        _write_sheet(session, sample, args.out)
    finally:
        session.close()
    say(f"已重新生成第 {sample.id} 号电话抽查的呼叫单：{args.out}")
    return {"sample": sample.id, "out": str(args.out)}

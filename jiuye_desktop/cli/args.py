"""What every command module of the command line shares: argument types, the
week options, refusals, opening the session, messages on stderr."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from ..domain import Week
    from ..service import Session

Command = Callable[[argparse.Namespace], dict[str, Any]]


class Refused(Exception):
    """The input was refused; the message says why (Chinese). Exit status 1."""


def refuse(message: str) -> NoReturn:
    raise Refused(message)


#: The years a command-line date, week or demo year may lie in.
MIN_YEAR, MAX_YEAR = 2000, 2099
#: The largest record number SQLite can hold (a 64-bit signed integer).
MAX_RECORD = 2**63 - 1


def _in_range(day: dt.date, text: str) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(
            f"日期“{text}”超出范围（应在{MIN_YEAR}年至{MAX_YEAR}年之间）"
        )
    return day


def date_arg(text: str) -> dt.date:
    """argparse type of a ``YYYY-MM-DD`` option: a day that exists, in ``MIN_YEAR``–``MAX_YEAR``."""
    text = text.strip()
    if len(text) != 10:
        raise argparse.ArgumentTypeError(f"日期“{text}”应为 YYYY-MM-DD（例如 2017-11-03）")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期“{text}”不存在或格式不对，应为 YYYY-MM-DD（例如 2017-11-03）"
        ) from None
    return _in_range(day, text)


def date_text_arg(text: str) -> str:
    """``date_arg`` that keeps the text (``--date`` of the week options)."""
    return date_arg(text).isoformat()


_WEEK_KEY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def week_arg(text: str) -> str:
    """argparse type of ``--week YYYY-MM-N``: the form, and a year in ``MIN_YEAR``–``MAX_YEAR``
    (whether that month has such a week is the command's to say: ``week_of``)."""
    text = text.strip()
    m = _WEEK_KEY.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"周次“{text}”格式不对，应为 YYYY-MM-N，例如 2017-11-2")
    if not MIN_YEAR <= int(m[1]) <= MAX_YEAR:
        raise argparse.ArgumentTypeError(
            f"周次“{text}”超出范围（年份应在{MIN_YEAR}至{MAX_YEAR}之间）"
        )
    return text


def year_arg(text: str) -> int:
    """argparse type of a year option (``MIN_YEAR``–``MAX_YEAR``)."""
    try:
        year = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"年份“{text}”应为四位数字") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"年份“{text}”超出范围（应在{MIN_YEAR}至{MAX_YEAR}之间）")
    return year


def record_arg(text: str) -> int:
    """argparse type of a record number: a positive whole number SQLite can hold."""
    try:
        number = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"记录编号“{text}”应为正整数") from None
    if not 1 <= number <= MAX_RECORD:
        raise argparse.ArgumentTypeError(f"记录编号“{text}”超出范围（应在1至{MAX_RECORD}之间）")
    return number


def count_arg(limit: int) -> Callable[[str], int]:
    """argparse type of a count: a whole number from 0 to ``limit``."""

    def parse(text: str) -> int:
        try:
            number = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}”应为整数") from None
        if not 0 <= number <= limit:
            raise argparse.ArgumentTypeError(f"“{text}”超出范围（应在0至{limit}之间）")
        return number

    return parse


def add_week_options(parser: argparse.ArgumentParser) -> None:
    """``--week YYYY-MM-N`` or ``--date YYYY-MM-DD``, one of them required."""
    g = parser.add_mutually_exclusive_group(required=True)
    g.add_argument("--week", type=week_arg, help="YYYY-MM-N，例如 2017-11-2")
    g.add_argument("--date", type=date_text_arg, help="YYYY-MM-DD，该日所在的周")


def week_of(args: argparse.Namespace) -> Week:
    """The week the options name; a bad one is refused."""
    from ..weekly import resolve_week

    try:
        return resolve_week(args.week, args.date)
    except ValueError as exc:
        raise Refused(str(exc)) from exc


def open_for(args: argparse.Namespace) -> Session:
    """The session on ``--db`` with ``--operator``."""
    from ..service import open_session

    return open_session(args.db, operator=args.operator)


def say(message: str) -> None:
    print(message, file=sys.stderr)

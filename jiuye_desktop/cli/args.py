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
        raise argparse.ArgumentTypeError(f"日期“{text}”应为 年-月-日，例如 2017-11-10")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期“{text}”不存在或格式不对，应为 年-月-日，例如 2017-11-10"
        ) from None
    return _in_range(day, text)


date_arg.__name__ = "日期"


def week_key_arg(text: str) -> str:
    """argparse type of ``--week YYYY-MM-N``: a week that exists, in ``MIN_YEAR``–``MAX_YEAR``
    (else wrong usage, exit 2)."""
    from ..weeks import week_from_key

    m = _WEEK_KEY.match(text.strip())
    if m and not MIN_YEAR <= int(m[1]) <= MAX_YEAR:
        raise argparse.ArgumentTypeError(
            f"周次“{text}”超出范围（年份应在{MIN_YEAR}至{MAX_YEAR}之间）"
        )
    try:
        week_from_key(text)
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(
            str(exc) if isinstance(exc, ValueError) else f"周次“{text}”超出范围"
        ) from None
    return text


week_key_arg.__name__ = "周次"

_WEEK_KEY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def date_text_arg(text: str) -> str:
    """``date_arg``, kept as the text (``week_of`` reads ``--date`` as written)."""
    date_arg(text)
    return text


date_text_arg.__name__ = "日期"


def add_week_options(parser: argparse.ArgumentParser) -> None:
    """``--week YYYY-MM-N`` or ``--date YYYY-MM-DD``, one of them required."""
    g = parser.add_mutually_exclusive_group(required=True)
    g.add_argument(
        "--week", type=week_key_arg, metavar="YYYY-MM-N", help="周次：年-月-第几周，例如 2017-11-2"
    )
    g.add_argument("--date", type=date_text_arg, metavar="YYYY-MM-DD", help="日期：取该日所在的周")


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

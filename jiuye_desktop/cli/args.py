"""What every command module of the command line shares: argument types, the
week options, refusals, opening the session, messages on stderr."""

from __future__ import annotations

import argparse
import datetime as dt
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


def date_arg(text: str) -> dt.date:
    """argparse type of a ``YYYY-MM-DD`` option."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”应为 YYYY-MM-DD") from None


def add_week_options(parser: argparse.ArgumentParser) -> None:
    """``--week YYYY-MM-N`` or ``--date YYYY-MM-DD``, one of them required."""
    g = parser.add_mutually_exclusive_group(required=True)
    g.add_argument("--week", help="YYYY-MM-N，例如 2017-11-2")
    g.add_argument("--date", help="YYYY-MM-DD，该日所在的周")


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

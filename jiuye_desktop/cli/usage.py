"""How the command line speaks when it is used wrongly, and how its help reads.

- argparse's own messages in Chinese (``argparse._`` and ``argparse.ngettext``);
- :class:`Parser`: a usage error raises :class:`UsageError` (exit 2) instead of
  exiting, so that ``main`` can print the one JSON document of ``--json``;
- :func:`program_name`: how the program is really called (``python main.py``,
  ``python -m jiuye_desktop.cli`` or the frozen executable's name);
- :func:`localise`: after every command is registered, each subcommand gets its
  one-line description, each value option a Chinese placeholder (``--db 文件``)
  and each ``int`` option a type whose error is Chinese.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

EXIT_USAGE = 2

_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "ignored explicit argument %r": "多余的值 %r",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "invalid %(type)s value: %(value)r": "无效的%(type)s：%(value)r",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "positional arguments": "位置参数",
    "options": "选项",
    "%(prog)s: error: %(message)s\n": "%(prog)s：参数错误：%(message)s\n",
}


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


argparse._ = _zh  # type: ignore[attr-defined]  # argparse looks its messages up through _()
argparse.ngettext = _ngettext  # type: ignore[attr-defined]


class UsageError(Exception):
    """Wrong usage (exit 2): the Chinese message and the usage line of the command concerned."""

    def __init__(self, message: str, usage: str, prog: str) -> None:
        super().__init__(message)
        self.usage = usage
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise :class:`UsageError` instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage(), self.prog)


def program_name() -> str:
    """How the program is called: the frozen executable, ``python main.py`` or ``python -m …``."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).name
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if script.name == "__main__.py" and script.resolve().parent == Path(__file__).resolve().parent:
        return "python -m jiuye_desktop.cli"
    return "python main.py"


# --- Placeholders and types ---------------------------------------------------------------------

#: The placeholder of an option's value in the help, by its ``dest`` (else ``值``).
METAVARS = {
    "db": "文件",
    "operator": "姓名",
    "unit_code": "代码",
    "unit_name": "名称",
    "records": "条数",
    "year": "年度",
    "seed": "种子",
    "file": "文件",
    "files": "文件",
    "out": "文件",
    "pdf": "文件",
    "backup": "文件",
    "date": "YYYY-MM-DD",
    "fill_date": "YYYY-MM-DD",
    "week": "YYYY-MM-N",
    "note": "说明",
    "reason": "原因",
    "record": "编号",
    "password": "密码",
    "indicator": "指标",
    "value": "人数",
    "area": "地区",
    "chart_area": "地区",
    "set": "字段=值",
    "finding": "类型",
    "kind": "类型",
    "level": "级别",
    "sample": "编号",
    "share": "比例",
    "per_area": "人数",
    "outcome": "结果",
}


def int_arg(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None


int_arg.__name__ = "整数"


def float_arg(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是数字") from None


float_arg.__name__ = "数字"


def bounded_int(low: int, high: int, what: str) -> Any:
    """An argparse type: an integer from ``low`` to ``high`` (else exit 2, saying so)."""

    def parse(text: str) -> int:
        value = int_arg(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what}应在 {low} 到 {high} 之间，而不是 {value}")
        return value

    parse.__name__ = what
    return parse


#: Ranges of the ``int`` options every command shares by name (out of range: exit 2).
BOUNDS = {
    "year": bounded_int(2000, 2099, "年度"),
    "record": bounded_int(1, 2**63 - 1, "记录编号"),
    "sample": bounded_int(1, 2**63 - 1, "抽样编号"),
}


def subparser_actions(parser: argparse.ArgumentParser) -> list[argparse._SubParsersAction[Any]]:
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001


def walk(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser under ``parser`` (itself first) with the command words that reach it."""
    out = [(path, parser)]
    for action in subparser_actions(parser):
        for name, child in action.choices.items():
            out += walk(child, (*path, name))
    return out


def command_help(parser: argparse.ArgumentParser) -> dict[str, str]:
    """The one-line description of each direct subcommand, as listed by ``--help``."""
    out: dict[str, str] = {}
    for action in subparser_actions(parser):
        for choice in action._choices_actions:  # noqa: SLF001
            out[choice.dest] = choice.help or ""
    return out


def localise(parser: argparse.ArgumentParser) -> None:
    """Descriptions, placeholders and Chinese types on every parser under ``parser``."""
    for _path, p in walk(parser):
        lines = command_help(p)
        for subs in subparser_actions(p):
            for name, child in subs.choices.items():
                if not child.description and lines.get(name):
                    child.description = lines[name]
        for action in p._actions:  # noqa: SLF001
            if action.type is int and action.dest in BOUNDS:
                action.type = BOUNDS[action.dest]
            elif action.type is int:
                action.type = int_arg
            elif action.type is float:
                action.type = float_arg
            takes_value = action.nargs != 0 and not isinstance(
                action, argparse._SubParsersAction | argparse._HelpAction | argparse._VersionAction
            )
            if takes_value and action.metavar is None and action.choices is None:
                action.metavar = METAVARS.get(action.dest, "值")

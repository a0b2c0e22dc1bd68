"""The command line at the desk (#16): Chinese help for every option, JSON errors, honest exits.

The help tests walk every subparser of ``build_parser`` (commands added later by
other modules included), so a new option without a Chinese help line fails here.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jiuye_desktop.cli import build_parser, main
from jiuye_desktop.cli.usage import command_help, walk

PROJECT = Path(__file__).resolve().parents[2]
#: Names of formats and programs that may stand in Chinese text.
PROPER_NAMES = {"JSON", "Excel", "WPS", "PDF", "xlsx", "pdf", "PNG"}
ASCII_WORD = re.compile(r"[A-Za-z]+")


def _english(text: str, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    return [w for w in ASCII_WORD.findall(text) if w not in PROPER_NAMES | allowed]


def _names(parser: argparse.ArgumentParser) -> set[str]:
    """What a parser's text may name in ASCII: its options, placeholders and choices."""
    out: set[str] = set()
    for action in parser._actions:  # noqa: SLF001
        for text in action.option_strings:
            out.update(ASCII_WORD.findall(text))
        metavar = action.metavar
        for text in metavar if isinstance(metavar, tuple) else [metavar or ""]:
            out.update(ASCII_WORD.findall(text))
        for choice in action.choices or ():
            out.update(ASCII_WORD.findall(str(choice)))
    return out


def test_every_option_and_command_has_a_chinese_help_line() -> None:
    problems = []
    for path, parser in walk(build_parser()):
        where = " ".join(path) or "（顶层）"
        allowed = _names(parser)
        for action in parser._actions:  # noqa: SLF001
            if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
                continue
            name = "/".join(action.option_strings) or action.dest
            if not action.help or action.help == argparse.SUPPRESS:
                problems.append(f"{where} {name}: 没有帮助文字")
            elif _english(action.help, allowed):
                problems.append(f"{where} {name}: 帮助含英文 {_english(action.help, allowed)}")
        children = {
            n: c
            for a in parser._actions
            if isinstance(a, argparse._SubParsersAction)  # noqa: SLF001
            for n, c in a.choices.items()
        }
        for command, line in command_help(parser).items():
            mine = allowed | _names(children[command])
            if not line:
                problems.append(f"{where} {command}: 命令没有一行说明")
            elif _english(line, mine):
                problems.append(f"{where} {command}: 说明含英文 {_english(line, mine)}")
        if path and not parser.description:
            problems.append(f"{where}: 没有说明")
    assert not problems, "\n".join(problems)


def test_every_help_page_reads_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    parsers = walk(build_parser())
    commands = {word for path, _ in parsers for word in path}
    every_name = set().union(*(_names(p) for _, p in parsers))
    for path, _parser in parsers:
        with pytest.raises(SystemExit) as info:
            main([*path, "--help"])
        assert info.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith("用法：python main.py"), text[:80]
        # A command's line in its parent's list may name that command's own options.
        allowed = every_name | {w for c in commands for w in ASCII_WORD.findall(c)}
        allowed |= {"python", "main", "py", "h", "YYYY", "MM", "DD", "N"}
        assert not _english(text, allowed), (path, _english(text, allowed))


def _json_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict, str]:
    status = main([*argv, "--json"])
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1, (argv, captured.out)
    return status, json.loads(lines[0]), captured.err


@pytest.fixture
def ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    db = str(tmp_path / "l.sqlite")
    assert main(["demo", "--db", db, "--records", "300", "--seed", "4"]) == 0
    capsys.readouterr()
    return db


def test_with_json_every_refusal_and_usage_error_is_one_json_document(
    capsys: pytest.CaptureFixture[str], ledger: str, tmp_path: Path
) -> None:
    missing = str(tmp_path / "无此文件.xlsx")
    cases: list[tuple[list[str], int]] = [
        # Wrong usage: exit 2.
        (["nosuch"], 2),
        (["weekly", "--db", ledger, "--bogus"], 2),
        (["weekly", "--db", ledger], 2),
        (["weekly", "--db", ledger, "--date", "2017-02-30"], 2),
        (["weekly", "--db", ledger, "--week", "2017-11-9"], 2),
        (["weekly", "--db", ledger, "--week", "2017-13-1"], 2),
        (["remove", "--db", ledger, "--kind", "foo", "--date", "2017-11-24"], 2),
        (["remove", "--db", ledger, "--kind", "all", "--date", "24/11/2017"], 2),
        (["demo", "--db", ledger, "--records", "-5"], 2),
        (["demo", "--db", ledger, "--year", "1800"], 2),
        (["demo", "--db", ledger, "--records", "many"], 2),
        (["history", "--db", ledger, "--record", "0"], 2),
        (["restore", "--db", ledger, "--record", "x"], 2),
        # Refused: exit 1, nothing changed.
        (["restore", "--db", ledger, "--record", "99999"], 1),
        (["restore", "--db", ledger, "--record", "1"], 1),  # not removed
        (["history", "--db", ledger, "--record", "99999"], 1),
        (["import", missing, "--db", ledger], 1),
        (["check", "--db", str(tmp_path / "none.sqlite")], 1),
        (["export-annex1", "--db", ledger, "--week", "2017-11-2", "--out", "a.doc"], 1),
        (
            ["init", "--db", ledger, "--unit-code", "411000", "--unit-name", "许昌市"]
            + ["--level", "city"],
            1,
        ),
    ]
    for argv, expected in cases:
        status, doc, err = _json_error(capsys, argv)
        assert status == expected, (argv, doc)
        assert set(doc) == {"error", "exit"} and doc["exit"] == expected, (argv, doc)
        assert doc["error"] and "Traceback" not in err, argv
        message = doc["error"].replace(str(tmp_path), "").replace(ledger, "")
        allowed = {w for a in argv for w in ASCII_WORD.findall(a) if a.startswith("-")}
        allowed |= {w for a in argv for w in ASCII_WORD.findall(a)}  # values echoed back
        allowed |= {"python", "main", "py", "YYYY", "MM", "N", "DD", "sqlite"}
        # Command and option names, and choices, named back to the clerk.
        allowed |= {w for p, _ in walk(build_parser()) for c in p for w in ASCII_WORD.findall(c)}
        allowed |= set().union(*(_names(p) for _, p in walk(build_parser())))
        allowed |= {"county", "city", "province", "duplicate", "invalid", "incomplete", "all"}
        assert not _english(message, allowed), (argv, message)
    assert not (tmp_path / "none.sqlite").exists()


def test_restore_is_all_or_nothing_and_says_what_it_did(
    capsys: pytest.CaptureFixture[str], ledger: str
) -> None:
    assert main(["remove", "--db", ledger, "--kind", "all", "--date", "2017-11-20"]) == 0
    err = capsys.readouterr().err
    # The kinds in words, never duplicate/invalid.
    assert "剔除" in err and not _english(err), err
    check = json.loads(_run_out(capsys, ["check", "--db", ledger, "--json"]))
    del check
    listed = json.loads(_run_out(capsys, ["history", "--db", ledger, "--record", "1", "--json"]))
    assert listed["record"] == 1
    removed = _removed_ids(ledger)
    assert removed, "the demo has flagged records"
    # One of them and an unknown one: refused, nothing restored.
    status, doc, _ = _json_error(
        capsys, ["restore", "--db", ledger, "--record", str(removed[0])] + ["--record", "99999"]
    )
    assert (status, doc["exit"]) == (1, 1) and "99999" in doc["error"]
    assert _removed_ids(ledger) == removed
    assert main(["restore", "--db", ledger, "--record", str(removed[0]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["restored"] == [removed[0]]
    assert _removed_ids(ledger) == removed[1:]


def _run_out(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 0, argv
    return capsys.readouterr().out


def _removed_ids(db: str) -> list[int]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return [
            r[0]
            for r in conn.execute("SELECT id FROM records WHERE removed_on IS NOT NULL ORDER BY id")
        ]
    finally:
        conn.close()


def test_text_output_of_a_working_day_has_no_english(
    capsys: pytest.CaptureFixture[str], ledger: str
) -> None:
    day = [
        ["check", "--db", ledger],
        ["remove", "--db", ledger, "--kind", "invalid", "--date", "2017-11-20"],
        ["weekly", "--db", ledger, "--week", "2017-11-2"],
        ["history", "--db", ledger, "--record", "2"],
        ["backup", "--db", ledger, "--list"],
    ]
    for argv in day:
        assert main(argv) == 0, argv
        captured = capsys.readouterr()
        text = (
            (captured.out + captured.err).replace(ledger, "").replace(str(Path(ledger).parent), "")
        )
        # The operator of the demo is the computer's login: a name, not a word of the program.
        import getpass

        text = text.replace(getpass.getuser(), "")
        assert not _english(text, {"sqlite", "MB", "bak"}), (argv, _english(text))


def test_a_usage_error_in_a_real_process_prints_json_and_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(PROJECT / "main.py"), "weekly", "--date", "2017-02-30", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert doc["exit"] == 2 and "2017-02-30" in doc["error"]
    assert "用法：python main.py weekly" in proc.stderr and "Traceback" not in proc.stderr

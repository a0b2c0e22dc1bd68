"""What the trust tests (issue 11) share: the command line run as a separate process,
file fingerprints, an immutable file where the system allows one."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(args: Sequence[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` in its own process, as a user or a script runs it."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
        check=False,
    )


def assert_refused(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """Exit ``code``, no traceback, a Chinese message holding ``words``."""
    err = proc.stderr
    assert proc.returncode == code, (proc.returncode, err, proc.stdout)
    assert "Traceback" not in err, err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err), err
    for w in words:
        assert w in err, err
    return err


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``chattr +i`` on the file for the block (even the administrator cannot write it);
    for an ordinary user without it, ``chmod 444`` (which stops them); skipped otherwise."""
    try:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        attribute = done.returncode == 0
    except OSError:
        attribute = False
    mode = path.stat().st_mode
    if not attribute:
        if os.geteuid() == 0:
            pytest.skip("chattr +i is not available here, and chmod does not stop root")
        path.chmod(0o444)
    try:
        assert not os.access(path, os.W_OK)
        yield
    finally:
        if attribute:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
        path.chmod(mode)


def resign(path: Path, key: Any = None, *, public: bytes | None = None) -> str:
    """Do what a forger would: recompute the digest of every cell of every sheet of an
    edited package exactly as the program does, sign it with ``key`` (an
    ``Ed25519PrivateKey``, a new one by default), and write digest, fingerprint, public
    key (``public``, default ``key``'s) and signature into 说明. Returns the fingerprint."""
    import openpyxl
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from python_calamine import CalamineWorkbook

    from jiuye_desktop import signing
    from jiuye_desktop.package import format as f

    key = key or Ed25519PrivateKey.generate()
    raw = public or key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    book = CalamineWorkbook.from_path(str(path))
    notes = {}
    for row in book.get_sheet_by_name(f.NOTES_SHEET).to_python():
        cells = [f.read_cell(v).strip() for v in row]
        if len(cells) >= 2 and cells[0]:
            notes.setdefault(cells[0], cells[1])
    code, week, written = notes[f.K_UNIT_CODE], notes[f.K_WEEK_KEY], notes[f.K_WRITTEN]
    sheets = []
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        grid = sheet.to_python()
        if name == f.LEDGER_SHEET:
            width = len(f.LEDGER_HEADERS)
            rows = [[f.read_cell(v) for v in r] for r in grid[1:]]
            rows = [(r + [""] * width)[:width] for r in rows if any(r)]
            sheets.append((name, f.rows_digest(code, week, rows)))
        else:
            start = tuple(sheet.start or (0, 0))
            sheets.append((name, f.sheet_digest(grid, start, skip=name == f.NOTES_SHEET)))
    digest = f.package_digest(code, week, written, sheets)
    signature = signing.encode(key.sign(f.signed_message(digest)))
    wb = openpyxl.load_workbook(path)
    values = {
        f.K_DIGEST: digest,
        f.K_FINGERPRINT: signing.fingerprint(raw),
        f.K_PUBLIC_KEY: signing.encode(raw),
        f.K_SIGNATURE: signature,
    }
    for row in wb[f.NOTES_SHEET].iter_rows():
        if row[0].value in values:
            row[1].value = values[row[0].value]
    wb.save(path)
    return signing.fingerprint(raw)

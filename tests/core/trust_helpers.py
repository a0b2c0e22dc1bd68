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

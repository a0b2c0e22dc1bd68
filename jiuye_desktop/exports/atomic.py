"""Write an export file all at once, or not at all.

The content goes to a temporary file in the target's folder, which then
replaces the target with ``os.replace`` (atomic on one file system). If
anything fails the temporary file is removed and the old target, if any, is
left as it was. Problems a user can act on (the file is open in Excel or WPS,
the folder does not exist, no permission, the disk is full) become
:class:`ExportError` with a Chinese message naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path


class ExportError(Exception):
    """An export could not be written; the message (Chinese) says why and names the file."""


def _locked_message(path: Path) -> str:
    return f"文件 {path} 正被其他程序（如Excel、WPS）打开，或没有写入权限，请关闭后重试"


def _os_error(exc: OSError, path: Path) -> ExportError:
    """A Chinese message for an operating-system error while writing ``path``."""
    if isinstance(exc, IsADirectoryError):
        return ExportError(f"{path} 是一个文件夹，请另选文件名")
    if isinstance(exc, PermissionError):
        return ExportError(_locked_message(path))
    if isinstance(exc, FileNotFoundError):
        return ExportError(f"文件夹 {path.parent} 不存在，请另选保存位置")
    if exc.errno == errno.ENOSPC:
        return ExportError(f"磁盘空间已满，无法写入文件 {path}")
    if exc.errno == errno.EROFS:
        return ExportError(f"文件 {path} 所在的磁盘是只读的，请另选保存位置")
    return ExportError(f"无法写入文件 {path}：{exc.strerror or exc}")


def check_target(path: Path | str) -> Path:
    """Refuse early a target that cannot be written, before any work is done.

    Returns:
        The target as an absolute path.

    Raises:
        ExportError: the folder is missing, the target is a folder, or the
            target exists and cannot be opened for writing (on Windows: it is
            open in Excel or WPS).
    """
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise ExportError(f"{target} 是一个文件夹，请另选文件名")
    if not target.parent.is_dir():
        raise ExportError(f"文件夹 {target.parent} 不存在，请另选保存位置")
    if target.exists():
        try:
            # Opening for append changes nothing, and fails on Windows while
            # another program holds the file open.
            with target.open("ab"):
                pass
        except OSError as exc:
            raise _os_error(exc, target) from exc
    return target


def _temp_file(target: Path) -> Path:
    """Create an empty, new temporary file beside ``target``.

    Made with mode 0o666 so that the umask gives it the usual permissions
    (``tempfile.mkstemp`` would make it private to the user).
    """
    for _ in range(100):
        tmp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}")
        try:
            fd = os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def _replace(tmp: Path, target: Path) -> None:
    """``os.replace``; on Windows retried briefly, as a virus scanner may hold the new file."""
    attempts = 5 if os.name == "nt" else 1
    for attempt in range(attempts):
        try:
            os.replace(tmp, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


@contextlib.contextmanager
def atomic_write(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path``.

    Example::

        with atomic_write(out) as tmp:
            workbook.save(tmp)

    Raises:
        ExportError: the target cannot be written (see :func:`check_target`),
            or the temporary file cannot be made or moved into place.
    """
    target = check_target(path)
    try:
        tmp = _temp_file(target)
    except OSError as exc:
        if isinstance(exc, PermissionError):
            raise ExportError(
                f"没有权限在文件夹 {target.parent} 中保存文件 {target.name}，请另选保存位置"
            ) from exc
        raise _os_error(exc, target) from exc
    try:
        yield tmp
        if target.exists():
            # Keep the permissions of the file being replaced.
            with contextlib.suppress(OSError):
                os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        try:
            _replace(tmp, target)
        except OSError as exc:
            raise _os_error(exc, target) from exc
    except OSError as exc:
        # An error of the writer itself (disk full while saving, …).
        raise _os_error(exc, target) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_write_all(*paths: Path | str) -> Iterator[list[Path]]:
    """``atomic_write`` for several files that belong together (an xlsx and its PDF):
    every one is written, or none.

    Each gets a temporary path; only when the block has written all of them do
    they replace their targets, one after the other. Should a later one fail
    to move into place, the earlier ones are put back as they were (the old
    file, or no file), so no half of the set is left behind.

    Raises:
        ExportError: as ``atomic_write``; nothing was changed.
    """
    targets = [check_target(p) for p in paths]
    temps: list[Path] = []
    try:
        for target in targets:
            try:
                temps.append(_temp_file(target))
            except OSError as exc:
                raise _os_error(exc, target) from exc
        try:
            yield temps
        except OSError as exc:
            raise _os_error(exc, targets[len(temps) - 1]) from exc
        _replace_all(targets, temps)
    finally:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def _replace_all(targets: list[Path], temps: list[Path]) -> None:
    """Move every temporary file into place; on a failure undo the moves already made."""
    kept: list[tuple[Path, Path | None]] = []  # (target, its old content moved aside, or None)
    try:
        for target, tmp in zip(targets, temps, strict=True):
            old: Path | None = None
            if target.exists():
                old = _temp_file(target)
                os.replace(target, old)
                with contextlib.suppress(OSError):
                    os.chmod(tmp, stat.S_IMODE(old.stat().st_mode))
            kept.append((target, old))
            try:
                _replace(tmp, target)
            except OSError as exc:
                raise _os_error(exc, target) from exc
    except BaseException:
        for target, old in reversed(kept):
            with contextlib.suppress(OSError):
                if old is not None:
                    os.replace(old, target)
                else:
                    target.unlink(missing_ok=True)
        raise
    for _target, old in kept:
        if old is not None:
            with contextlib.suppress(OSError):
                old.unlink()

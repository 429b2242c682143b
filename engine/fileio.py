"""Reading and writing a network file on disk, safely.

Reading refuses what is not a regular file (a FIFO would block forever, a
device never ends) and files larger than MAX_FILE_BYTES, before reading a byte.

Writing is atomic: the text goes to a temporary file beside the real file,
which then replaces it. The temporary file is named ``.NAME.XXXXXXXX.tmp``
(NAME the file's name, XXXXXXXX eight characters of ``[a-z0-9_]``, as
``tempfile.mkstemp`` makes them; TEMP_NAME_PATTERN). A save killed before the
rename leaves that file behind; the next save of the same file removes every
such file that no running save holds (a save keeps an exclusive ``flock`` on
its temporary file until the rename). A symlink is written through: the file
it points to is replaced, the link stays. A read-only file is refused.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which protects a live save
    fcntl = None  # type: ignore[assignment]

MAX_FILE_BYTES = 64 * 2**20
TEMP_NAME_PATTERN = r"\.{name}\.[a-z0-9_]{{8}}\.tmp"
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class FileAccessError(Exception):
    """A file that cannot be read or written; ``str()`` is the reason for the user."""


def _check_path(path: str | os.PathLike[str]) -> str:
    text = os.fspath(path)
    if "\0" in text:
        raise FileAccessError("the file name contains a NUL character")
    return text


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_file_bytes(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole content of a regular file of at most ``limit`` bytes.

    Raises FileAccessError for a non-regular file or one too large, OSError when
    the system refuses.
    """
    name = _check_path(path)
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = os.open(name, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", name)
        if not stat.S_ISREG(info.st_mode):
            raise FileAccessError(f"it is {_kind(info.st_mode)}, not a network file")
        if info.st_size > limit:
            raise FileAccessError(_too_large(info.st_size, limit))
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # the file grew while being read
                raise FileAccessError(_too_large(total, limit))
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_large(size: int, limit: int) -> str:
    return f"it is larger than {limit // 2**20} MB (network files are at most that size)"


# -- writing ---------------------------------------------------------------------------


def real_target(path: str | os.PathLike[str]) -> Path:
    """Where a save of ``path`` writes: the file a symlink (or chain of them) points to."""
    return Path(os.path.realpath(_check_path(path)))


def _file_mode(target: Path) -> int:
    """The existing file's permissions, or 0666 minus the umask for a new file."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _refuse_read_only(target: Path) -> None:
    try:
        info = target.stat()
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(target))
    # No write bit at all: read-only even for root, who os.access would let through.
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise FileAccessError(f"{target} is read-only")


def remove_stale_temporaries(target: Path) -> list[str]:
    """Delete temporary files of killed saves of ``target``; returns their names.

    Only names matching TEMP_NAME_PATTERN for this file name, only regular
    files, and never one a running save holds locked.
    """
    pattern = re.compile(TEMP_NAME_PATTERN.format(name=re.escape(target.name)))
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    removed = []
    for name in names:
        if not pattern.fullmatch(name):
            continue
        path = target.parent / name
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a save in progress
            os.unlink(path)
            removed.append(name)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def _locked_temporary(target: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``, locked so that no other save removes it."""
    while True:
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        if fcntl is None:
            return fd, temporary
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.path.samestat(os.fstat(fd), os.stat(temporary)):
                return fd, temporary
        except FileNotFoundError:
            pass
        os.close(fd)  # another save took it for stale between its creation and the lock


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Replace the file at ``path`` (through symlinks) with ``data``; returns the real path.

    If anything fails, the old file is left as it was and the error propagates:
    FileAccessError for a NUL in the name or a read-only file, OSError otherwise.
    """
    target = real_target(path)
    _refuse_read_only(target)
    remove_stale_temporaries(target)
    fd, temporary = _locked_temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            # mkstemp makes the file private (0600): give it the mode a plain write would.
            os.chmod(temporary, _file_mode(target))  # os.fchmod is POSIX-only
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if fcntl is not None:
                os.replace(temporary, target)  # before the close, which drops the lock
        if fcntl is None:
            os.replace(temporary, target)  # Windows cannot rename an open file
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return target

"""Output files: atomic_path (a temporary file moved into place) and the write errors."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from khooshe.domain.errors import KhoosheError
from khooshe.io.tables._limits import TableFormatError
from khooshe.text.messages import Message

#: ``errno`` of a path that cannot be used (bad input: exit 2), as against a failure of the
#: machine such as a full disk (exit 1).
_UNUSABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.ENOENT,
                       errno.ENOTDIR, errno.EISDIR, errno.ELOOP, errno.EEXIST, errno.EINVAL})


class OutputError(KhoosheError):
    """Writing an output failed for a reason other than the path (a full disk…): exit 1."""


def _write_error(path: Path, exc: OSError) -> KhoosheError:
    """The one-line error for ``exc`` met writing ``path``: a path that cannot be used is the
    user's to change (:class:`TableFormatError`, exit 2), anything else is not (exit 1)."""
    reason = exc.strerror or str(exc)
    if exc.errno in _UNUSABLE:
        return TableFormatError(Message("io.write.unusable", {"path": str(path),
                                                               "reason": reason}))
    return OutputError(Message("io.write.failed", {"path": str(path), "reason": reason}))


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; moved onto ``path`` when the block ends
    without error, removed otherwise — so a failure never leaves a half-written file.

    The temporary file is created new (``O_EXCL | O_NOFOLLOW``: never through an existing file
    or a symbolic link someone planted) with a short name (``.khooshe-XXXXXXXX.tmp``, so any
    valid output name works), in ``path``'s directory so the final move is atomic. The file
    gets the permissions of any new file (``0666`` less the umask), not a temporary file's
    ``0600``. A path that cannot be used (not permitted, too long, read-only) is a
    :class:`TableFormatError` (exit 2); another failure, e.g. a full disk, an
    :class:`OutputError` (exit 1).

    >>> with atomic_path("out.html") as tmp:  # doctest: +SKIP
    ...     tmp.write_text(page)
    """
    import secrets

    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        for _ in range(100):
            tmp = path.parent / f".khooshe-{secrets.token_hex(4)}.tmp"
            try:
                os.close(os.open(tmp, flags, 0o666))  # the umask applies, as for any new file
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(tmp))
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        yield tmp
        tmp.replace(path)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)

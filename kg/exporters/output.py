"""Writing an output safely, for ``kg export -o``, ``kg extract -o`` and the CSV tables.

A file is written to a temporary file beside it, flushed to the disk, and
renamed over it only once whole, so a failed write (a full disk, an error in
the export, Ctrl-C) removes the temporary file and leaves the previous file
as it was (``E152``). Only a new name or a regular file is written: a
symbolic link, named pipe, device, socket or folder at the path is refused
(``E150``) and left as it was, so an output never writes through a link to
another place nor blocks on a pipe; nor are missing folders created
(``E151``), so a mistyped path cannot scatter folders about.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with output_file(folder / "kg.nq") as stream:
...     _ = stream.write(b"<urn:a> <urn:b> <urn:c> .\\n")
>>> [path.name for path in folder.iterdir()]
['kg.nq']
>>> (folder / "link.nq").symlink_to(folder / "kg.nq")
>>> with output_file(folder / "link.nq") as stream:  # doctest: +ELLIPSIS
...     pass
Traceback (most recent call last):
kg.errors.KGError: [E150] .../link.nq is a symbolic link, not a regular file; ...
"""
from __future__ import annotations

import io
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kg.errors import Errors, KGError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["check_output", "output_file", "output_files", "output_folder", "output_text"]

# What the kind of a file is called in E150, by its stat.S_IS* test.
_KINDS = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _status(path: Path) -> os.stat_result | None:
    """The status of ``path`` itself (a link is not followed), or None when nothing is there."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise KGError(Errors.E044.format(path=path, detail=e.strerror or e)) from e


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _check_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise KGError(Errors.E151.format(path=path, folder=path.parent))


def check_output(path: str | os.PathLike) -> os.stat_result | None:
    """Raise ``KGError`` unless ``path`` can be written as an output file: E150 if something other
    than a regular file is there, E151 if its folder does not exist. Returns the status of the
    regular file that writing would replace, or None for a new file.

    >>> check_output("/dev/null")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.errors.KGError: [E150] /dev/null is a character device, not a regular file; ...
    >>> check_output("/no/such/folder/kg.gexf")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.errors.KGError: [E151] /no/such/folder/kg.gexf: there is no folder /no/such/folder to write it in. ...
    """
    path = Path(path)
    status = _status(path)
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise KGError(Errors.E150.format(path=path, kind=_kind(status.st_mode), expected="regular file"))
    _check_folder(path)
    return status


class _Recorded(io.BufferedWriter):
    """A file that remembers the first error of a write to it, so that a failed write is told from
    an error of the code writing (a store that cannot be read, a bad option)."""

    error: OSError | None = None

    def write(self, data: ReadableBuffer, /) -> int:
        try:
            return super().write(data)
        except OSError as e:
            self.error = self.error or e
            raise

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as e:
            self.error = self.error or e
            raise

    def finish(self) -> None:
        """Flush to the disk and close: the data is there before the rename makes it the file."""
        self.flush()
        try:
            os.fsync(self.fileno())
        except OSError as e:
            self.error = self.error or e
            raise
        self.close()


@contextmanager
def output_file(path: str | os.PathLike) -> Iterator[io.BufferedWriter]:
    """A binary stream whose bytes become the file ``path`` when the ``with`` block ends without error.

    The target is checked first (:func:`check_output`: E150, E151), before any work is done. A
    regular file that is replaced keeps its permissions. If the block raises, or a write fails (a
    full disk: E152), the temporary file is removed and ``path`` is as it was; E044 if the
    temporary file cannot be made or renamed (no permission, a read-only disk).
    """
    with output_files(path) as (stream,):
        yield stream


@contextmanager
def output_files(*paths: str | os.PathLike) -> Iterator[list[io.BufferedWriter]]:
    """:func:`output_file` for files that go together (the CSV tables of nodes and edges): every
    path is checked before any is written, and each is renamed over its target only once all are
    whole and on the disk, so a failure leaves all of them as they were."""
    targets = [Path(path) for path in paths]
    previous = [check_output(path) for path in targets]
    parts: list[Path] = []
    streams: list[_Recorded] = []
    try:
        for path, prior in zip(targets, previous):
            parts.append(path.with_name(f".{path.name}.{secrets.token_hex(4)}.part"))
            streams.append(_temporary(path, parts[-1], prior))
        yield list(streams)
        for stream in streams:
            stream.finish()
    except BaseException as e:
        failed = [stream.error for stream in streams]  # before closing, whose flush of what is left may fail too
        for stream in streams:
            with suppress(OSError):
                stream.close()
        for part in parts:
            part.unlink(missing_ok=True)
        for path, prior, error in zip(targets, previous, failed):
            if error is not None:
                outcome = "nothing was written" if prior is None else "the previous file is as it was"
                raise KGError(Errors.E152.format(path=path, detail=error.strerror or error, outcome=outcome)) from e
        raise
    for path, part in zip(targets, parts):
        try:
            os.replace(part, path)
        except OSError as e:
            for left in parts:
                left.unlink(missing_ok=True)
            raise KGError(Errors.E044.format(path=path, detail=e.strerror or e)) from e


def _temporary(path: Path, part: Path, previous: os.stat_result | None) -> _Recorded:
    """The new file ``part``, to be renamed to ``path``, with the permissions of the ``previous`` file there."""
    try:
        # O_EXCL: a new file of our own, never one that a link there points to; 0o666 less the umask, as open() gives
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:
        raise KGError(Errors.E044.format(path=path, detail=e.strerror or e)) from e
    stream = _Recorded(io.FileIO(descriptor, "wb"))
    try:
        if previous is not None:
            os.chmod(descriptor, stat.S_IMODE(previous.st_mode))
    except OSError as e:
        stream.close()
        raise KGError(Errors.E044.format(path=path, detail=e.strerror or e)) from e
    return stream


@contextmanager
def output_text(path: str | os.PathLike) -> Iterator[TextIO]:
    """:func:`output_file` as UTF-8 text, ``\\n`` line ends.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> with output_text(target) as out:
    ...     _ = out.write('{"predicate": "send"}\\n')
    >>> target.read_text()
    '{"predicate": "send"}\\n'
    """
    with output_file(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # the binary stream is output_file's to close


@contextmanager
def output_folder(path: str | os.PathLike) -> Iterator[Path]:
    """The folder ``path`` to write files in: an existing folder (a link to one is refused, E150, as
    is any other kind of file) or a new one made in an existing folder (E151 if there is none),
    removed again if it is still empty when the ``with`` block raises."""
    path = Path(path)
    status = _status(path)
    if status is not None and not stat.S_ISDIR(status.st_mode):
        raise KGError(Errors.E150.format(path=path, kind=_kind(status.st_mode), expected="folder"))
    made = status is None
    if made:
        _check_folder(path)
        try:
            path.mkdir()
        except OSError as e:
            raise KGError(Errors.E044.format(path=path, detail=e.strerror or e)) from e
    try:
        yield path
    except BaseException:
        if made:
            with suppress(OSError):
                path.rmdir()
        raise

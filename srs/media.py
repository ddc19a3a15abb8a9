"""Media files (images, sounds) of imported Anki notes, kept in a folder next to the
database (``srs-media/``) and carried back by `srs export`.

A file already there with the same bytes is shared; one with the same name and other bytes
is kept, and the incoming file is stored under a name with a hash of its content (the
notes that use it are pointed at that name).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from srs.errors import SrsError

FOLDER = "srs-media"


def media_folder(db_path: Path) -> Path:
    return Path(db_path).parent / FOLDER


def _safe(name: str) -> bool:
    return (
        bool(name)
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
    )


@dataclass
class Placed:
    """Where the package's media went: new names for clashes, the files written."""

    renames: dict[str, str] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    shared: int = 0  # already there, same bytes
    made_folder: Path | None = None  # the media folder, if this import made it

    def remove_written(self) -> None:
        """Undo: the files this import wrote, and the folder if it made it (it failed)."""
        for path in self.written:
            with contextlib.suppress(OSError):
                path.unlink()
        if self.made_folder is not None:
            with contextlib.suppress(OSError):
                self.made_folder.rmdir()  # only if empty: never what something else put there


def place_media(
    names: Iterable[str], read: Callable[[str], bytes], folder: Path, *, dry_run: bool = False
) -> Placed:
    """Copy each named file (its bytes from ``read``) into ``folder``; a dry run writes nothing."""
    placed = Placed()
    if folder.exists() and not folder.is_dir():
        raise SrsError(f"{folder}: a file where srs keeps media files (a folder); move it away")
    for name in names:
        if not _safe(name):
            raise SrsError(f"media file name {name!r} is not a plain file name")
        data = read(name)
        target = folder / name
        if target.exists():
            if target.read_bytes() == data:
                placed.shared += 1
                continue
            stem, dot, suffix = name.rpartition(".")
            digest = hashlib.sha1(data).hexdigest()[:8]
            new = f"{stem}-{digest}.{suffix}" if dot and stem else f"{name}-{digest}"
            placed.renames[name] = new
            target = folder / new
            if target.exists() and target.read_bytes() == data:
                placed.shared += 1
                continue
        if not dry_run:
            try:
                if not folder.is_dir():
                    folder.mkdir(parents=True)
                    placed.made_folder = folder
                tmp = target.with_name(f".{target.name}.tmp")
                tmp.write_bytes(data)
                os.replace(tmp, target)
            except OSError as e:
                placed.remove_written()
                raise SrsError(f"{target}: cannot write ({e.strerror or e})") from None
        placed.written.append(target)
    return placed

"""What `srs export` decides before the exporter writes: where the package goes and under
which name, and what it needs to carry FSRS's memory states. No terminal code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from srs.errors import SrsError

if TYPE_CHECKING:
    from srs.records import FsrsProgress
    from srs.settings import Settings
    from srs.store import Store


def fsrs_progress(store: Store, settings: Settings) -> FsrsProgress | None:
    """Under FSRS, what the package needs to carry each card's memory state; else None."""
    if settings.scheduler != "fsrs":
        return None
    from srs.records import FsrsProgress
    from srs.scheduler import parameters_of

    of = parameters_of(store.fitted_parameters())
    decays = {name: of(name)[20] for name in store.deck_names().values()}
    return FsrsProgress(settings.desired_retention, decays)


def default_apkg_name(decks: list[str]) -> str:
    """`<deck>.apkg` for one deck tree, else `srs.apkg`; `::` becomes `-`, unsafe characters `_`."""
    roots = {name.split("::")[0] for name in decks}
    name = decks[0] if len(decks) == 1 else (roots.pop() if len(roots) == 1 else "srs")
    safe = "".join(ch if ch.isalnum() or ch in " ._-" else "_" for ch in name.replace("::", "-"))
    return safe.strip(" .") + ".apkg"


def apkg_path(output: str | None, decks: list[str]) -> Path:
    """Where to write: ``-o`` as given, with ``.apkg`` added when it has another ending; in
    a folder (``-o DIR/``, ``-o .``), the default name there; without ``-o``, here."""
    if output is None:
        return Path(default_apkg_name(decks))
    path = Path(output)
    if output.endswith(("/", os.sep)) or path.is_dir():
        if not path.is_dir():
            raise SrsError(f"cannot write to {output}: no such folder")
        return path / default_apkg_name(decks)
    return path if path.suffix.lower() == ".apkg" else path.with_name(path.name + ".apkg")

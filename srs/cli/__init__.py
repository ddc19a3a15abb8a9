"""The `srs` command line, on typer: thin commands over the library.

- :mod:`.app`: the typer app, its root options, and the command groups registered on it;
- :mod:`.options`: the options every command shares, and small output helpers;
- :mod:`.study`: import, review, export;
- :mod:`.tracking`: due, decks, stats, cards, show;
- :mod:`.control`: suspend, unsuspend, reset, forget, config, postpone, backup;
- :mod:`.screen`: the review session in a terminal (or a pipe), no typer in it.

Each command parses its arguments, opens the store, calls the library and prints. An
SrsError is turned into one line and exit code 1 in one place: :func:`srs.entry.main`.
"""

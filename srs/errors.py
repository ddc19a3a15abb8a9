"""The project's own error type: a user-facing problem, printed as one line."""


class SrsError(Exception):
    """A problem the user can fix (bad file, flag, database). Shown without a traceback."""

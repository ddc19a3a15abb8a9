"""The project's own error type: a user-facing problem, printed as one line."""


class SrsError(Exception):
    """A problem the user can fix (bad file, flag, database). Shown without a traceback."""


def why_not_written(path: object, error: OSError) -> str:
    """Why a file could not be made at ``path``, in a few words: a missing folder is named."""
    import errno
    import os

    folder = os.path.dirname(os.fspath(path)) or "."  # type: ignore[arg-type]
    if error.errno == errno.ENOENT and not os.path.isdir(folder):
        return f"no such folder {folder}"
    return error.strerror or str(error)

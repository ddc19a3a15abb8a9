"""Whole-process timing: a fresh interpreter per run, medians, interleaved variants."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.build import NOW

VENV_BIN = Path(sys.executable).parent
SRS = str(VENV_BIN / "srs")
PYTHON = sys.executable


def env() -> dict[str, str]:
    """Pinned clock and zone, fixed shuffle, no colour, no default database."""
    # PYTHONDONTWRITEBYTECODE would make every run recompile srs from source (~15 ms),
    # which no installed copy does: bytecode is allowed, and the warm-up round writes it.
    dropped = {"SRS_DB", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE"}
    out = {k: v for k, v in os.environ.items() if k not in dropped}
    out.update(TZ="UTC", SRS_NOW=NOW, SRS_SEED="1", NO_COLOR="1")
    return out


@dataclass
class Run:
    seconds: float
    maxrss_mb: float


def run(cmd: Sequence[str], stdin: bytes = b"") -> Run:
    """Run one process to the end; wall time and its own peak RSS (wait4, not the family's)."""
    with tempfile.TemporaryFile() as inp, tempfile.TemporaryFile() as err:
        inp.write(stdin)
        inp.seek(0)
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=inp, stdout=subprocess.DEVNULL, stderr=err, env=env())
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.read().decode()}")
    return Run(seconds, usage.ru_maxrss / 1024)


@dataclass
class Variant:
    name: str
    cmd: Sequence[str]
    stdin: bytes = b""
    before: Callable[[], None] | None = None  # untimed set-up (fresh copy of a database...)
    after: Callable[[], None] | None = None  # untimed tidy-up (revert a review session...)
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.maxrss_mb for r in self.runs)


def interleave(variants: list[Variant], runs: int, *, warmup: int = 1) -> list[Variant]:
    """Run A, B, C, ... round after round (order reversed every other round); keep medians."""
    for i in range(warmup + runs):
        order = variants if i % 2 == 0 else variants[::-1]
        for v in order:
            if v.before:
                v.before()
            r = run(v.cmd, v.stdin)
            if v.after:
                v.after()
            if i >= warmup:
                v.runs.append(r)
    return variants

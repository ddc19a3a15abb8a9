"""Run the README's console blocks and compare their output, or write it in: the README
cannot drift from what srs prints.

    python -m scripts.readme            check: print what differs, exit 1 if anything does
    python -m scripts.readme --update   write the real output into README.md (`make readme`)

Every ```console block is part of one shell session, run in order in a scratch folder that
holds copies of decks/ and tests/data/, with that folder as the home (so srs starts with no
database), TZ=UTC, 80 columns and no colour. A `$ ` line is a command, the lines after it its
output (stdout and stderr as a terminal shows them). Commands: `export NAME=value...`,
`srs ...` (`NAME=value` in front if wanted), `python -m scripts.demo` or `scripts.learner`, and
`cp` and `sed` to make or edit a file. A block may be indented (in a list item). A line `...` in the
README's output stands for any lines there (the part of a long output not shown). A review's
typed answers are read from its transcript (`answer> b`) and fed to it. Not compared: the
time a session or a fit took, and the size of a package written (the seconds each answer took go
into it).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
COPIED = ("decks", "tests/data")  # what the README's commands read, by relative path

_PROMPT = re.compile(r"^(?:answer|grade [^>]*|\(Enter shows the answer\))> ?(.*)$")
_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
_TOOK = re.compile(r"^((?:Session|Cram) done: .*, )(?:\d+m )?\d+s\.$")
# How long a fit took ("... in 0.5 s.").
_FIT_TOOK = re.compile(r"\bin \d+(?:\.\d+)? s\.")
# A package's size moves with the seconds each answer took (they go into Anki's review log).
_SIZE = re.compile(r"\b\d+\.\d (?:KiB|MiB)\b")


@dataclass
class Command:
    """One `$ ` line of a console block and the output written under it."""

    line: str
    expected: list[str] = field(default_factory=list)
    number: int = 0  # the README line it is on

    def typed(self) -> str:
        """What the transcript shows typed at the prompts, one answer a line."""
        answers = [m.group(1) for line in self.expected if (m := _PROMPT.match(line))]
        return "".join(answer + "\n" for answer in answers)


@dataclass
class Block:
    """A console block: its commands, and the README lines it spans (fences excluded)."""

    first: int
    last: int
    commands: list[Command]
    indent: str = ""  # a block in a list item is indented


def blocks(text: str) -> list[Block]:
    """Every ```console block of a Markdown text."""
    found: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        first = i + 1
        commands: list[Command] = []
        i += 1
        while lines[i].strip() != "```":
            line = lines[i].removeprefix(indent)
            if line.startswith("$ "):
                commands.append(Command(line[2:], number=i + 1))
            elif commands:
                commands[-1].expected.append(line)
            else:
                raise ValueError(f"README.md:{i + 1}: output before the first command")
            i += 1
        found.append(Block(first, i, commands, indent))
        i += 1
    return found


def trimmed(lines: list[str]) -> list[str]:
    """Output as the README holds it: no trailing spaces, no blank lines at the end."""
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def comparable(lines: list[str]) -> list[str]:
    """Output as compared: trimmed; the time a session took and a package's size left out."""
    return [
        _FIT_TOOK.sub("in (time).", _SIZE.sub("(size)", _TOOK.sub(r"\1(time)", line)))
        for line in trimmed(lines)
    ]


class Shell:
    """The session the blocks run in: a scratch folder and the environment exported so far."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        for part in COPIED:
            shutil.copytree(REPO / part, folder / part)
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SRS_", "PYTEST", "XDG_DATA_HOME"))
        }
        # The scratch folder as the home: the database srs makes is where it goes on a new
        # machine, and srs names it from "~" (the same line on any machine).
        self.env.update(
            HOME=str(folder),
            TZ="UTC",
            COLUMNS="80",
            NO_COLOR="1",
            PYTHONUNBUFFERED="1",  # stdout and stderr interleaved as they were written
            PYTHONPATH=str(REPO),  # for `python -m scripts.demo`
        )

    def run(self, command: Command) -> list[str]:
        """The command's output, as lines."""
        words = shlex.split(command.line)
        if words[0] == "export":
            self.env.update(word.split("=", 1) for word in words[1:])
            return []
        env = dict(self.env)
        while words and _ASSIGNMENT.match(words[0]):
            name, value = words.pop(0).split("=", 1)
            env[name] = value
        if words[0] == "srs":
            argv = [sys.executable, "-m", "srs", *words[1:]]
        elif words[:3] == ["python", "-m", "scripts.demo"] or words[:3] == [
            "python",
            "-m",
            "scripts.learner",
        ]:
            argv = [sys.executable, *words[1:]]
        elif words[0] in ("cp", "sed"):
            argv = words
        else:
            raise ValueError(f"README.md:{command.number}: cannot run {command.line!r}")
        result = subprocess.run(
            argv,
            input=command.typed(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.folder,
            env=env,
            timeout=120,
        )
        return result.stdout.split("\n")


def run_all(found: list[Block], folder: Path) -> list[list[list[str]]]:
    """Every command's output, block by block, in one shell session in `folder`."""
    shell = Shell(folder)
    return [[shell.run(command) for command in block.commands] for block in found]


def differences(text: str, folder: Path) -> list[str]:
    """A unified diff per command whose output differs from the README's."""
    found = blocks(text)
    out = []
    for block, outputs in zip(found, run_all(found, folder), strict=True):
        for command, actual in zip(block.commands, outputs, strict=True):
            want, got = comparable(command.expected), comparable(actual)
            if not matches(want, got):
                out.append(
                    "\n".join(
                        difflib.unified_diff(
                            want, got, f"README.md:{command.number} $ {command.line}", "actual"
                        )
                    )
                )
    return out


ELIDED = "..."


def matches(want: list[str], got: list[str]) -> bool:
    """Whether the output is what the README shows, a `...` line standing for any lines."""
    if ELIDED not in want:
        return want == got
    parts: list[list[str]] = [[]]
    for line in want:
        if line == ELIDED:
            parts.append([])
        else:
            parts[-1].append(line)
    head, *middle, tail = parts
    if got[: len(head)] != head or len(got) < len(head) + len(tail):
        return False
    if tail and got[len(got) - len(tail) :] != tail:
        return False
    at, end = len(head), len(got) - len(tail)
    for part in middle:  # each in order, as early as it fits
        found = next(
            (i for i in range(at, end - len(part) + 1) if got[i : i + len(part)] == part), None
        )
        if found is None:
            return False
        at = found + len(part)
    return True


def updated(text: str, folder: Path) -> str:
    """The README with every console block's output replaced by the real one (an output
    with `...` lines that still matches is left as it is)."""
    lines = text.split("\n")
    found = blocks(text)
    for block, outputs in reversed(list(zip(found, run_all(found, folder), strict=True))):
        body: list[str] = []
        for command, actual in zip(block.commands, outputs, strict=True):
            body.append("$ " + command.line)
            keep = matches(comparable(command.expected), comparable(actual))
            body.extend(trimmed(command.expected) if keep else trimmed(actual))
        body = [block.indent + line if line else line for line in body]
        lines[block.first : block.last] = body
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.readme", description=__doc__)
    parser.add_argument("--update", action="store_true", help="write the real output in")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        if args.update:
            new = updated(text, Path(folder))
            README.write_text(new, encoding="utf-8")
            print("README.md: up to date" if new == text else "README.md: console output updated")
            return 0
        diffs = differences(text, Path(folder))
    for diff in diffs:
        print(diff)
    print(f"README.md: {len(diffs)} console outputs differ" if diffs else "README.md: true")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

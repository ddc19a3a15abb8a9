"""The review screen in a real pseudo-terminal (pexpect): what a user sees and types.

Each test drives `srs review` as a user would, at a given terminal width, and reads the
screen back (escape sequences dropped where only the text matters).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from helpers import DECKS, now_at, run_srs, screen_lines, spawn_review
from hypothesis import given
from hypothesis import strategies as st

from srs.cli.text import Part, parts
from srs.importers import read_file
from srs.store import Store

pexpect = pytest.importorskip("pexpect")

LONG_QUESTION = (
    "Which of these recommendations for deploying machine-learning models keeps the serving"
    " path reproducible, observable and easy to roll back when a release misbehaves?"
)
LONG_OPTION = (
    "Package the model with its preprocessing code in a versioned container image, deploy it"
    " behind a canary, and keep the previous image ready to serve"
)
WRAP_DECK = f"""\
# Wrap

## {LONG_QUESTION}

- [x] {LONG_OPTION}
- [ ] Copy the notebook to the server
- [ ] Retrain on every request
"""

CODE_DECK = """\
# Code

## What does this print?

Given `s = "spaced"`:

```python
def f(s):
    if s:
        return s[1:3]
print(f("spaced"))
```

- [x] `pa`
- [ ] `sp`
- [ ] `pac`
"""

TWO_RIGHT_DECK = """\
# Tools

## Which of these are AWS developer tools?

- [x] CodeBuild
- [x] CodeDeploy
- [ ] CloudTrail
- [ ] Excel
"""


def deck_db(tmp_path: Path, text: str) -> Path:
    """A database holding the deck `text` (imported in-process: quicker than a child)."""
    source = tmp_path / "deck.md"
    source.write_text(text)
    result = read_file(source)
    assert not result.problems, result.problems
    db = tmp_path / "srs.db"
    with Store.open(db) as store:
        store.import_questions([(result.deck, str(source), result.questions)], now_at())
    return db


@pytest.fixture
def bundled(tmp_path) -> Path:
    db = tmp_path / "srs.db"
    with Store.open(db) as store:
        for path in sorted(DECKS.glob("*.md")):
            r = read_file(path)
            store.import_questions([(r.deck, str(path), r.questions)], now_at())
    return db


def letters(screen: str, wanted: set[str]) -> str:
    """The letters of the options whose text is in `wanted`, as shown on `screen`."""
    options = re.findall(r"^  ([a-z])\) (.*)$", "\n".join(screen_lines(screen)), re.M)
    return "".join(sorted(letter for letter, text in options if text.strip("`") in wanted))


def finish(child) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return child.before


def reviews(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT card_id, grade, chosen, correct FROM reviews").fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------- 1. word wrap


def test_long_text_wraps_at_the_terminal_width_with_options_indented(tmp_path):
    db = deck_db(tmp_path, WRAP_DECK)
    child = spawn_review(db, columns=60)
    child.expect("answer> ")
    lines = screen_lines(child.before)
    child.sendline("")
    child.expect(r"grade 0-2 \[1\]> ")
    answer = [line for line in screen_lines(child.before) if line.strip()]
    child.sendcontrol("c")
    finish(child)
    # Too long for the verdict's line, the right option goes under it, as it was shown.
    assert answer[0] == "Not answered. The answer:"
    assert re.match(r"^  [a-c]\) Package the model", answer[1])
    assert all(line.startswith("     ") for line in answer[2:]) and len(answer) > 2
    assert max(len(line) for line in lines) <= 60
    words = " ".join(lines).split()
    # No word is broken across lines: every word of the question and the option is whole.
    for word in (LONG_QUESTION + " " + LONG_OPTION).split():
        assert word in words, word
    # The long option is continued under its own text, not under its letter.
    first = next(i for i, line in enumerate(lines) if "Package the model" in line)
    assert re.match(r"^  [a-c]\) Package the model", lines[first])
    assert lines[first + 1].startswith("     ") and lines[first + 1][5] != " "


# ---------------------------------------------------------------- 2. code as code


def test_code_shows_as_code_with_colour(tmp_path):
    db = deck_db(tmp_path, CODE_DECK)
    child = spawn_review(db, color=True, SRS_SEED="1")
    child.expect("answer> ")
    raw = child.before
    child.sendcontrol("c")
    finish(child)
    lines = screen_lines(raw)
    assert not any("```" in line for line in lines)
    # The block is indented by four, its own indentation kept, and highlighted.
    assert lines[lines.index("    def f(s):") + 1 : lines.index('    print(f("spaced"))')] == [
        "        if s:",
        "            return s[1:3]",
    ]
    assert re.search(r"\x1b\[[0-9;]*m\s*def\b", raw) or re.search(r"\x1b\[[0-9;]*mdef", raw)
    # Inline code loses its backticks, and is styled instead.
    assert 'Given s = "spaced":' in lines
    assert not any("`" in line for line in lines)
    assert re.search(r'\x1b\[[0-9;]*ms = "spaced"', raw)


def test_code_without_colour_keeps_the_backticks_of_inline_code(tmp_path):
    db = deck_db(tmp_path, CODE_DECK)
    child = spawn_review(db, SRS_SEED="1")
    child.expect("answer> ")
    lines = screen_lines(child.before)
    child.sendcontrol("c")
    finish(child)
    assert "\x1b" not in child.before
    assert 'Given `s = "spaced"`:' in lines
    assert "            return s[1:3]" in lines and not any("```" in line for line in lines)


# ---------------------------------------------------------------- 3. Enter: "I don't know"


def test_enter_at_the_answer_prompt_shows_the_answer_as_not_known(bundled):
    child = spawn_review(bundled)
    child.expect("answer> ")
    child.sendline("")
    child.expect(r"Not answered\. The answer:\s+[a-e]\) Automating the deployment")
    child.expect(r"grade 0-2 \[1\]> ")
    child.sendline("")
    child.expect("Again later today.")
    child.expect("answer> ")
    child.sendline("q")
    finish(child)
    assert reviews(bundled) == [(1, 1, "[]", 0)]


# ---------------------------------------------------------------- 4. how many to choose


def test_a_card_with_two_right_options_says_choose_2(tmp_path):
    db = deck_db(tmp_path, TWO_RIGHT_DECK)
    child = spawn_review(db)
    child.expect("answer> ")
    screen = child.before
    assert "Choose 2:" in screen_lines(screen)
    both = letters(screen, {"CodeBuild", "CodeDeploy"})
    child.sendline(both[0])
    child.expect(re.escape("Choose 2 letters (Enter shows the answer, ? for help)."))
    child.expect("answer> ")
    child.sendline(both)
    child.expect(r"Right\.")
    child.expect(r"grade 0-5 \[4\]> ")
    child.sendline("")
    finish(child)
    (row,) = reviews(db)
    assert row[1:] == (4, "[0, 1]", 1)


# ---------------------------------------------------------------- 5. quitting never grades


def test_quitting_at_the_grade_prompt_says_the_card_was_not_graded(bundled):
    child = spawn_review(bundled)
    child.expect("answer> ")
    child.sendline("a")
    child.expect(r"grade 0-\d \[\d\]> ")
    child.sendline("q")
    child.expect(re.escape("Not graded: #1 (quitting never grades for you)."))
    child.expect("Nothing reviewed.")
    finish(child)
    assert reviews(bundled) == []


def test_help_says_what_enter_and_q_do(bundled):
    child = spawn_review(bundled)
    child.expect("answer> ")
    child.sendline("?")
    child.expect("answer> ")
    shown = "\n".join(screen_lines(child.before))
    child.sendline("q")
    finish(child)
    assert "Enter  multiple choice, at answer>: show the answer, as not known" in shown
    assert "q      quit (a card not yet graded stays ungraded)" in shown


# ---------------------------------------------------------------- 6. the summary


def test_the_summary_says_what_is_left_today_and_due_tomorrow(bundled):
    child = spawn_review(bundled)
    child.expect("answer> ")
    child.sendline("")  # not known: comes back later today, and is due tomorrow
    child.expect(r"grade 0-2 \[1\]> ")
    child.sendline("")
    child.expect("answer> ")
    child.sendline("q")
    child.expect(pexpect.EOF)
    summary = [line for line in screen_lines(child.before) if line][-3:]
    assert summary[0].startswith("Session done: 1 reviewed, 0% right, ")
    assert summary[1:] == [
        "Left for today: 19 new · 1 learning · 0 review.",
        "Due tomorrow: 20 new · 1 review.",
    ]
    # As `srs due` counts them, today and tomorrow.
    due = json.loads(run_srs("due", "--json", "--db", str(bundled)).stdout)["total"]
    assert due == {"new": 19, "learning": 1, "review": 0}
    tomorrow = run_srs("due", "--on", "tomorrow", "--json", "--db", str(bundled)).stdout
    assert json.loads(tomorrow)["total"] == {"new": 20, "learning": 0, "review": 1}


# ---------------------------------------------------------------- 7. cram, from the first card


def test_a_cram_session_says_so_on_its_first_card(bundled):
    child = spawn_review(bundled, "--cram", "--deck", "MLOps::Basics")
    child.expect("answer> ")
    header = next(line for line in screen_lines(child.before) if line.startswith("["))
    child.sendline("q")
    finish(child)
    assert re.fullmatch(r"\[cram, schedules unchanged · 10 left\]  MLOps::Basics  #\d+", header)


# ---------------------------------------------------------------- 14. no cards yet


def test_an_empty_database_says_how_to_add_cards(tmp_path):
    db = tmp_path / "empty.db"
    Store.open(db).close()
    child = spawn_review(db)
    output = finish(child)
    assert screen_lines(output)[:3] == [
        "No cards yet. Add some first:",
        "  srs import FILE...     your own question banks (Markdown or text; see the README)",
        "  srs import --bundled   the decks that ship with srs (MLOps basics, CI/CD for ML)",
    ]
    assert reviews(db) == []


# ---------------------------------------------------------------- card text, split for drawing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plain `code` stays prose", [Part("Plain `code` stays prose")]),
        (
            "Q?\n\n```python\n  x = 1\n```\nafter",
            [Part("Q?"), Part("  x = 1", code=True, language="python"), Part("after")],
        ),
        ("~~~\n```\n~~~", [Part("```", code=True)]),  # another fence inside is code
        ("````\na\n```\n````", [Part("a\n```", code=True)]),  # closed by as many or more
        ("```\nnever closed", [Part("never closed", code=True)]),
        ("   ```sh\nls\n   ```", [Part("ls", code=True, language="sh")]),
        ("    ```\nindented four: not a fence", [Part("    ```\nindented four: not a fence")]),
    ],
)
def test_card_text_parts(text, expected):
    assert parts(text) == expected


@given(st.text(alphabet=st.sampled_from(["`", "~", " ", "\n", "a", "#", "x"]), max_size=60))
def test_card_text_without_fences_is_one_part_as_written(text):
    if "```" in text or "~~~" in text:
        assert all(isinstance(p, Part) for p in parts(text))
    else:
        expected = text.strip("\n")
        assert parts(text) == ([Part(expected)] if expected else [])

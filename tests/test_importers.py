"""The question-bank parsers: the real seeds, the bundled decks, every layout's edge cases."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from textwrap import dedent

import pytest
from helpers import DECKS, REPO, SEED_BLOCKS, SEED_LETTERED, TEXT, check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srs.errors import SrsError
from srs.importers import (
    blocks,
    canonical,
    decode,
    detect_layout,
    expand_paths,
    lettered,
    parse_text,
    read_file,
)
from srs.importers._common import CONTROL, NO_MARKS_HINT, has_control_character, read_mark
from srs.records import ParseResult, Problem, split_deck_name


def parse(text: str, path: str = "f.txt", **kwargs) -> ParseResult:
    """Parse an indented literal from a test."""
    return parse_text(dedent(text).lstrip("\n"), path, **kwargs)


def messages(result: ParseResult) -> list[str]:
    return [str(p) for p in result.problems]


# --- the real seeds, exactly as they are ---------------------------------------------------


def test_blocks_seed() -> None:
    result = read_file(SEED_BLOCKS)
    name = str(SEED_BLOCKS)
    assert result.layout == "blocks"
    assert messages(result) == [
        f"{name}:61: no answer marked",
        f'{name}:247: warning: "(Correc)" read as "(Correct)"',
    ]
    # 25 questions in the file; the unmarked one (line 61) is reported, not returned.
    assert len(result.questions) == 24
    assert 61 not in [q.line for q in result.questions]
    by_line = {q.line: q for q in result.questions}
    near_miss = by_line[241]
    assert near_miss.options[near_miss.answers[0]] == (
        "Blue/green deployment with linear traffic shifting"
    )
    regression = by_line[24]
    assert regression.options == (
        "Unit testing",
        "Integration testing",
        "Regression testing",
        "Acceptance testing",
    )
    assert regression.answers == (2,)
    for q in result.questions:
        assert q.kind == "mcq" and len(q.answers) == 1 and len(q.options) == 4
        assert not any("(Correc" in o or o != o.strip() for o in q.options)
        assert q.text == q.text.strip()


def test_lettered_seed_without_flag_is_all_errors() -> None:
    result = read_file(SEED_LETTERED)
    name = str(SEED_LETTERED)
    assert result.layout == "lettered"
    assert result.questions == []
    assert messages(result) == [f"{name}:{line}: {NO_MARKS_HINT}" for line in range(2, 70, 7)]
    assert NO_MARKS_HINT == (
        "no answer marked (nothing in this file is marked; "
        "use --first-option-correct if the first option is the right one)"
    )


def test_lettered_seed_with_first_option_correct() -> None:
    result = read_file(SEED_LETTERED, first_option_correct=True)
    assert result.problems == []
    assert len(result.questions) == 10
    first, fourth, last = result.questions[0], result.questions[3], result.questions[-1]
    assert first.title == "Foundational Understanding"
    assert first.text == "What does MLOps primarily aim to achieve in machine learning projects?"
    assert first.line == 2
    assert first.answers == (0,)
    assert first.options[0] == "Automating the deployment and monitoring of machine learning models"
    assert "model\u2019s training code" in fourth.text  # the curly apostrophe survives
    assert last.options[-1] == "To ignore hyperparameter choices"  # no newline at EOF
    assert all(len(q.options) == 5 and q.answers == (0,) for q in result.questions)


# --- the bundled decks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "deck", "count"),
    [("mlops-cicd.md", "MLOps::CI-CD for ML", 25), ("mlops-basics.md", "MLOps::Basics", 10)],
)
def test_bundled_deck(name: str, deck: str, count: int) -> None:
    result = read_file(DECKS / name)
    assert result.layout == "canonical"
    assert result.problems == []
    assert result.deck == deck
    assert len(result.questions) == count
    ids = [q.id for q in result.questions]
    assert len(set(ids)) == count
    assert all(i and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    assert all(q.kind == "mcq" and len(q.answers) == 1 for q in result.questions)


def test_bundled_decks_keep_the_seed_text() -> None:
    seed = {q.line: q for q in read_file(SEED_BLOCKS).questions}
    deck = {q.id: q for q in read_file(DECKS / "mlops-cicd.md").questions}
    rollback = deck["rollback-service"]
    assert rollback.text.startswith("After deploying a new version")
    assert rollback.options[rollback.answers[0]] == "AWS CodeDeploy"
    rollout = deck["safe-model-rollout"]
    assert (rollout.text, rollout.options, rollout.answers) == (
        seed[241].text,
        seed[241].options,
        seed[241].answers,
    )
    assert deck["git-push"].options[deck["git-push"].answers[0]] == "git push"
    deck_texts = [(q.text, q.options) for q in deck.values() if q.id != "rollback-service"]
    assert deck_texts == [(q.text, q.options) for q in seed.values()]

    seed2 = read_file(SEED_LETTERED, first_option_correct=True).questions
    basics = read_file(DECKS / "mlops-basics.md").questions
    keep = [(q.text, q.options, q.answers, q.title) for q in seed2]
    assert [(q.text, q.options, q.answers, q.title) for q in basics] == keep
    assert basics[-1].title == "Experiment Tracking"


def test_docs_example_parses_cleanly() -> None:
    doc = (REPO / "docs" / "deck-format.md").read_text(encoding="utf-8")
    example = re.search(r"````markdown\n(.*?)````", doc, re.DOTALL)
    assert example is not None
    result = parse_text(example.group(1), "example.md")
    assert result.problems == []
    assert result.deck == "MLOps::CI-CD for ML"
    kinds = [(q.id, q.kind, q.answers) for q in result.questions]
    assert kinds == [
        ("git-push", "mcq", (1,)),
        ("aws-dev-tools", "mcq", (0, 1)),
        ("python-slice", "mcq", (0,)),
        ("sm2-name", "basic", ()),
    ]


# --- layout 1: blocks ----------------------------------------------------------------------

BLOCK_CASES = [
    # (name, text, messages, questions returned)
    ("ok", "Q?\nA (Correct)\nB\n", [], 1),
    ("no mark among marks", "Q1?\nA (Correct)\nB\n---\nQ2?\nC\nD\n", ["f:5: no answer marked"], 1),
    (
        "two marks",
        "Q?\nA (Correct)\nB\nC (Correct)\n",
        ["f:4: 2 options marked correct; this layout allows one"],
        0,
    ),
    (
        "every option marked",
        "Q?\nA (Correct)\nB (Correct)\n",
        ["f:1: every option is marked correct"],
        0,
    ),
    (
        "one option",
        "Q?\nA (Correct)\n---\nQ2?\nB (Correct)\nC\n",
        ["f:1: question has only 1 option"],
        1,
    ),
    ("no options", "Q1?\n---\nQ2?\nB (Correct)\nC\n", ["f:1: question has no options"], 1),
    (
        "near miss",
        "Q?\nA (correcct)\nB\n",
        ['f:2: warning: "(correcct)" read as "(Correct)"'],
        1,
    ),
    ("incorrect is not correct", "Q?\nA (Incorrect)\nB (Correct)\n", [], 1),
    ("empty blocks ignored", "---\n\n---\n---\nQ?\nA\nB (Correct)\n---\n---\n", [], 1),
    (
        "options without a question",
        "A (Correct)\nB\n---\nQ?\nC\nD (Correct)\n",
        ["f:1: options without a question"],
        1,
    ),
    ("empty option", "Q?\n(Correct)\nB\n", ["f:2: empty option"], 0),
    (
        "duplicate",
        "Q  one?\nA (Correct)\nB\n---\nq ONE?\nA (Correct)\nB\n",
        ["f:5: duplicate question (first at line 1)"],
        1,
    ),
    ("only separators", "---\n---\n", ["f: no questions found"], 0),
    (
        "all problems listed, in line order",
        "Q1?\nA\nB\n---\nQ2?\nC (Correct)\nD (Correct)\nE\n---\nQ3?\nE (Corect)\nF\n",
        [
            "f:1: no answer marked",
            "f:7: 2 options marked correct; this layout allows one",
            'f:11: warning: "(Corect)" read as "(Correct)"',
        ],
        1,
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "count"), [c[1:] for c in BLOCK_CASES], ids=[c[0] for c in BLOCK_CASES]
)
def test_blocks_edge_cases(text: str, expected: list[str], count: int) -> None:
    result = blocks.parse(text, "f")
    assert messages(result) == expected
    assert len(result.questions) == count


def test_blocks_text_is_stripped_and_marker_removed() -> None:
    result = parse("  Which?  \n\n  right one   (Correct)  \n\nwrong \t\n")
    (q,) = result.questions
    assert (q.text, q.options, q.answers, q.line) == ("Which?", ("right one", "wrong"), (0,), 1)


# --- layout 2: lettered --------------------------------------------------------------------

LETTERED_CASES = [
    ("answer line", "Q?\n- A. x\n- B. y\nAnswer: B\n", [], [(1,)]),
    ("answer several", "Q?\n- A. x\n- B. y\n- C. z\nAnswer: a, C\n", [], [(0, 2)]),
    ("correct suffix", "Q?\n- A. x\n- B. y (Correct)\n", [], [(1,)]),
    ("suffix agrees with answer line", "Q?\n- A. x\n- B. y (Correct)\nAnswer: B\n", [], [(1,)]),
    (
        "suffix disagrees",
        "Q?\n- A. x (Correct)\n- B. y\nAnswer: B\n",
        ["f:4: Answer: line disagrees with the option marked (Correct)"],
        [],
    ),
    (
        "two suffix marks",
        "Q?\n- A. x (Correct)\n- B. y (Correct)\n- C. z\n",
        ["f:3: 2 options marked correct; this layout allows one"],
        [],
    ),
    (
        "unknown letter",
        "Q?\n- A. x\n- B. y\nAnswer: F\n",
        ['f:4: Answer: "F" is not an option'],
        [],
    ),
    ("empty answer", "Q?\n- A. x\n- B. y\nAnswer:\n", ["f:4: Answer: line names no option"], []),
    (
        "second answer line",
        "Q?\n- A. x\n- B. y\nAnswer: A\nAnswer: B\n",
        ["f:5: second Answer: line (first at line 4)"],
        [],
    ),
    (
        "answer without options",
        "Answer: A\nQ?\n- A. x (Correct)\n- B. y\n",
        ["f:1: Answer: line without options"],
        [(0,)],
    ),
    (
        "options without a question",
        "- A. x\n- B. y\nQ?\n- A. x (Correct)\n- B. y\n",
        ["f:1: options without a question"],
        [(0,)],
    ),
    (
        "options after an answer line",
        "Q?\n- A. x\n- B. y\nAnswer: A\n- C. z\n",
        ["f:5: options without a question"],
        [(0,)],
    ),
    (
        "no mark among marks",
        "Q1?\n- A. x\n- B. y\nAnswer: A\nQ2?\n- A. x\n- B. y\n",
        ["f:5: no answer marked"],
        [(0,)],
    ),
    ("one option", "Q?\n- A. x (Correct)\n", ["f:1: question has only 1 option"], []),
    (
        "question at the end with no options",
        "Q?\n- A. x (Correct)\n- B. y\nT\nQ2?\n",
        ["f:5: question has no options"],
        [(0,)],
    ),
    ("empty option", "Q?\n- A.\n- B. y (Correct)\n", ["f:2: empty option"], []),
    (
        "letters out of order",
        "Q?\n- A. x\n- C. y\nAnswer: C\n",
        ['f:3: warning: option "C" out of order (expected "B")'],
        [(1,)],
    ),
    (
        "every option marked",
        "Q?\n- A. x\n- B. y\nAnswer: A B\n",
        ["f:1: every option is marked correct"],
        [],
    ),
    (
        "duplicate",
        "T1\nQ?\n- A. x\n- B. y\nAnswer: A\nT2\nq?\n- A. x\n- B. y\nAnswer: A\n",
        ["f:7: duplicate question (first at line 2)"],
        [(0,)],
    ),
    (
        "near miss",
        "Q?\n- A. x (Corrct)\n- B. y\n",
        ['f:2: warning: "(Corrct)" read as "(Correct)"'],
        [(0,)],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "answers"),
    [c[1:] for c in LETTERED_CASES],
    ids=[c[0] for c in LETTERED_CASES],
)
def test_lettered_edge_cases(
    text: str, expected: list[str], answers: list[tuple[int, ...]]
) -> None:
    # first_option_correct must not hide anything in files where something is marked.
    for flag in (False, True):
        result = lettered.parse(text, "f", first_option_correct=flag)
        assert messages(result) == expected
        assert [q.answers for q in result.questions] == answers


def test_lettered_title_and_question() -> None:
    result = parse(
        """
        Q without a title?
        - A. x
        - B. y (Correct)

        Some Title
        Second question
        over two lines?
        - A. x
        - B. y
        Answer: A
        """
    )
    assert result.layout == "lettered"
    one, two = result.questions
    assert (one.title, one.text, one.line) == ("", "Q without a title?", 1)
    assert (two.title, two.text, two.line) == ("Some Title", "Second question\nover two lines?", 6)


# --- canonical -----------------------------------------------------------------------------

CANONICAL_CASES = [
    ("no mark", "## Q?\n- [ ] a\n- [ ] b\n## R?\n- [x] a\n- [ ] b\n", ["f:1: no answer marked"], 1),
    (
        "every option marked",
        "## Q?\n- [x] a\n- [X] b\n",
        ["f:1: every option is marked correct"],
        0,
    ),
    ("one option", "## Q?\n- [x] a\n", ["f:1: question has only 1 option"], 0),
    (
        "no answer",
        "## Q?\nid: q\n\n## R?\nAnswer.\n",
        ["f:1: question has no options and no answer"],
        1,
    ),
    ("empty heading", "##\n- [x] a\n- [ ] b\n## R?\nAnswer.\n", ["f:1: empty question heading"], 1),
    ("empty heading with hashes", "## ##\nAnswer.\n", ["f:1: empty question heading"], 0),
    (
        "options without a question",
        "# Deck\n- [x] a\n- [ ] b\n\n## R?\nAnswer.\n",
        ["f:2: options without a question"],
        1,
    ),
    ("empty option", "## Q?\n- [x]\n- [ ] b\n", ["f:2: empty option"], 0),
    (
        "malformed option",
        "## Q?\n- [x] a\n- [] b\n-[ ] c\n",
        [
            'f:3: malformed option; write "- [ ] text" or "- [x] text"',
            'f:4: malformed option; write "- [ ] text" or "- [x] text"',
        ],
        0,
    ),
    (
        "a letter for the mark, first or later: a malformed option, not text",
        "## Q?\n- [y] a\n- [ ] b\n- [x] c\n- [o] d\n",
        [
            'f:2: malformed option; write "- [ ] text" or "- [x] text"',
            'f:5: malformed option; write "- [ ] text" or "- [x] text"',
        ],
        0,
    ),
    (
        "a misspelt metadata key right under the heading",
        "## Q?\ntag: geo\nA.\n\n## R?\ntags: x\ntitel: T\nA.\n\n## S?\nreverse: yes\nA.\n",
        [
            'f:2: "tag:" is not a metadata key; write "tags:"',
            'f:7: "titel:" is not a metadata key; write "title:"',
            'f:11: "reverse:" is not a metadata key; write "reversed:"',
        ],
        0,
    ),
    (
        "a space before a key's colon",
        "## Q?\ntags : geo\nA.\n",
        ['f:2: "tags :" is not a metadata key; write "tags:"'],
        0,
    ),
    (
        "a word unlike a key, or a key after a blank line, is text",
        "## Q?\ntime: 5 minutes\n\n## R?\n\ntag: this is the answer\n",
        [],
        2,
    ),
    (
        "other boxes: two marks, a dash, parentheses, a numbered option",
        "## Q?\n- [xx] a\n- [ ] b\n- [x] c\n- [-] d\n- (x) e\n\n## R?\n\n1. [x] a\n- [ ] b\n",
        [
            'f:2: malformed option; write "- [ ] text" or "- [x] text"',
            'f:5: malformed option; write "- [ ] text" or "- [x] text"',
            'f:6: malformed option; write "- [ ] text" or "- [x] text"',
            'f:10: malformed option; write "- [ ] text" or "- [x] text"',
        ],
        0,
    ),
    (
        "a link or a numbered list in a body is text",
        "## Q?\n- [a](https://x.org) and\n1. one\n2. (two)\n\n- [x] a\n- [ ] b\n",
        [],
        1,
    ),
    (
        "a number in brackets in a body is a list, not an option",
        "## Q?\n- [1] Smith, 2020\n\n- [x] a\n- [ ] b\n",
        [],
        1,
    ),
    (
        "text after options",
        "## Q?\n- [x] a\n- [ ] b\nstray\nmore\n",
        ['f:4: text after the options; start an explanation with "> "'],
        0,
    ),
    ("empty id", "## Q?\nid:\nA.\n", ["f:2: empty id"], 0),
    (
        "bad id",
        "## Q?\nid: a b\nA.\n",
        ['f:2: bad id "a b": use letters, digits, "-", "_" and "."'],
        0,
    ),
    ("id twice", "## Q?\nid: a\nid: b\nA.\n", ["f:3: id: given twice"], 0),
    (
        "duplicate id",
        "## Q?\nid: a\nA.\n## R?\nid: a\nB.\n",
        ['f:4: duplicate id "a" (first at line 1)'],
        1,
    ),
    (
        "duplicate text",
        "## Q  one?\nA.\n## q one?\nB.\n",
        ["f:3: duplicate question (first at line 1)"],
        1,
    ),
    ("unclosed fence", "## Q?\n```\n## not a question\n", ["f:2: code fence not closed"], 0),
    ("empty deck name", "#\n## Q?\nA.\n", ["f:1: empty deck name"], 1),
    ("second deck name", "# A\n# B\n## Q?\nA.\n", ["f:2: second deck name (first at line 1)"], 1),
    (
        "deck name too late",
        "## Q?\nA.\n# B\n",
        ["f:3: deck name must come before the first question"],
        1,
    ),
    ("empty deck part", "# A::::B\n## Q?\nA.\n", ['f:1: empty part in deck name "A::::B"'], 1),
    ("description only", "# Deck\n\nJust words.\n", ["f: no questions found"], 0),
]


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [c[1:] for c in CANONICAL_CASES],
    ids=[c[0] for c in CANONICAL_CASES],
)
def test_canonical_edge_cases(text: str, expected: list[str], count: int) -> None:
    result = canonical.parse(text, "f")
    assert messages(result) == expected
    assert len(result.questions) == count


def test_canonical_full_question() -> None:
    result = parse(
        """
        Words before the first question are a description.
        - a plain list item here is description too

        #   Outer :: Inner   #

        ## Which ones are right?
        id: multi.1_x
        tags: git, aws git
        title: A title
        Some more question text.
        ### A level-3 heading is text

        - [x] first
        * [ ] second option,
          wrapped
        + [X] third

        > Because.
        >
        > Second paragraph.

        ---

        ## What does SM-2 stand for?

        SuperMemo 2.
        Title: not metadata, it is not right under the heading.

        ```
        ## inside a fence
        - [x] also inside
        ```
        > Basic cards may explain too.
        """,
        "deck.md",
    )
    assert result.problems == []
    assert result.deck == "Outer::Inner"
    mcq, basic = result.questions
    assert mcq.kind == "mcq"
    assert mcq.text == (
        "Which ones are right?\nSome more question text.\n### A level-3 heading is text"
    )
    assert (mcq.id, mcq.tags, mcq.title, mcq.line) == ("multi.1_x", ("git", "aws"), "A title", 6)
    assert mcq.options == ("first", "second option, wrapped", "third")
    assert mcq.answers == (0, 2)
    assert mcq.explanation == "Because.\n\nSecond paragraph."
    assert basic.kind == "basic" and basic.options == () and basic.id is None
    assert basic.answer == (
        "SuperMemo 2.\nTitle: not metadata, it is not right under the heading.\n\n"
        "```\n## inside a fence\n- [x] also inside\n```"
    )
    assert basic.explanation == "Basic cards may explain too."


def test_canonical_first_option_correct_only_when_nothing_marked() -> None:
    text = "## Q?\n- [ ] a\n- [ ] b\n"
    assert messages(canonical.parse(text, "f")) == [f"f:1: {NO_MARKS_HINT}"]
    assert canonical.parse(text, "f", first_option_correct=True).questions[0].answers == (0,)


# One case at least for each kind of line the canonical parser tells apart, where the cases
# above leave a branch untried: (line, text, id, options, answers, answer, explanation).
CANONICAL_LINE_CASES = [
    (
        "heading with closing hashes",
        "## Q? ##\nA.\n",
        [],
        [(1, "Q?", None, (), (), "A.", "")],
    ),
    ("heading ending in a # that is text", "## C#\nA.\n", [], [(1, "C#", None, (), (), "A.", "")]),
    (
        "metadata only right under the heading",
        "## Q?\n\nid: x\nA.\n",
        [],
        [(1, "Q?", None, (), (), "id: x\nA.", "")],
    ),
    ("indented metadata is text", "## Q?\n id: x\n", [], [(1, "Q?", None, (), (), " id: x", "")]),
    (
        "option indented by 3 spaces",
        "## Q?\n   - [x] a\n   - [ ] b\n",
        [],
        [(1, "Q?", None, ("a", "b"), (0,), "", "")],
    ),
    (
        "indent of 4 is text, not an option",
        "## Q?\n    - [x] a\n",
        [],
        [(1, "Q?", None, (), (), "    - [x] a", "")],
    ),
    (
        "two blockquotes are two paragraphs",
        "## Q?\n- [x] a\n- [ ] b\n> one\n\n> two\n",
        [],
        [(1, "Q?", None, ("a", "b"), (0,), "", "one\n\ntwo")],
    ),
    (
        "explanation before the options",
        "## Q?\n> why\n- [x] a\n- [ ] b\n",
        [],
        [(1, "Q?", None, ("a", "b"), (0,), "", "why")],
    ),
    (
        "indented line after a blank does not continue an option",
        "## Q?\n- [x] a\n- [ ] b\n\n  c\n",
        ['f:5: text after the options; start an explanation with "> "'],
        [],
    ),
    (
        "code fence in the description",
        "```\n## not a question\n- [x] nor an option\n```\n## Q?\nA.\n",
        [],
        [(5, "Q?", None, (), (), "A.", "")],
    ),
    (
        "code fence after the options",
        "## Q?\n- [x] a\n- [ ] b\n```\nx\n```\n",
        ['f:4: text after the options; start an explanation with "> "'],
        [],
    ),
    (
        "a ~~~ fence is not closed by ```",
        "## Q?\n~~~\n```\n## R?\n~~~\nA.\n",
        [],
        [(1, "Q?", None, (), (), "~~~\n```\n## R?\n~~~\nA.", "")],
    ),
    (
        "thematic breaks of each kind",
        "## Q?\n- [x] a\n- [ ] b\n***\n## R?\nB.\n___\n---\n",
        [],
        [(1, "Q?", None, ("a", "b"), (0,), "", ""), (5, "R?", None, (), (), "B.", "")],
    ),
    (
        "options without a question: one error a run, a blank line does not end it",
        "- [x] a\n\n- [ ] b\ntext\n* [ ] c\n## Q?\nA.\n",
        ["f:1: options without a question", "f:5: options without a question"],
        [(6, "Q?", None, (), (), "A.", "")],
    ),
    (
        "malformed option in the description is description",
        "- [] a\n## Q?\nA.\n",
        [],
        [(2, "Q?", None, (), (), "A.", "")],
    ),
    (
        "too many options",
        "## Q?\n- [x] a\n" + "".join(f"- [ ] {i}\n" for i in range(16)),
        ["f:1: question has 17 options; at most 16"],
        [],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "questions"),
    [c[1:] for c in CANONICAL_LINE_CASES],
    ids=[c[0] for c in CANONICAL_LINE_CASES],
)
def test_canonical_line_kinds(text: str, expected: list[str], questions: list[tuple]) -> None:
    result = canonical.parse(text, "f")
    assert messages(result) == expected
    assert [
        (q.line, q.text, q.id, q.options, q.answers, q.answer, q.explanation)
        for q in result.questions
    ] == questions


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("A", ["A"]),
        (" A :: B ", ["A", "B"]),
        ("A::B::C", ["A", "B", "C"]),
        ("A : B", ["A : B"]),
    ],
)
def test_split_deck_name(name: str, parts: list[str]) -> None:
    assert split_deck_name(name) == parts


@pytest.mark.parametrize("name", ["A::::B", "A::", "::B", "A:: ::B"])
def test_split_deck_name_empty_part(name: str) -> None:
    assert "" in split_deck_name(name)
    result = parse_text(f"# {name}\n\n## Q?\nA.\n", "f.md")
    assert messages(result) == [f'f.md:1: empty part in deck name "{name}"']


# --- markers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("x (Correct)", ("x", "(Correct)", True)),
        ("x (correct)  ", ("x", "(correct)", True)),
        ("x (CORRECT)", ("x", "(CORRECT)", True)),
        ("x(Correc)", ("x", "(Correc)", False)),
        ("x (Corrrect)", ("x", "(Corrrect)", False)),
        ("x (Crrect)", ("x", "(Crrect)", False)),
        ("x (Incorrect)", None),
        ("x (ncorrect)", None),  # as near "incorrect" as "correct": not a mark
        ("x (Wrong)", None),
        ("x (Corruption)", None),
        ("x (Correct) y", None),
        ("(Correct) x", None),
    ],
)
def test_read_mark(option: str, expected: tuple[str, str, bool] | None) -> None:
    mark = read_mark(option)
    assert (None if mark is None else (mark.text, mark.marker, mark.exact)) == expected


# --- reading files: encodings, line endings, failures ---------------------------------------

SAMPLE = "Q1?\n\nA (Correct)\nB\n---\nQ2?\nC\nD (Correc)\n"


def summary(result: ParseResult) -> tuple:
    return (result.layout, result.questions, [(p.line, p.message) for p in result.problems])


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.replace("\n", "\r\n").encode(),
        SAMPLE.replace("\n", "\r").encode(),
        codecs.BOM_UTF8 + SAMPLE.encode(),
        codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SAMPLE.replace("\n", "\r\n").encode("utf-16-be"),
        codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"),
    ],
    ids=["crlf", "cr", "utf8-bom", "utf16-le", "utf16-be-crlf", "utf32-le"],
)
def test_encodings_and_line_endings(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "q.txt"
    path.write_bytes(data)
    expected = summary(parse_text(SAMPLE, str(path)))
    assert summary(read_file(path)) == expected
    assert [q.options for q in read_file(path).questions] == [("A", "B"), ("C", "D")]
    assert [(p.line, p.severity) for p in read_file(path).problems] == [(8, "warning")]


def test_crlf_does_not_leak_into_text() -> None:
    result = parse_text("## Q?\r\n- [x] a\r\n- [ ] b\r\n", "f.md")
    assert result.questions[0].options == ("a", "b")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Q?\nA\x00B\n", "f.txt: not a text file (binary data)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "f.txt: not a text file (binary data)"),
        (b"Q?\nA (Correct)\nB \xe9t\xe9\n", "f.txt:3: invalid UTF-8 at byte 17"),
        (b"Q?\rA\r\nB\xff\n", "f.txt:3: invalid UTF-8 at byte 7"),
        (codecs.BOM_UTF8 + b"\xc3", "f.txt:1: invalid UTF-8 at byte 3"),
        (codecs.BOM_UTF16_LE + b"Q\x00?", "f.txt: invalid UTF-16 text"),
        (
            codecs.BOM_UTF16_LE + "Q\x00?".encode("utf-16-le"),
            "f.txt: not a text file (binary data)",
        ),
        (b"", "f.txt: no questions found"),
        (b"\n \r\n\t\n", "f.txt: no questions found"),
        (codecs.BOM_UTF8, "f.txt: no questions found"),
    ],
)
def test_unreadable_content_is_a_problem(
    tmp_path: Path, monkeypatch, data: bytes, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("f.txt").write_bytes(data)
    result = read_file("f.txt")
    assert messages(result) == [message]
    assert result.questions == []


def test_file_errors_raise(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(SrsError, match=r"^nope\.md: no such file$"):
        monkeypatch.chdir(tmp_path)
        read_file("nope.md")
    with pytest.raises(SrsError, match=f"^{re.escape(str(tmp_path))}: is a directory$"):
        read_file(tmp_path)
    locked = tmp_path / "locked.md"
    locked.write_text("## Q?\nA.\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    # Tests may run as root, which chmod cannot lock out; fake the refusal instead.
    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(SrsError, match=r"locked\.md: permission denied$"):
        read_file(locked)


def test_expand_paths(tmp_path: Path) -> None:
    for name in ("b.md", "a.txt", "c.csv", ".hidden.md", "sub/d.md"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    loose = tmp_path / "sub" / "d.md"
    assert expand_paths([loose, tmp_path]) == [loose, tmp_path / "a.txt", tmp_path / "b.md"]
    # A path that is neither: it may have been meant as a folder, so the error says both.
    with pytest.raises(SrsError, match=r"missing/: no such file or folder$"):
        expand_paths([f"{tmp_path / 'missing'}/"])
    assert [p.name for p in expand_paths([DECKS])] == ["mlops-basics.md", "mlops-cicd.md"]


def test_unknown_layout() -> None:
    with pytest.raises(SrsError, match="unknown layout 'csv'"):
        parse_text("Q?", "f", layout="csv")


@pytest.mark.parametrize(
    ("path", "text", "layout"),
    [
        ("x.md", "Q?\nA (Correct)\nB\n", "canonical"),
        ("x.MD", "", "canonical"),
        ("x.txt", "## Q?\n- [ ] a\n- [x] b\n", "canonical"),
        ("x.txt", "## Q?\n- A. a\n- B. b\n", "lettered"),
        ("x.txt", "T\nQ?\n- A. a\n", "lettered"),
        ("x.txt", "Q?\n-A. a\n", "blocks"),
        ("x.txt", "Q?\nA (Correct)\n---\n", "blocks"),
        ("x.txt", "", "blocks"),
    ],
)
def test_detect_layout(path: str, text: str, layout: str) -> None:
    assert detect_layout(text, path) == layout
    assert parse_text(text, path).layout == layout


def test_forced_layout() -> None:
    result = parse_text("## Q?\n- [ ] a\n- [x] b\n", "f.md", layout="blocks")
    assert result.layout == "blocks"
    assert messages(result) == [f"f.md:1: {NO_MARKS_HINT}"]


# --- properties ----------------------------------------------------------------------------

PARSERS = [blocks.parse, lettered.parse, canonical.parse]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT, flag=st.booleans())
def test_parsers_never_crash(text: str, flag: bool) -> None:
    for parser in PARSERS:
        check(parser(text, "f", first_option_correct=flag), text)
    for path in ("f.md", "f.txt"):
        check(parse_text(text, path, first_option_correct=flag), text)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=60) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_decode_never_crashes(data: bytes) -> None:
    decoded = decode(data, "f")
    if isinstance(decoded, Problem):
        assert 0 <= decoded.line <= data.count(b"\n") + data.count(b"\r") + 1
    else:
        check(parse_text(decoded, "f"), decoded)


# --- control characters ----------------------------------------------------------------------

CONTROL_CASES = [
    # (path, text with a control character, line of the error, questions kept)
    ("f.md", "# D\n\n## Q1?\n- [x] a\x1fb\n- [ ] c\n\n## Q2?\n- [x] a\n- [ ] b\n", 4, 1),
    ("f.md", "## Q1\x01?\n- [x] a\n- [ ] b\n", 1, 0),
    ("f.md", "## Q1?\ntitle: T\x7f\n\n- [x] a\n- [ ] b\n", 2, 0),
    ("f.md", "## Q1?\ntags: a\x01b\n\n- [x] a\n- [ ] b\n", 2, 0),
    ("f.md", "## Q1?\n\nmore\ntext\x1f here\n\n- [x] a\n- [ ] b\n\n> why\x1f\n", 4, 0),
    ("f.md", "## Q1?\nThe answer\x1f.\n\n## Q2?\nok\n", 2, 1),
    ("f.md", "## Q1?\n- [x] a\n- [ ] b\n\n> because\n> of\x9b this\n", 6, 0),
    ("f.md", "# Deck\x1f name\n\n## Q1?\n- [x] a\n- [ ] b\n", 1, 1),
    ("f.txt", "Q1\x1f?\na (Correct)\nb\n---\nQ2?\na (Correct)\nb\n", 1, 1),
    ("f.txt", "Title\nQ1?\n- A. a\x1c1\n- B. b\nAnswer: A\n", 3, 0),
]


@pytest.mark.parametrize(("path", "text", "line", "kept"), CONTROL_CASES)
def test_control_characters_are_an_error_where_they_stand(path, text, line, kept) -> None:
    result = parse_text(text, path)
    char = next(ch for ch in text if ord(ch) < 32 and ch != "\n" or 127 <= ord(ch) < 160)
    assert messages(result) == [f"{path}:{line}: control character U+{ord(char):04X} in text"]
    assert len(result.questions) == kept
    assert result.deck in (None, "D")


def test_control_characters_outside_questions_are_ignored() -> None:
    result = parse_text("# D\n\nA description\x1f, ignored.\n\n## Q?\n- [x] a\n- [ ] b\n", "f.md")
    assert (result.problems, len(result.questions)) == ([], 1)
    tab = parse_text("## Q?\n\n```\n\tindented\n```\n\n- [x] a\n- [ ] b\n", "f.md")
    assert tab.problems == [] and "\tindented" in tab.questions[0].text


@settings(max_examples=200, deadline=None)
@given(text=TEXT, control=st.sampled_from(["\x01", "\x1f", "\x7f", "\x85", "\x0c"]))
def test_no_question_holds_a_control_character(text: str, control: str) -> None:
    text = text.replace("x", control)
    for path in ("f.md", "f.txt"):
        result = parse_text(text, path, first_option_correct=True)
        check(result, text)
        for q in result.questions:
            fields = [q.text, q.title, q.answer, q.explanation, *q.options, *q.tags]
            assert not any(control in field for field in fields)


@given(st.text(st.characters(max_codepoint=0x3FF), max_size=30))
def test_the_quick_control_check_finds_what_the_pattern_finds(text: str) -> None:
    assert has_control_character(text) == (CONTROL.search(text) is not None)
    assert has_control_character(text + "\x1f") and not has_control_character("a\tb\nc")


# Lines of canonical decks, right and wrong, without code fences or carriage returns: what
# the question-at-a-time reading sees (a fence or a CR sends a file line by line).
CANONICAL_LINES = [
    *["## Q?", "## Other question", "## Q? ##", "## #", "##", "## ", " ## Indented?"],
    *["##\tTab?", "###  Smaller", "# Deck", "# A::B", "#"],
    *["id: a", "id: a-1.b", "id: bad id", "id:", "tags: x, y x", "tags:", "title: T"],
    *["reversed: yes", "reversed: No", "reversed: maybe", "reversed:", "Reversed: yes"],
    *["Title: T", "id : a"],
    *["", " ", "\t", "\u00a0", "text", "text  ", "more text", "Paris is {{c1::France}}"],
    *["1. item", "[x] no bullet", "<b>bold</b>"],
    *["- [ ] a", "- [x] b", "- [X] c", "- [ ]  spaced  ", "- [x] ", "- [x]text", "- []"],
    *["* [ ] star", "+ [x] plus", "  - [ ] indented", "-  [ ] wide", "- [ ] a\u2003"],
    *["  continued", "    code"],
    *["> why", ">", ">tight", ">  two", " > indented", "> ", "---", "***", "___"],
]


@st.composite
def canonical_question(draw: st.DrawFn) -> list[str]:
    """A question's lines, mostly well formed, now and then with any line of the above."""
    junk = st.sampled_from(CANONICAL_LINES) | st.text("ab #-[]x>:", max_size=6)
    heading = draw(st.sampled_from(["## Q?", "## Q? ##", "## What is {{c1::it}}?"]) | junk)
    meta = draw(
        st.lists(st.sampled_from(["id: a", "id: b", "tags: x, y x", "title: T", "reversed: yes"]))
    )
    gap = draw(st.sampled_from([[], [""], ["", " "]]))
    body = draw(st.lists(st.sampled_from(["text", "more  ", "", "{{c2::x}}", "1. a"])))
    marks = draw(st.lists(st.sampled_from([" ", "x", "X"]), max_size=5))
    texts = draw(
        st.lists(st.sampled_from(["a", "b b", " c ", ""]), min_size=len(marks), max_size=len(marks))
    )
    options = [f"- [{m}] {t}" for m, t in zip(marks, texts, strict=True)]
    after = draw(st.lists(st.sampled_from(["", "> why", ">", ">tight", ">  two", "  "])))
    lines = [heading, *meta, *gap, *body, *options, *after]
    for _ in range(draw(st.integers(0, 2))):  # a flaw, or an unusual line, anywhere
        lines.insert(draw(st.integers(0, len(lines))), draw(junk))
    return lines


CANONICAL_TEXT = st.tuples(
    st.lists(st.sampled_from(CANONICAL_LINES), max_size=4),  # the description, or anything
    st.lists(canonical_question(), max_size=6),
    st.booleans(),
).map(lambda t: "\n".join(t[0] + sum(t[1], [])) + ("\n" if t[2] else ""))


@settings(max_examples=600, deadline=None)
@given(text=CANONICAL_TEXT, flag=st.booleans())
def test_reading_questions_whole_agrees_with_reading_lines(text: str, flag: bool) -> None:
    whole = canonical.read(text, "f.md", first_option_correct=flag, whole_questions=True)
    lines = canonical.read(text, "f.md", first_option_correct=flag, whole_questions=False)
    assert whole == lines
    assert [q.line for q in whole.questions] == [q.line for q in lines.questions]


def test_reading_questions_whole_agrees_on_the_decks() -> None:
    for path in sorted(DECKS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        read = [
            canonical.read(text, path.name, first_option_correct=False, whole_questions=whole)
            for whole in (True, False)
        ]
        assert read[0] == read[1] and read[0].questions


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "## Q?\n" + "".join(f"- [{'x' if i == 0 else ' '}] o{i}\n" for i in range(17)),
            "f.md:1: question has 17 options; at most 16",
        ),
        ("## Q?\n- [x] only\n", "f.md:1: question has only 1 option"),
        ("## Q?\n- [x] a\n- [x] b\n", "f.md:1: every option is marked correct"),
        ("## Q?\n- [x] a\n- [ ] b\n## R?\n- [ ] a\n- [ ] b\n", "f.md:4: no answer marked"),
        (
            "## Q?\nid: a\n- [x] a\n- [ ] b\n## R?\nid: a\nA.\n",
            'f.md:5: duplicate id "a" (first at line 1)',
        ),
        ("## Q?\nA.\n##  q?\nB.\n", "f.md:3: duplicate question (first at line 1)"),
    ],
)
def test_questions_read_whole_are_checked_as_drafts_are(text: str, message: str) -> None:
    read = [
        canonical.read(text, "f.md", first_option_correct=False, whole_questions=whole)
        for whole in (True, False)
    ]
    assert read[0] == read[1]
    assert [str(p) for p in read[0].problems] == [message]


@pytest.mark.parametrize(
    ("text", "kind", "problems"),
    [
        ("## Capital of Peru?\nreversed: yes\n\nLima\n", "reversed", []),
        ("## Capital of Peru?\nreversed: TRUE\nid: peru\nLima\n", "reversed", []),
        ("## Capital of Peru?\nreversed: no\n\nLima\n", "basic", []),
        ("## Capital of Peru?\n\nreversed: yes\nLima\n", "basic", []),  # not under the heading
        ("## Capital of Peru?\nReversed: yes\nLima\n", "basic", []),  # lower case only
        ("## Q?\nreversed: maybe\n\nA.\n", None, ['f.md:2: reversed: yes or no, not "maybe"']),
        ("## Q?\nreversed: yes\nreversed: no\nA.\n", None, ["f.md:3: reversed: given twice"]),
        (
            "## Q?\nreversed: yes\n\n- [x] a\n- [ ] b\n",
            None,
            ["f.md:1: reversed: a multiple-choice question has no answer to ask back"],
        ),
        (
            "## {{c1::Lima}} is in Peru.\nreversed: yes\n",
            None,
            ["f.md:1: reversed: a cloze has a card per gap, not a reversed one"],
        ),
    ],
)
def test_reversed_makes_a_question_answer_card_asked_both_ways(text, kind, problems) -> None:
    """`reversed: yes` under the heading: a question/answer card asked both ways (Anki's
    "Basic (and reversed card)"); nothing else can be reversed."""
    result = canonical.parse(text, "f.md")
    assert [str(p) for p in result.problems] == problems
    assert [q.kind for q in result.questions] == ([kind] if kind else [])
    if kind is not None:
        (question,) = result.questions
        assert question.answer.endswith("Lima") and question.text == "Capital of Peru?"


def test_a_reversed_question_from_markdown_has_both_cards_here_and_in_anki(tmp_path) -> None:
    from anki_helpers import import_apkg, new_collection
    from helpers import cli, run_srs

    deck = tmp_path / "geo.md"
    deck.write_text("# Geo\n\n## Capital of Peru\nreversed: yes\n\nLima\n")
    db = tmp_path / "srs.db"
    assert cli("import", str(deck), db=db).exit_code == 0
    listed = run_srs("cards", "--db", str(db)).stdout.splitlines()[1:]
    assert [line.split("new   ")[1] for line in listed] == ["Capital of Peru", "Lima"]
    out = tmp_path / "geo.apkg"
    assert cli("export", "-o", str(out), db=db).exit_code == 0
    col = new_collection(tmp_path / "col.anki2")
    import_apkg(col, out)
    (nid,) = col.find_notes("")
    note = col.get_note(nid)
    assert "reversed" in note.note_type()["name"]
    fronts = sorted(col.get_card(c).render_output().question_text for c in note.card_ids())
    assert len(fronts) == 2 and "Capital of Peru" in fronts[0] and "Lima" in fronts[1]
    col.close()


def test_a_card_its_question_no_longer_makes_is_suspended_and_comes_back(tmp_path) -> None:
    """`reversed: yes` removed (or a cloze gap): the second card is suspended with its
    history, not asked as a copy of the first or left out of the export; put back, it is
    unsuspended."""
    from helpers import cli, run_srs

    from srs.store import Store

    deck = tmp_path / "geo.md"
    reversed_ = "# Geo\n\n## Capital of Peru\nreversed: yes\n\nLima\n"
    cloze = "\n## {{c1::Paris}} is in {{c2::France}}.\n"
    deck.write_text(reversed_ + cloze)
    db = tmp_path / "srs.db"
    assert cli("import", str(deck), db=db).exit_code == 0
    assert run_srs("review", "--db", str(db), input="\n4\n" * 4 + "q\n").returncode == 0

    def states() -> list[str]:
        return [line.split()[-1] for line in cli("cards", db=db).stdout.splitlines()[1:]]

    def suspended() -> list[int]:
        with Store.open(db) as store:
            return [
                card_id
                for (card_id,) in store.conn.execute("SELECT id FROM cards WHERE suspended != 0")
            ]

    deck.write_text(
        reversed_.replace("reversed: yes\n", "") + cloze.replace("{{c2::France}}", "France")
    )
    out = cli("import", str(deck), db=db).stdout
    assert "0 added, 2 updated, 0 unchanged" in out
    assert "2 cards no longer made by their questions" in out and "history kept" in out
    with Store.open(db) as store:
        seconds = [
            card_id for (card_id,) in store.conn.execute("SELECT id FROM cards WHERE ord = 1")
        ]
        assert suspended() == seconds and len(seconds) == 2
        assert all(store.reviews(card_id) for card_id in seconds)
    out = cli("export", "-o", str(tmp_path / "geo.apkg"), db=db).stdout
    assert "2 notes, 2 cards" in out
    shown = cli("show", str(seconds[0]), db=db).stdout
    assert "state suspended" in shown and "no longer makes this card" in shown
    # Not unsuspended by hand (it would ask a copy of the first card, or a gap not there).
    refused = run_srs("unsuspend", str(seconds[0]), "--db", str(db))
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"error: card {seconds[0]} is no longer made by its question")
    # A card the user suspended stays suspended when its question makes it again.
    assert cli("suspend", str(seconds[1]), db=db).exit_code == 0
    deck.write_text(reversed_ + cloze)
    out = cli("import", str(deck), db=db).stdout
    assert "1 card made again by its question: unsuspended" in out
    assert suspended() == [seconds[1]] and len(states()) == 4

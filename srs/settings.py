"""Settings: what each one means, its default and range, and how a typed value is read.

The one place that knows the settings: `srs config`, the store and the session all ask here.
Values are stored as text (``Setting.dump``) and read back with ``Setting.load``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from srs.errors import SrsError

_TRUE = {"1", "yes", "true", "on", "y"}
_FALSE = {"0", "no", "false", "off", "n"}


def yes_or_no(text: str) -> bool | None:
    """A typed yes or no (also true/false, on/off, y/n, 1/0, any case); None for anything
    else. `srs config set` reads a yes/no setting with it, a deck's `reversed:` line too."""
    word = text.strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


# NamedTuples, not dataclasses: `srs due` (a shell prompt) reads the settings, and importing
# dataclasses would cost it more than everything else it loads.


class Setting(NamedTuple):
    """One setting. ``kind`` says how a value is typed and checked:

    - ``int``: a whole number from ``minimum`` to ``maximum``;
    - ``float``: a number from ``minimum`` to ``maximum``;
    - ``bool``: yes/no (also true/false, on/off, 1/0), kept as 1 or 0;
    - ``choice``: one of ``choices``.
    """

    name: str
    default: Any
    help: str
    kind: str = "int"
    minimum: float = 0
    maximum: float = 0
    choices: tuple[str, ...] = ()

    def check(self, value: Any) -> Any:
        """``value`` if it is allowed, else SrsError."""
        if self.kind == "choice":
            if value not in self.choices:
                raise SrsError(
                    f"{self.name} must be one of {', '.join(self.choices)}, not {value!r}"
                )
        elif self.kind == "bool":
            if value not in (0, 1):
                raise SrsError(f"{self.name} must be yes or no, not {value!r}")
        elif not self.minimum <= value <= self.maximum:
            low, high = _number(self.minimum), _number(self.maximum)
            raise SrsError(f"{self.name} must be {low}-{high}, not {_number(value)}")
        return value

    def parse(self, text: str) -> Any:
        """A value typed by the user, checked; SrsError says what is wrong."""
        word = text.strip()
        if self.kind == "int":
            try:
                value: Any = int(word)
            except ValueError:
                raise SrsError(f"{self.name} must be a whole number, not {text!r}") from None
        elif self.kind == "float":
            try:
                value = float(word)
            except ValueError:
                raise SrsError(f"{self.name} must be a number, not {text!r}") from None
        elif self.kind == "bool":
            yes = yes_or_no(word)
            if yes is None:
                raise SrsError(f"{self.name} must be yes or no, not {text!r}")
            value = int(yes)
        else:
            value = word.lower()
        return self.check(value)

    def load(self, stored: str) -> Any:
        """A value as the store keeps it (text), typed."""
        if self.kind == "choice":
            return stored
        return float(stored) if self.kind == "float" else int(stored)

    def dump(self, value: Any) -> str:
        return str(value)

    def show(self, value: Any) -> str:
        """A value as `srs config get` prints it (a yes/no one as yes or no)."""
        if self.kind == "bool":
            return "yes" if value else "no"
        return _number(value) if self.kind in ("int", "float") else str(value)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("new_per_day", 20, "new cards introduced per study day", "int", 0, 100_000),
        Setting(
            "reviews_per_day", 200, "cards answered per study day (new included)", "int", 0, 10**6
        ),
        Setting("rollover_hour", 4, "local hour at which a study day starts", "int", 0, 23),
        Setting("leech_threshold", 8, "lapses at which a card is a leech", "int", 1, 1000),
        Setting("suspend_leeches", 0, "yes: suspend a card when it becomes a leech", "bool"),
        Setting(
            "scheduler",
            "sm2",
            "sm2 or fsrs; switching keeps every card's due date and memory",
            "choice",
            choices=("sm2", "fsrs"),
        ),
        Setting(
            "desired_retention",
            0.9,
            "FSRS: the recall probability at which a card comes due",
            "float",
            0.7,
            0.99,
        ),
    )
}


def setting(key: str) -> Setting:
    """The setting called ``key``; SrsError naming the known ones if there is none."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise SrsError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
    return spec


class Settings(NamedTuple):
    """Every setting's current value."""

    new_per_day: int = SETTINGS["new_per_day"].default
    reviews_per_day: int = SETTINGS["reviews_per_day"].default
    rollover_hour: int = SETTINGS["rollover_hour"].default
    leech_threshold: int = SETTINGS["leech_threshold"].default
    suspend_leeches: int = SETTINGS["suspend_leeches"].default
    scheduler: str = SETTINGS["scheduler"].default
    desired_retention: float = SETTINGS["desired_retention"].default

    @classmethod
    def from_stored(cls, stored: dict[str, str]) -> Settings:
        """Settings from the store's (key, text) rows; unknown keys are ignored."""
        return cls(**{k: SETTINGS[k].load(v) for k, v in stored.items() if k in SETTINGS})


assert list(Settings._fields) == list(SETTINGS), "a Settings field per setting"

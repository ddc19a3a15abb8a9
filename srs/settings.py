"""Settings: what each one means, its default and range, and how a typed value is read.

The one place that knows the settings: `srs config`, the store and the session all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from srs.errors import SrsError


@dataclass(frozen=True)
class Setting:
    """One setting: a whole number between ``minimum`` and ``maximum``."""

    name: str
    default: int
    minimum: int
    maximum: int
    help: str

    def check(self, value: int) -> int:
        """``value`` if it is in range, else SrsError."""
        if not self.minimum <= value <= self.maximum:
            raise SrsError(f"{self.name} must be {self.minimum}-{self.maximum}, not {value}")
        return value

    def parse(self, text: str) -> int:
        """A value typed by the user, checked; SrsError says what is wrong."""
        try:
            value = int(text)
        except ValueError:
            raise SrsError(f"{self.name} must be a whole number, not {text!r}") from None
        return self.check(value)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("new_per_day", 20, 0, 100_000, "new cards introduced per study day"),
        Setting(
            "reviews_per_day", 200, 0, 1_000_000, "cards answered per study day (new included)"
        ),
        Setting("rollover_hour", 4, 0, 23, "local hour at which a study day starts"),
        Setting("leech_threshold", 8, 1, 1000, "lapses at which a card is a leech"),
        Setting("suspend_leeches", 0, 0, 1, "1: suspend a card when it becomes a leech"),
    )
}


def setting(key: str) -> Setting:
    """The setting called ``key``; SrsError naming the known ones if there is none."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise SrsError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
    return spec


@dataclass(frozen=True)
class Settings:
    """Every setting's current value."""

    new_per_day: int = SETTINGS["new_per_day"].default
    reviews_per_day: int = SETTINGS["reviews_per_day"].default
    rollover_hour: int = SETTINGS["rollover_hour"].default
    leech_threshold: int = SETTINGS["leech_threshold"].default
    suspend_leeches: int = SETTINGS["suspend_leeches"].default

    @classmethod
    def from_stored(cls, stored: dict[str, str]) -> Settings:
        """Settings from the store's (key, text) rows; unknown keys are ignored."""
        return cls(**{k: int(v) for k, v in stored.items() if k in SETTINGS})


assert [f.name for f in fields(Settings)] == list(SETTINGS), "a Settings field per setting"

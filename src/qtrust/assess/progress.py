"""Progress reporting without a UI dependency: the CLI plugs a rich progress bar into this protocol."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int) -> None:
        """A new stage with ``total`` units of work begins."""
        ...

    def advance(self, units: int = 1) -> None:
        """``units`` of the current stage are done."""
        ...


class NullProgress:
    """Reports nothing (library use, tests)."""

    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, units: int = 1) -> None:
        pass

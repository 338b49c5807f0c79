"""Errors a user can act on.

Every problem caused by user input (a config key, a CSV column, a noise channel, a qubit count) raises
:class:`InputError`. Its message is a single line naming *what* was wrong, *where*, and *how to fix it*,
so that the CLI can print it verbatim and exit with status 2 without a traceback.
"""

from __future__ import annotations


class QtrustError(Exception):
    """Base class of every error qtrust raises on purpose."""


class InputError(QtrustError, ValueError):
    """Bad user input: the message says what, where and how to fix it.

    Parameters
    ----------
    problem:
        What is wrong, stated plainly ("column 'sex' not found").
    where:
        Where the problem is (a file, a config field, a CLI option), if known.
    fix:
        The concrete action that fixes it ("use one of: age, job, ...").
    """

    def __init__(self, problem: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.problem = problem
        self.where = where
        self.fix = fix
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as one line: ``where: problem. Fix: fix``."""
        text = f"{self.where}: {self.problem}" if self.where else self.problem
        text = text.rstrip(".")
        if self.fix:
            text += f". Fix: {self.fix.rstrip('.')}"
        return " ".join(text.split())


class CapacityError(InputError):
    """The requested problem is larger than the chosen simulation path can hold in memory."""

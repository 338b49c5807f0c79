"""Z: when a cryptographically relevant quantum computer (CRQC) arrives, as a probability distribution.

Why a distribution and not a year: Mosca's inequality (X + Y > Z) with one point estimate of Z says yes or
no, and the answer flips with the estimate. Experts disagree by decades; what a risk owner can act on is
the probability that their data is still secret-worthy when a CRQC exists, P(Z < t), and the latest date at
which starting a migration keeps that probability under their tolerance.

The default is fitted to a published expert survey: Mosca & Piani, *Quantum Threat Timeline Report 2023*
(Global Risk Institute and evolutionQ, January 2024; 37 experts). Its summary gives the average estimated
chance of a CRQC (breaking RSA-2048 within 24 hours) as about 11% within 5 years and about 31% within 10
years. qtrust fits a log-normal distribution of the years after 2024-01-01 exactly through those two
points (median about 16 years, i.e. around 2040). It is one survey's optimistic-interpretation average,
stated as such in every report; supply your own with a timeline file (:func:`load_timeline`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.stats import norm

from qtrust.yamlfile import read_yaml_mapping, validate

DAYS_PER_YEAR = 365.2425


def years_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_YEAR


def add_years(start: dt.date, years: float) -> dt.date:
    return start + dt.timedelta(days=round(years * DAYS_PER_YEAR))


@dataclass(frozen=True)
class Timeline:
    """P(Z ≤ date) and its inverse, with the source a report cites."""

    kind: Literal["lognormal", "points"]
    source: str
    origin: dt.date  # probability 0 at or before this date
    mu: float = 0.0  # lognormal: ln(years after origin) ~ N(mu, sigma)
    sigma: float = 1.0
    points: tuple[tuple[dt.date, float], ...] = ()  # points: a piecewise-linear CDF

    def cdf(self, when: dt.date) -> float:
        """The probability that a CRQC exists on or before ``when``."""
        years = years_between(self.origin, when)
        if years <= 0:
            return 0.0
        if self.kind == "lognormal":
            return float(norm.cdf((math.log(years) - self.mu) / self.sigma))
        previous = (self.origin, 0.0)
        for date, probability in self.points:
            if when <= date:
                span = (date - previous[0]).days
                share = (when - previous[0]).days / span if span else 1.0
                return previous[1] + share * (probability - previous[1])
            previous = (date, probability)
        return previous[1]  # flat after the last point: the rest of the mass is "later than that, or never"

    def quantile(self, probability: float) -> dt.date | None:
        """The earliest date by which a CRQC exists with ``probability``; None if the timeline never gets there."""
        if not 0.0 < probability < 1.0:
            raise ValueError("probability must lie strictly between 0 and 1")
        if self.kind == "lognormal":
            return add_years(self.origin, math.exp(self.mu + self.sigma * float(norm.ppf(probability))))
        previous = (self.origin, 0.0)
        for date, p in self.points:
            if p >= probability:
                share = (probability - previous[1]) / (p - previous[1])
                return previous[0] + dt.timedelta(days=round(share * (date - previous[0]).days))
            previous = (date, p)
        return None

    def describe(self) -> str:
        if self.kind == "lognormal":
            median = add_years(self.origin, math.exp(self.mu))
            return f"{self.source} (log-normal; median {median.isoformat()})"
        return self.source


def fitted_lognormal(origin: dt.date, anchors: tuple[tuple[float, float], ...], source: str) -> Timeline:
    """A log-normal in years after ``origin`` through two (years, probability) anchors, exactly."""
    (y1, p1), (y2, p2) = anchors
    z1, z2 = float(norm.ppf(p1)), float(norm.ppf(p2))
    sigma = (math.log(y2) - math.log(y1)) / (z2 - z1)
    mu = math.log(y1) - sigma * z1
    return Timeline("lognormal", source, origin, mu=mu, sigma=sigma)


GRI_2023 = fitted_lognormal(
    dt.date(2024, 1, 1),
    ((5.0, 0.11), (10.0, 0.31)),
    "Mosca & Piani, Quantum Threat Timeline Report 2023 (Global Risk Institute / evolutionQ, January 2024): "
    "average expert estimate ~11% within 5 years, ~31% within 10 years; log-normal fitted through both",
)


class _TimelineFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, description="where the numbers come from (cited in every report)")
    start: dt.date = Field(description="probability 0 on this date (e.g. the survey's date)")
    cdf: dict[dt.date, float] = Field(min_length=1, description="date → P(CRQC on or before that date)")

    @model_validator(mode="after")
    def _increasing(self) -> _TimelineFile:
        previous_date, previous_p = self.start, 0.0
        for date, p in sorted(self.cdf.items()):
            if date <= self.start:
                raise ValueError(f"cdf date {date} is not after start {self.start}")
            if not previous_p <= p <= 1.0:
                raise ValueError(f"cdf at {date} is {p}: probabilities must rise with the date and stay ≤ 1")
            previous_date, previous_p = date, p
        del previous_date
        return self


TIMELINE_FIX = "a timeline file has source, start (a date) and cdf (date: probability, rising)"


def load_timeline(path: Path) -> Timeline:
    """A user's own Z: a piecewise-linear CDF through their dated probabilities."""
    data = read_yaml_mapping(path, what="quantum timeline", flag="--timeline", fix=TIMELINE_FIX)
    parsed = validate(_TimelineFile, data, str(path), fix=TIMELINE_FIX)
    return Timeline("points", parsed.source, parsed.start, points=tuple(sorted(parsed.cdf.items())))

"""Which model serves a request: the interface a rollout plugs into the guard.

The guard itself knows nothing of flags or cohorts; it asks a :class:`Router` per request and answers with
the quantum model (behind its fallback) or with the classical model, saying why. Without a router every
request goes to the quantum model, as before a rollout exists. The rollout package supplies the router that
asks an OpenFeature flag; any failure there must come back as a classical route, never as an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Variant = Literal["quantum", "classical"]


@dataclass(frozen=True)
class Route:
    variant: Variant
    reason: str
    rollout: str | None = None  # the rollout and step that decided, for the prediction log (e.g. "r1@5%")


class Router(Protocol):
    def route(self, targeting_key: str | None, attributes: Mapping[str, Any]) -> Route:
        """The model for one request; never raises."""
        ...


class AllQuantum:
    """No rollout: every request is the quantum model's."""

    def route(self, targeting_key: str | None, attributes: Mapping[str, Any]) -> Route:
        return Route("quantum", "no rollout: the quantum model serves every request")

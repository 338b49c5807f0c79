"""The model flag through OpenFeature: an in-process provider driven by the rollout's state, and the router
the guard asks.

Flag ``qtrust-model`` resolves to the variant ``quantum`` or ``classical``; ``classical`` is the default.
The in-process :class:`RolloutProvider` reads the rollout's current step (percentage, opt-in, paused or
rolled back) and puts a targeting key in the canary by :mod:`qtrust.rollout.cohorts`; an opt-in rollout
shows the quantum model only to requests whose context says ``consent: true``. Any OpenFeature provider can
stand in (flagd with a flag file is the documented alternative; its fractional split uses flagd's own
hash, not ``qtrust-cohort/v1``). Whatever the provider does — an error code, an exception, an unknown
variant — :class:`FlagRouter` answers classical and says why: a flag failure never serves the model under
test, and never fails a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from openfeature import api
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagResolutionDetails, Reason
from openfeature.provider import AbstractProvider, Metadata

from qtrust.rollout.cohorts import COHORT_HASH, in_canary
from qtrust.serve.routing import Route

FLAG = "qtrust-model"
VARIANTS = ("quantum", "classical")


@dataclass(frozen=True)
class FlagState:
    """What the flag serves now: the rollout, its step's percentage, and whether it is paused or rolled back."""

    rollout_id: str
    percent: float
    opt_in: bool = False
    rolled_back: bool = False

    @property
    def label(self) -> str:
        return f"{self.rollout_id}@{'rolled-back' if self.rolled_back else f'{self.percent:g}%'}"


class RolloutProvider(AbstractProvider):
    """Resolves ``qtrust-model`` from the rollout state returned by ``state`` (None: no rollout, classical)."""

    def __init__(self, state: Callable[[], FlagState | None]) -> None:
        self._state = state

    def get_metadata(self) -> Metadata:
        return Metadata(name=f"qtrust-rollout ({COHORT_HASH})")

    def resolve_string_details(
        self, flag_key: str, default_value: str, evaluation_context: EvaluationContext | None = None
    ) -> FlagResolutionDetails[str]:
        if flag_key != FLAG:
            return FlagResolutionDetails(
                default_value, ErrorCode.FLAG_NOT_FOUND, f"no flag {flag_key!r}", Reason.ERROR
            )
        state = self._state()
        context = evaluation_context or EvaluationContext()
        if state is None:
            return FlagResolutionDetails("classical", reason=Reason.DEFAULT, variant="classical")
        if state.rolled_back:
            return FlagResolutionDetails("classical", reason=Reason.DISABLED, variant="classical")
        if state.opt_in and (context.attributes or {}).get("consent") is not True:
            return FlagResolutionDetails("classical", reason=Reason.TARGETING_MATCH, variant="classical")
        if not context.targeting_key:
            return FlagResolutionDetails("classical", reason=Reason.DEFAULT, variant="classical")
        variant = (
            "quantum" if in_canary(context.targeting_key, state.rollout_id, state.percent) else "classical"
        )
        return FlagResolutionDetails(variant, reason=Reason.SPLIT, variant=variant)

    def resolve_boolean_details(self, flag_key, default_value, evaluation_context=None):
        return FlagResolutionDetails(default_value, ErrorCode.TYPE_MISMATCH, "qtrust flags are strings")

    def resolve_integer_details(self, flag_key, default_value, evaluation_context=None):
        return FlagResolutionDetails(default_value, ErrorCode.TYPE_MISMATCH, "qtrust flags are strings")

    def resolve_float_details(self, flag_key, default_value, evaluation_context=None):
        return FlagResolutionDetails(default_value, ErrorCode.TYPE_MISMATCH, "qtrust flags are strings")

    def resolve_object_details(self, flag_key, default_value, evaluation_context=None):
        return FlagResolutionDetails(default_value, ErrorCode.TYPE_MISMATCH, "qtrust flags are strings")


_REASONS = {
    Reason.SPLIT: "cohort {variant} ({label}, {hash})",
    Reason.DISABLED: "rolled back: every request is the classical model's ({label})",
    Reason.TARGETING_MATCH: "opt-in rollout: no consent in the request context ({label})",
    Reason.DEFAULT: "no targeting key or no rollout: the classical default ({label})",
}


class FlagRouter:
    """Routes each request by the OpenFeature flag; classical, with the reason, whenever the flag fails."""

    def __init__(self, provider: AbstractProvider, label: Callable[[], str | None] = lambda: None) -> None:
        self.domain = f"qtrust-{uuid.uuid4().hex[:12]}"  # its own domain: routers never share a provider
        api.set_provider(provider, domain=self.domain)
        self._client = api.get_client(domain=self.domain)
        self._label = label

    def route(self, targeting_key: str | None, attributes: Mapping[str, Any]) -> Route:
        label = self._label()
        try:
            details = self._client.get_string_details(
                FLAG, "classical", EvaluationContext(targeting_key, dict(attributes))
            )
        except Exception as error:  # the SDK catches provider errors; this is for the SDK itself
            return Route("classical", f"flag failure: {type(error).__name__}", label)
        if details.error_code is not None:
            code = getattr(details.error_code, "value", details.error_code)
            return Route("classical", f"flag failure ({code}): serving the classical default", label)
        if details.value not in VARIANTS:
            return Route("classical", f"flag returned unknown variant {details.value!r}: classical", label)
        template = _REASONS.get(details.reason, "flag: {variant} ({label})")  # type: ignore[arg-type]
        return Route(
            details.value,  # type: ignore[arg-type]
            template.format(variant=details.value, label=label or "no rollout", hash=COHORT_HASH),
            label,
        )

    def close(self) -> None:
        api.set_provider(_Closed(), domain=self.domain)


class _Closed(AbstractProvider):
    """What a closed router leaves behind in its domain: every flag errors, so anything asking gets classical."""

    def get_metadata(self) -> Metadata:
        return Metadata(name="closed")

    def resolve_string_details(self, flag_key, default_value, evaluation_context=None):
        return FlagResolutionDetails(
            default_value, ErrorCode.PROVIDER_NOT_READY, "router closed", Reason.ERROR
        )

    resolve_boolean_details = resolve_integer_details = resolve_float_details = resolve_object_details = (
        resolve_string_details
    )

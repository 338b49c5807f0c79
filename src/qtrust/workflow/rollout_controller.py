"""The rollout controller that runs inside ``qtrust serve``: judge the step every interval, move the flag.

Each interval it flushes the prediction log, judges the current step (:func:`~qtrust.workflow.rollout.
evaluate_rollout`, which records the decision and, on a rollback, the incident) and hands the new flag state
to the router — so a rollback reaches every request within one interval, and a person's pause or rollback
recorded elsewhere reaches this server at its next evaluation. A failing evaluation (the store unreachable,
a passphrase gone) keeps the last state and is reported; it never stops the service.
"""

from __future__ import annotations

from collections.abc import Callable

from qtrust.rollout.flags import FlagState
from qtrust.serve.prediction_log import PredictionLog
from qtrust.workflow.periodic import Periodic
from qtrust.workflow.rollout import Evaluation, evaluate_rollout, rollout_state
from qtrust.workflow.session import Session


class RolloutController(Periodic):
    def __init__(
        self,
        session: Session,
        rollout_id: str,
        log: PredictionLog,
        *,
        threshold: float,
        on_evaluation: Callable[[Evaluation], None] = lambda e: None,
        on_error: Callable[[Exception], None] = lambda e: None,
        interval_s: float | None = None,
    ) -> None:
        self.session, self.rollout_id, self.log, self.threshold = session, rollout_id, log, threshold
        state = rollout_state(session, rollout_id)  # resumes where the log says the rollout is
        self.state = state
        super().__init__(
            "qtrust-rollout", interval_s if interval_s is not None else state.plan.interval_s, on_error
        )
        self._flag = state.flag()
        self._on_evaluation = on_evaluation

    def flag(self) -> FlagState:
        return self._flag

    def label(self) -> str:
        return self._flag.label

    def evaluate_now(self) -> Evaluation:
        evaluation = evaluate_rollout(self.session, self.rollout_id, self.log, threshold=self.threshold)
        self.state, self._flag = evaluation.state, evaluation.state.flag()
        return evaluation

    def tick(self) -> None:
        self._on_evaluation(self.evaluate_now())

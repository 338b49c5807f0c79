"""The rollout controller that runs inside ``qtrust serve``: judge the step every interval, move the flag.

Each interval it flushes the prediction log, judges the current step (:func:`~qtrust.workflow.rollout.
evaluate_rollout`, which records the decision and, on a rollback, the incident) and hands the new flag state
to the router — so a rollback reaches every request within one interval, and a person's pause or rollback
recorded elsewhere reaches this server at its next evaluation. A failing evaluation (the store unreachable,
a passphrase gone) keeps the last state and is reported; it never stops the service.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from qtrust.rollout.flags import FlagState
from qtrust.serve.prediction_log import PredictionLog
from qtrust.workflow.rollout import Evaluation, evaluate_rollout, rollout_state
from qtrust.workflow.session import Session


class RolloutController:
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
        self.interval_s = interval_s if interval_s is not None else state.plan.interval_s
        self._flag = state.flag()
        self._on_evaluation, self._on_error = on_evaluation, on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="qtrust-rollout", daemon=True)

    def flag(self) -> FlagState:
        return self._flag

    def label(self) -> str:
        return self._flag.label

    def evaluate_now(self) -> Evaluation:
        evaluation = evaluate_rollout(self.session, self.rollout_id, self.log, threshold=self.threshold)
        self.state, self._flag = evaluation.state, evaluation.state.flag()
        return evaluation

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._on_evaluation(self.evaluate_now())
            except Exception as error:  # the service keeps answering; the operator is told
                self._on_error(error)

    def start(self) -> RolloutController:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

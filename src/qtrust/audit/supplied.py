"""Models a team brings to the audit: translated circuits, scikit-learn estimators, black boxes.

An audit normally trains the models its config describes. A team that already has a model — a PennyLane
QNode or a Qiskit circuit translated by :mod:`qtrust.adapters`, its scikit-learn classical fallback, or a
service that only answers ``predict_proba`` — hands it in as a :class:`Supplied` model and gets the same
audit on the same split, side by side with the configured baselines.

What each kind can be put through:

* a **quantum** model (``probabilities(X, noise)`` and ``sample_probabilities``, i.e. qtrust's
  :class:`~qtrust.models.base.QuantumModel`): everything — noise sweep, device profiles, shots; the
  certificates too when it has a translated encode-first circuit (``circuit_`` and ``weights_``);
* a **scikit-learn-compatible** classifier (``predict_proba``, and ``fit`` + ``get_params`` for clones):
  everything that needs no circuit — fairness, baselines comparison, seeds (when retrained), privacy with
  reference models, empirical robustness;
* a **black box** (only ``predict_proba``, or a plain function of X returning P(class 1)): the same,
  except what needs retraining — seed reproducibility and the reference-model privacy attacks (the loss
  attack still runs).

A supplied model is audited *as given* by default: one fitted artefact stands for every training seed, so
its seed spread is not measured (it is reported as such, never as zero). ``retrain=True`` fits a fresh
clone per training seed instead, which measures the stability of the training procedure — and then the
audited numbers are those of the retrained clones, which the record says. A model must have been trained
on the audit's training split (:func:`qtrust.prepare_data`), or its membership-inference numbers mean
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from qtrust.errors import InputError


class BlackBoxClassifier:
    """A classifier known only through a function of X returning P(class 1) (or both class columns)."""

    def __init__(self, function: Callable[[np.ndarray], Any], classes: tuple[Any, Any] = (0, 1)) -> None:
        self.function = function
        self.classes_ = np.asarray(classes)

    def predict_proba(self, X: Any) -> np.ndarray:
        out = np.asarray(self.function(np.asarray(X, dtype=float)), dtype=float)
        if out.ndim == 2 and out.shape[1] == 2:
            out = out[:, 1]
        if out.shape != (len(X),):
            raise InputError(
                f"the black-box function returned shape {out.shape} for {len(X)} rows",
                where="supplied model",
                fix="return P(class 1) per row (shape (N,)) or both class columns (shape (N, 2))",
            )
        if not np.all((out >= 0) & (out <= 1)):
            raise InputError(
                "the black-box function returned values outside [0, 1]",
                where="supplied model",
                fix="return probabilities, not scores or labels",
            )
        return np.column_stack([1.0 - out, out])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]

    def describe(self) -> dict[str, Any]:
        name = getattr(self.function, "__qualname__", type(self.function).__name__)
        return {"kind": "black_box", "function": name, "execution": "the supplied function"}


def is_quantum(model: Any) -> bool:
    """A model qtrust can score under noise and finite shots (the QuantumModel protocol)."""
    return callable(getattr(model, "probabilities", None)) and callable(
        getattr(model, "sample_probabilities", None)
    )


def can_retrain(model: Any) -> bool:
    """scikit-learn's contract for a fresh copy: ``get_params`` (for ``clone``) and ``fit``."""
    return callable(getattr(model, "fit", None)) and callable(getattr(model, "get_params", None))


def _clone_factory(model: Any) -> Callable[[int], Any] | None:
    """``random_state -> unfitted clone`` (seeded when the estimator takes a random_state), or None."""
    if not can_retrain(model):
        return None
    from sklearn.base import clone

    def factory(random_state: int) -> Any:
        fresh = clone(model)
        steps = getattr(fresh, "steps", None)
        estimator = steps[-1][1] if steps else fresh
        if "random_state" in estimator.get_params(deep=False):
            estimator.set_params(random_state=random_state)
        return fresh

    return factory


@dataclass
class Supplied:
    """A model handed to the audit.

    Parameters
    ----------
    name: how the audit names it (unique among all models).
    model: the fitted model; or a mapping ``training seed -> fitted model`` with one fit per seed of
        ``reproducibility.seeds`` (seeds you trained yourself); or a function of X returning P(class 1).
    role: ``"candidate"`` (audited and gated) or ``"baseline"`` (a reference the candidates are compared to).
    retrain: fit a fresh clone per training seed on the audit's training rows instead of auditing ``model``
        as given (needs ``fit`` and ``get_params``).
    provenance: where the model came from (the CLI records the file and its sha256), for the audit record.
    """

    name: str
    model: Any
    role: Literal["candidate", "baseline"] = "candidate"
    retrain: bool = False
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.role not in ("candidate", "baseline"):
            raise InputError(
                f"unknown role {self.role!r} for supplied model {self.name!r}",
                where="Supplied.role",
                fix="use 'candidate' or 'baseline'",
            )
        if isinstance(self.model, Mapping):
            if self.retrain:
                raise InputError(
                    f"{self.name}: retrain=True needs one model to clone, not a mapping of fits",
                    where="Supplied",
                    fix="pass the fits per seed with retrain=False, or one estimator with retrain=True",
                )
            return
        if not (hasattr(self.model, "predict_proba") or is_quantum(self.model)):
            if callable(self.model):
                self.model = BlackBoxClassifier(self.model)
            else:
                raise InputError(
                    f"{self.name}: a {type(self.model).__name__} has neither predict_proba nor probabilities",
                    where="Supplied.model",
                    fix="pass a fitted classifier, a qtrust adapter's result, or a function X -> P(class 1)",
                )
        if self.retrain and not can_retrain(self.model):
            raise InputError(
                f"{self.name}: retrain=True needs fit() and get_params() (a scikit-learn-style estimator)",
                where="Supplied.retrain",
                fix="audit the model as given (retrain=False)",
            )

    @property
    def representative(self) -> Any:
        return next(iter(self.model.values())) if isinstance(self.model, Mapping) else self.model

    @property
    def quantum(self) -> bool:
        return is_quantum(self.representative)

    @property
    def factory(self) -> Callable[[int], Any] | None:
        """Fresh, unfitted copies for reference models (privacy) and retraining; None for a black box."""
        return _clone_factory(self.representative)

    def given_fits(self, seeds: list[int]) -> dict[int, Any]:
        """The supplied fit for each training seed (retrain=False): one artefact for all, or one per seed."""
        if isinstance(self.model, Mapping):
            missing = [s for s in seeds if s not in self.model]
            if missing:
                raise InputError(
                    f"{self.name}: no fit for training seed(s) {missing}",
                    where="Supplied.model",
                    fix=f"give one fit per seed of reproducibility.seeds {seeds}, or a single fitted model",
                )
            return {s: self.model[s] for s in seeds}
        return dict.fromkeys(seeds, self.model)

    @property
    def fixed(self) -> bool:
        """One artefact stands for every seed: its seed spread is not measured."""
        return not self.retrain and not isinstance(self.model, Mapping)

    def check_inputs(self, n_features: int) -> None:
        """Refuse a model built for another input width before anything is trained."""
        expected = getattr(self.representative, "n_features_in_", None)
        if expected is not None and int(expected) != n_features:
            raise InputError(
                f"{self.name} takes {expected} input features, but the audit encodes the data into {n_features}",
                where="Supplied.model",
                fix=f"set encoding.n_qubits to {expected} in the config, or train the model on "
                "qtrust.prepare_data(config).X_train",
            )

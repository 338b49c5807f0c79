"""A fitted qiskit-machine-learning ``QSVC`` on a fidelity kernel, scored by qtrust's engine.

The QSVC is scikit-learn's ``SVC`` over the kernel K(x, s) = |⟨ψ(x)|ψ(s)⟩|², ψ the feature map's state.
Its decision is f(x) = Σᵢ αᵢ K(x, sᵢ) + b over the support vectors sᵢ (``dual_coef_``, ``intercept_``), and
its probability model is libsvm's Platt scaling of f (:func:`_libsvm_proba`). The feature map is translated
into a qtrust circuit (all of it the encoding section: its parameters are the inputs, there are no
weights), so the kernel entries come from qtrust's encoded states exactly as for
:class:`~qtrust.models.QuantumKernelClassifier`: |⟨ψ(x)|ψ(s)⟩|² noiselessly, Tr(ρ(x) ρ(s)) under a noise
model, readout errors biasing the swap-test outcome, and shot noise as the swap-test estimate of each
entry. The fitted SVM is then applied unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

from qtrust.adapters.qiskit.angles import _angle
from qtrust.adapters.qiskit.lowering import QISKIT_TO_QTRUST, _lower
from qtrust.adapters.qiskit.roles import _parameter_list, _roles
from qtrust.errors import InputError
from qtrust.models.base import ProbabilityClassifierMixin
from qtrust.models.kernel import STATE_CACHE, readout_bias
from qtrust.quantum.circuit import Circuit, Operation
from qtrust.quantum.gates import GATES
from qtrust.quantum.inputs import ANGLES_FIX, check_features
from qtrust.quantum.kernels import fidelity_kernel, sample_fidelity_kernel
from qtrust.quantum.noise import NoiseModel
from qtrust.quantum.states import EncodedStates

#: libsvm clips each pairwise Platt probability to [1e-7, 1 − 1e-7] (``svm_predict_probability``).
_MIN_PROB = 1e-7


class TranslatedKernelSVC(ProbabilityClassifierMixin):
    """A fitted SVC over a translated fidelity-kernel feature map: P(class 1 | x) from Platt scaling.

    Parameters
    ----------
    circuit: the translated feature map (encoding section only, no weights).
    support_inputs: the support vectors sᵢ, one row per support vector (inputs, not kernel rows).
    dual_coef, intercept: scikit-learn's ``dual_coef_[0]`` and ``intercept_[0]``: f(x) = Σ αᵢ K(x, sᵢ) + b,
        positive f for ``classes[1]``.
    platt: libsvm's sigmoid (A, B) (scikit-learn's ``probA_[0]``, ``probB_[0]``).
    classes: the two labels in scikit-learn order.
    source: where the model came from and how it was translated, for the audit record.
    noise: deployment noise used by ``predict_proba``.
    """

    def __init__(
        self,
        circuit: Circuit,
        support_inputs: Any,
        dual_coef: Any,
        intercept: float,
        platt: tuple[float, float],
        classes: tuple[Any, Any] = (0, 1),
        source: dict[str, Any] | None = None,
        noise: NoiseModel | None = None,
    ) -> None:
        self.circuit_ = circuit
        self.n_features_in_ = circuit.n_features
        self.support_inputs_ = check_features(
            support_inputs, where="support_inputs", n_features=circuit.n_features, fix=ANGLES_FIX
        )
        self.dual_coef_ = np.asarray(dual_coef, dtype=float).reshape(len(self.support_inputs_))
        self.intercept_ = float(intercept)
        self.platt_ = (float(platt[0]), float(platt[1]))
        self.classes_ = np.asarray(classes)
        self.source = source or {}
        self.noise = noise
        self.simulation_path_: str | None = None
        self.simulation_reason_: str | None = None

    def _states(self, X: np.ndarray, noise: NoiseModel | None) -> EncodedStates:
        states = STATE_CACHE.get(self.circuit_, X, noise)
        self.simulation_path_ = "density_matrix" if states.kind == "mixed" else "statevector"
        self.simulation_reason_ = f"kernel entries from a batch of {states.kind} encoded states"
        return states

    def kernel(self, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
        """K(x, sᵢ) as measured, shape (N, n_support): Tr(ρ(x) ρ(sᵢ)), readout-biased like the swap test."""
        X = check_features(X, where=type(self).__name__, n_features=self.n_features_in_, fix=ANGLES_FIX)
        scale, offset = readout_bias(noise, self.circuit_.n_qubits)
        k = fidelity_kernel(self._states(X, noise), self._states(self.support_inputs_, noise))
        return scale * k + offset

    def _decision(self, k: np.ndarray) -> np.ndarray:
        return k @ self.dual_coef_ + self.intercept_

    def decision_function(self, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
        """f(x) = Σ αᵢ K(x, sᵢ) + b (scikit-learn's ``decision_function``: positive for ``classes_[1]``)."""
        return self._decision(self.kernel(X, noise))

    def probabilities(self, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
        return _libsvm_proba(self.decision_function(X, noise), *self.platt_)

    def sample_probabilities(
        self, X: Any, shots: int, n_draws: int, rng: np.random.Generator, noise: NoiseModel | None = None
    ) -> np.ndarray:
        """Each kernel entry estimated by a swap test of ``shots`` shots, then the fitted SVM and Platt."""
        k = self.kernel(X, noise)
        draws = np.empty((n_draws, k.shape[0]))
        for d in range(n_draws):
            draws[d] = _libsvm_proba(self._decision(sample_fidelity_kernel(k, shots, rng)), *self.platt_)
        return draws

    def predict(self, X: Any) -> np.ndarray:
        """The SVC's own rule, as ``QSVC.predict``: ``classes_[1]`` where f(x) ≥ 0 (not where P ≥ 1/2)."""
        return self.classes_[(self.decision_function(X, self.noise) >= 0.0).astype(int)]

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "quantum_kernel_svc",
            "execution": "qtrust engine (translated feature map)",
            "source": self.source,
            "circuit": self.circuit_.to_dict(),
            "classes": self.classes_.tolist(),
            "svm": {
                "n_support": len(self.support_inputs_),
                "intercept": self.intercept_,
                "dual_coef": self.dual_coef_.tolist(),
                "platt": {"A": self.platt_[0], "B": self.platt_[1]},
            },
            "labels": "predict: classes_[1] where the decision function f >= 0 (the SVC's rule); the audit "
            "thresholds P(class 1), libsvm's Platt scaling of f, which can disagree near f = 0",
        }


def _libsvm_proba(decision: np.ndarray, a: float, b: float) -> np.ndarray:
    """P(class 1) exactly as scikit-learn's libsvm ``predict_probability`` computes it for two classes.

    libsvm's decision is d = −f (positive for class 0); its pairwise probability r = P(class 0) =
    1 / (1 + exp(A·d + B)) is clipped to [1e-7, 1 − 1e-7]. scikit-learn's libsvm then runs the multiclass
    coupling (Wu, Lin & Weng's method 2) even for two classes: an iteration from p = (1/2, 1/2) that stops
    once max_t |(Qp)_t − pᵀQp| < 0.005 / 2, so P(class 1) is 1 − r only to about that tolerance. The
    iteration is reproduced here operation for operation, row by row.
    """
    d = -np.asarray(decision, dtype=float)
    r01 = np.clip(expit(-(d * a + b)), _MIN_PROB, 1.0 - _MIN_PROB)  # sigmoid_predict, both branches
    r10 = 1.0 - r01
    q = np.empty((2, 2, d.size))
    q[0, 0], q[1, 1] = r10 * r10, r01 * r01
    q[0, 1] = q[1, 0] = -r10 * r01
    p = np.full((2, d.size), 0.5)
    active = np.ones(d.size, dtype=bool)
    for _ in range(100):
        qp = np.stack([q[t, 0] * p[0] + q[t, 1] * p[1] for t in range(2)])
        pqp = p[0] * qp[0] + p[1] * qp[1]
        active &= np.maximum(np.abs(qp[0] - pqp), np.abs(qp[1] - pqp)) >= 0.005 / 2
        if not active.any():
            break
        for t in range(2):
            diff = np.where(active, (-qp[t] + pqp) / q[t, t], 0.0)
            p[t] += diff
            pqp = (pqp + diff * (diff * q[t, t] + 2 * qp[t])) / (1 + diff) / (1 + diff)
            for j in range(2):
                qp[j] = (qp[j] + diff * q[t, j]) / (1 + diff)
                p[j] /= 1 + diff
    return p[1]


def _feature_map_circuit(feature_map: Any, name: str) -> tuple[Circuit, list[str]]:
    """The feature map as a qtrust circuit, gate for gate in Qiskit's order, every gate in the encoding."""
    lowered = _lower(feature_map)  # final measurements are dropped, as ComputeUncompute drops them
    inputs = _parameter_list(feature_map.parameters, "feature_map.parameters")
    roles = _roles(feature_map, inputs, [])
    operations = []
    for index, inst in enumerate(lowered.circuit.data):
        gate = QISKIT_TO_QTRUST[inst.operation.name]
        wires = tuple(lowered.circuit.find_bit(q).index for q in inst.qubits)
        where = f"feature map '{feature_map.name}', lowered gate {index} '{inst.operation.name}' on {wires}"
        angle = _angle(inst.operation.params[0], roles, where) if GATES[gate].parametric else None
        operations.append(Operation(gate, wires, angle, "encoding"))
    circuit = Circuit(
        n_qubits=feature_map.num_qubits,
        operations=tuple(operations),
        n_features=len(inputs),
        name=name,
    )
    notes = [
        *lowered.notes(),
        f"inputs: the feature map's parameters in Qiskit's order ({', '.join(p.name for p in inputs)}); "
        "no weights",
        "every gate is in the encoding section, in Qiskit's order",
    ]
    return circuit, notes


def translate_qsvc(model: Any, kernel: Any, name: str | None = None) -> TranslatedKernelSVC:
    """A :class:`TranslatedKernelSVC` for a fitted binary ``QSVC`` with ``probability=True``.

    ``kernel`` is the model's ``FidelityQuantumKernel`` or ``FidelityStatevectorKernel`` (checked by the
    caller, :func:`~qtrust.adapters.qiskit.from_qiskit_ml`).
    """
    import qiskit
    import qiskit_machine_learning

    if len(model.classes_) != 2:
        raise InputError(
            f"the QSVC was trained on {len(model.classes_)} classes",
            where="from_qiskit_ml",
            fix="qtrust audits binary classifiers: train on two classes",
        )
    prob_a, prob_b = np.asarray(model._probA).reshape(-1), np.asarray(model._probB).reshape(-1)
    if prob_a.size == 0 or prob_b.size == 0:
        raise InputError(
            "the QSVC was fitted without probability=True, so it has no probability model (Platt scaling)",
            where="from_qiskit_ml",
            fix="refit with QSVC(..., probability=True): qtrust audits P(class 1), which only that SVC has",
        )
    train = np.asarray(model._BaseLibSVM__Xfit, dtype=float)  # the SVC keeps its training rows here
    feature_map = kernel.feature_map
    circuit, notes = _feature_map_circuit(feature_map, name or f"QSVC ({feature_map.name})")
    source = {
        "framework": "qiskit",
        "qiskit_version": qiskit.__version__,
        "qiskit_machine_learning_version": qiskit_machine_learning.__version__,
        "model": type(model).__name__,
        "quantum_kernel": type(kernel).__name__,
        "feature_map": feature_map.name,
        "n_qubits": feature_map.num_qubits,
        "input_params": [p.name for p in feature_map.parameters],
        "kernel_values": _kernel_note(kernel),
        "classes": [c.item() if isinstance(c, np.generic) else c for c in model.classes_],
        "qubit_order": "Qiskit qubit q = qtrust wire q",
        "translation": [
            *notes,
            "kernel K(x, s) = |<psi(x)|psi(s)>|^2 (Tr(rho(x) rho(s)) under noise) from qtrust's encoded "
            "states, against the support vectors only (the SVC uses no other training rows)",
            "noise: gate noise on the encoded states; readout error biases each entry as the swap-test "
            "outcome; shots: swap-test estimates of each entry (Qiskit's ComputeUncompute measures P(0...0) "
            "of U(s)^dagger U(x) instead)",
            "probabilities: libsvm's Platt scaling (probA_, probB_) clipped to [1e-7, 1 - 1e-7], then "
            "libsvm's pairwise coupling iteration (tolerance 0.0025), as scikit-learn's predict_proba",
            "decisions: the audit thresholds these probabilities; the QSVC's own predict() uses the sign of "
            "the decision function, and the two can disagree near the boundary (scikit-learn's documented "
            "Platt-scaling inconsistency), so the audited decisions are those of predict_proba",
        ],
    }
    return TranslatedKernelSVC(
        circuit,
        train[model.support_],
        np.asarray(model.dual_coef_, dtype=float)[0],
        float(np.asarray(model.intercept_).reshape(-1)[0]),
        (float(prob_a[0]), float(prob_b[0])),
        classes=(model.classes_[0], model.classes_[1]),
        source=source,
    )


def _kernel_note(kernel: Any) -> dict[str, Any]:
    """How qiskit-machine-learning itself evaluates the kernel (exact, or shot estimates)."""
    fidelity = getattr(kernel, "fidelity", None)
    if fidelity is None:  # FidelityStatevectorKernel
        shots = getattr(kernel, "_shots", None)
        info: dict[str, Any] = {"method": "statevector overlaps", "shots": shots}
        exact = shots is None
    else:
        sampler = getattr(fidelity, "_sampler", None)
        exact = getattr(sampler, "_exact_mode", None) is True
        info = {"method": type(fidelity).__name__, "sampler": type(sampler).__name__, "exact": exact}
        if getattr(fidelity, "_pass_manager", None) is not None:
            info["pass_manager"] = "the fidelity circuits are transpiled before Qiskit runs them"
    if hasattr(kernel, "evaluate_duplicates"):
        info["evaluate_duplicates"] = kernel.evaluate_duplicates
    if not exact:
        info["note"] = (
            "the model's own kernel values are shot estimates; qtrust computes the exact values of the same "
            "feature map"
        )
    return info

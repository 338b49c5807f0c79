"""A quantum-kernel classifier: a support-vector machine on a kernel of simulated quantum states.

The Gram matrix comes from N state simulations and one matrix product (not N² kernel circuits). The kernel
is the fidelity Tr(ρ(x) ρ(x')) or the projected kernel of Huang et al. (2021). ``bandwidth`` scales the
inputs before encoding: without it, IQP kernels on more than a few qubits concentrate towards the identity
and generalise poorly (Shaydulin & Wild, PRA 106, 042407, 2022).

Noise enters where it would on hardware: ``train_noise`` while the Gram matrix is estimated, ``noise`` (or
the ``noise`` argument of :meth:`probabilities`) when kernel entries between new inputs and the support
vectors are estimated at prediction time. Gate noise acts on the encoded states (density matrices);
readout error acts on the measured ±1 outcomes (the swap-test ancilla, each Bloch component), which biases
every entry affinely; per-qubit rates are averaged over the register for kernels. Shot noise is modelled on the kernel entries themselves (a swap
test per fidelity entry, Pauli-basis shots per Bloch component), then propagated through the fitted SVM.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted

from qtrust.errors import InputError
from qtrust.models.base import (
    BinaryClassifierTagsMixin,
    ClassWeight,
    ProbabilityClassifierMixin,
    binary_class_weight,
    binary_targets,
    validate_data,
)
from qtrust.quantum.ansatz import encoding_circuit
from qtrust.quantum.engine import SimulationResult, encode
from qtrust.quantum.kernels import (
    fidelity_kernel,
    projected_kernel,
    sample_bloch_vectors,
    sample_fidelity_kernel,
)
from qtrust.quantum.noise import NoiseModel
from qtrust.quantum.states import EncodedStates
from qtrust.seeding import derive_seed

KERNELS = ("fidelity", "projected")
_STATE_CACHE_BYTES = 1 << 30


class _StateCache:
    """Memo of :func:`encode` row by row, per (circuit, noise): a pure function, so sharing is safe.

    Encoding a row depends only on the circuit, the noise model and the row itself, so the memo keys each
    row on its bytes. That is what makes the repeats cheap: the fits of one kernel model share their
    support vectors, every noise setting re-encodes the same test rows, and the privacy red-team's
    reference models draw their support vectors from the same pool of rows. Bounded by bytes; the least
    recently used (circuit, noise) table is dropped first.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._tables: OrderedDict[str, tuple[str, dict[bytes, np.ndarray]]] = OrderedDict()
        self._bytes = 0

    @staticmethod
    def key(circuit: Any, noise: NoiseModel | None) -> str:
        digest = hashlib.sha256(json.dumps(circuit.to_dict(), sort_keys=True).encode())
        digest.update(json.dumps(noise.to_dict() if noise else None, sort_keys=True).encode())
        return digest.hexdigest()

    def get(self, circuit: Any, X: np.ndarray, noise: NoiseModel | None) -> EncodedStates:
        X = np.ascontiguousarray(X, dtype=float)
        if X.shape[0] == 0:
            return encode(circuit, X, noise)
        key = self.key(circuit, noise)
        kind, rows = self._tables.pop(key, ("", {}))
        row_keys = [row.tobytes() for row in X]
        todo = [k for k in dict.fromkeys(row_keys) if k not in rows]
        if todo:
            fresh = encode(
                circuit, np.frombuffer(b"".join(todo), dtype=float).reshape(len(todo), X.shape[1]), noise
            )
            kind = fresh.kind
            for k, data in zip(todo, fresh.data, strict=True):
                rows[k] = data
                self._bytes += data.nbytes
        self._tables[key] = (kind, rows)  # most recently used last
        while self._bytes > self.max_bytes and len(self._tables) > 1:
            _, (_, dropped) = self._tables.popitem(last=False)
            self._bytes -= sum(d.nbytes for d in dropped.values())
        return EncodedStates(kind, np.stack([rows[k] for k in row_keys]), circuit.n_qubits)


STATE_CACHE = _StateCache(_STATE_CACHE_BYTES)


def readout_bias(noise: NoiseModel | None, n_qubits: int) -> tuple[float, float]:
    """(scale, offset) that readout errors apply to a measured ±1 expectation value.

    Per-qubit rates (device profiles) are averaged over the register: which qubit carries the swap-test
    ancilla or a Bloch component is a compilation choice the kernel does not model.
    """
    if noise is None or not noise.has_readout_error:
        return 1.0, 0.0
    rates = np.asarray(noise.readout_for(range(n_qubits)), dtype=float)
    p01, p10 = rates.mean(axis=0)
    return 1.0 - p01 - p10, p10 - p01


class QuantumKernelClassifier(
    ProbabilityClassifierMixin, BinaryClassifierTagsMixin, ClassifierMixin, BaseEstimator
):
    """SVM on a quantum kernel, with Platt-scaled probabilities (``SVC(probability=True)``).

    Parameters
    ----------
    kernel: ``"fidelity"`` or ``"projected"``.
    encoding: feature map, ``"iqp"`` (default) or ``"angle"`` (a product-state map, closed-form kernel).
    encoding_reps, topology: IQP repetitions and pairs of its ZZ terms.
    bandwidth: inputs are multiplied by this before encoding.
    gamma: projected-kernel width; ``"scale"`` uses 2 / (3n · Var(r)) over the training Bloch vectors r
        (scikit-learn's ``gamma="scale"`` for the RBF kernel on the Bloch features).
    C, class_weight: as in :class:`sklearn.svm.SVC`; probabilities are Platt-scaled on 5-fold
        cross-validated decision values (``CalibratedClassifierCV(method="sigmoid", ensemble=False)``).
    train_noise, noise: noise while the Gram matrix is estimated / at prediction time.
    random_state: seeds the Platt-scaling cross-validation inside SVC.
    """

    def __init__(
        self,
        kernel: str = "fidelity",
        encoding: str = "iqp",
        encoding_reps: int = 2,
        topology: str = "full",
        bandwidth: float = 0.5,
        gamma: float | str = "scale",
        C: float = 1.0,
        class_weight: ClassWeight = "balanced",
        train_noise: NoiseModel | None = None,
        noise: NoiseModel | None = None,
        random_state: int | None = None,
    ) -> None:
        self.kernel = kernel
        self.encoding = encoding
        self.encoding_reps = encoding_reps
        self.topology = topology
        self.bandwidth = bandwidth
        self.gamma = gamma
        self.C = C
        self.class_weight = class_weight
        self.train_noise = train_noise
        self.noise = noise
        self.random_state = random_state

    def _states(self, X: np.ndarray, noise: NoiseModel | None) -> EncodedStates:
        """The encoded states of the bandwidth-scaled rows (memoised; the memo is not the estimator's state)."""
        return STATE_CACHE.get(self.circuit_, X * self.bandwidth, noise)

    def _kernel(self, a: EncodedStates, b: EncodedStates, noise: NoiseModel | None = None) -> np.ndarray:
        """The kernel as measured: readout errors bias each ±1 outcome by r → (1 − p01 − p10)·r + p10 − p01."""
        scale, offset = readout_bias(noise, self.circuit_.n_qubits)
        if self.kernel == "fidelity":
            # swap test: the ancilla's ±1 expectation is the fidelity, read through the same confusion
            return scale * fidelity_kernel(a, b) + offset
        if scale == 1.0 and offset == 0.0:
            return projected_kernel(a, b, self.gamma_)
        return projected_kernel(
            a, b, self.gamma_, scale * a.bloch_vectors() + offset, scale * b.bloch_vectors() + offset
        )

    def _resolve_gamma(self, states: EncodedStates) -> float:
        if self.gamma == "scale":
            variance = float(states.bloch_vectors().var())
            return 2.0 / (3 * states.n_qubits * variance) if variance > 0 else 1.0
        if isinstance(self.gamma, str) or not self.gamma > 0:
            raise InputError(
                f"gamma {self.gamma!r} is not positive", where="gamma", fix="use 'scale' or a float > 0"
            )
        return float(self.gamma)

    #: Its encoded states come from a process-wide memo (:data:`STATE_CACHE`), filled in batches whose make-up
    #: moves the last bit of a state; a fit elsewhere (a Dask worker) encodes in other batches. Fits whose
    #: outputs must equal the serial run's to the bit (the red team's reference models) stay in this process.
    shares_process_cache = True

    def fit(self, X: Any, y: Any) -> QuantumKernelClassifier:
        """Encode the angle-scaled rows ``X``, build the Gram matrix and fit the Platt-scaled SVM on ``y``.

        ``n_features_in_`` (and ``feature_names_in_`` for a DataFrame) come from scikit-learn's validation,
        so predicting on other columns warns or raises as for any scikit-learn classifier.
        """
        if self.kernel not in KERNELS:
            raise InputError(
                f"unknown kernel {self.kernel!r}", where="kernel", fix=f"use one of: {', '.join(KERNELS)}"
            )
        if not self.bandwidth > 0:
            raise InputError(
                f"bandwidth {self.bandwidth} is not positive", where="bandwidth", fix="use e.g. 0.5"
            )
        X, y = validate_data(self, X, y, reset=True)
        self.classes_, y01 = binary_targets(y, "QuantumKernelClassifier.fit")
        self.circuit_ = encoding_circuit(X.shape[1], self.encoding, self.encoding_reps, self.topology)  # type: ignore[arg-type]
        states = self._states(X, self.train_noise)
        self.gamma_ = self._resolve_gamma(states) if self.kernel == "projected" else None
        gram = self._kernel(states, states, self.train_noise)
        seed = None if self.random_state is None else derive_seed(self.random_state, "platt")
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        self.calibrated_ = CalibratedClassifierCV(
            SVC(
                kernel="precomputed",
                C=self.C,
                class_weight=binary_class_weight(self.class_weight, self.classes_),
            ),
            method="sigmoid",
            ensemble=False,
            cv=folds,
        ).fit(gram, y01.astype(int))
        self.svc_ = self.calibrated_.calibrated_classifiers_[0].estimator
        self.n_train_ = X.shape[0]
        self.support_inputs_ = X[self.svc_.support_]
        self.gram_train_ = gram
        return self

    def _proba_from_support_kernel(self, k_support: np.ndarray) -> np.ndarray:
        """P(class 1) from kernel values against the support vectors only (other columns are unused by SVC)."""
        full = np.zeros((k_support.shape[0], self.n_train_))
        full[:, self.svc_.support_] = k_support
        return self.calibrated_.predict_proba(full)[:, 1]

    def support_kernel(
        self, X: Any, noise: NoiseModel | None = None
    ) -> tuple[np.ndarray, EncodedStates, EncodedStates]:
        check_is_fitted(self, "svc_")
        X = validate_data(self, X, reset=False, ensure_min_samples=0)
        states = self._states(X, noise)
        support = self._states(self.support_inputs_, noise)
        return self._kernel(states, support, noise), states, support

    def simulate(self, X: Any, noise: NoiseModel | None = None) -> SimulationResult:
        """P(class 1) per row under ``noise``, with the path that encoded the states and why.

        The path is returned, not stored on the estimator: it depends on the noise model of the call
        (density matrices once gate noise acts on the encoding), and predicting must leave a fitted
        estimator as it was.
        """
        k, _, support = self.support_kernel(X, noise)
        return SimulationResult(
            self._proba_from_support_kernel(k),
            "density_matrix" if support.kind == "mixed" else "statevector",
            f"kernel entries from a batch of {support.kind} encoded states",
        )

    def probabilities(self, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
        """Exact P(class 1) per row under ``noise`` (shape (N,))."""
        return self.simulate(X, noise).probabilities

    def sample_probabilities(
        self, X: Any, shots: int, n_draws: int, rng: np.random.Generator, noise: NoiseModel | None = None
    ) -> np.ndarray:
        k, states, support = self.support_kernel(X, noise)
        draws = np.empty((n_draws, k.shape[0]))
        for d in range(n_draws):
            if self.kernel == "fidelity":
                k_hat = sample_fidelity_kernel(k, shots, rng)
            else:
                scale, offset = readout_bias(noise, self.circuit_.n_qubits)
                k_hat = projected_kernel(
                    states,
                    support,
                    self.gamma_,
                    sample_bloch_vectors(scale * states.bloch_vectors() + offset, shots, rng),
                    sample_bloch_vectors(scale * support.bloch_vectors() + offset, shots, rng),
                )
            draws[d] = self._proba_from_support_kernel(k_hat)
        return draws

    def describe(self) -> dict[str, Any]:
        check_is_fitted(self, "svc_")
        return {
            "kind": "quantum_kernel",
            "kernel": self.kernel,
            "bandwidth": self.bandwidth,
            "gamma": self.gamma_,
            "circuit": self.circuit_.to_dict(),
            "svm": {
                "C": self.C,
                "n_support": len(self.svc_.support_),
                "intercept": float(self.svc_.intercept_[0]),
                "dual_coef": self.svc_.dual_coef_[0].tolist(),
                "support_indices": self.svc_.support_.tolist(),
            },
            "train_noise": self.train_noise.to_dict() if self.train_noise else None,
        }

"""Fitted qiskit-machine-learning classifiers (``VQC``, ``NeuralNetworkClassifier``) as qtrust classifiers.

Everything :func:`~qtrust.adapters.qiskit.from_qiskit` needs is read off the fitted model — circuit,
parameter roles, weights, observable or interpret function, and the labels its ``predict`` returns — so the
translation reproduces the model's own predictions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qtrust.adapters.qiskit.framework import _not_installed, _qiskit
from qtrust.adapters.qiskit.outputs import _VQC_PARITY
from qtrust.adapters.qiskit.translate import from_qiskit
from qtrust.errors import InputError


def _primitive_note(qnn: Any) -> dict[str, Any]:
    primitive = getattr(qnn, "estimator", None) or getattr(qnn, "sampler", None)
    exact = getattr(primitive, "_exact_mode", None)
    info: dict[str, Any] = {"type": type(primitive).__name__, "exact": exact}
    if exact is not True:
        info["note"] = (
            "the model's own outputs come from this primitive (possibly shot- or precision-noisy); qtrust "
            "computes the exact values of the same circuit"
        )
    return info


def _fitted_classes(model: Any) -> tuple[tuple[Any, Any] | None, str]:
    """The labels model.predict returns for output index 0 and 1, if its target encoder was fitted."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    encoder = getattr(model, "_target_encoder", None)
    if encoder is None:
        return None, "no target encoder"
    try:
        check_is_fitted(encoder)
    except NotFittedError:
        return None, "target encoder not fitted (numeric or one-hot labels)"
    labels = encoder.categories_[0] if hasattr(encoder, "categories_") else encoder.classes_
    labels = [v.item() if isinstance(v, np.generic) else v for v in labels]
    if len(labels) != 2:
        raise InputError(
            f"the model was trained on {len(labels)} classes",
            where="model",
            fix="qtrust audits binary classifiers: train on two classes",
        )
    return (labels[0], labels[1]), f"{type(encoder).__name__} fitted on labels {labels}"


def from_qiskit_ml(model: Any, *, name: str | None = None) -> Any:
    """A :class:`~qtrust.models.CircuitClassifier` for a fitted qiskit-machine-learning classifier.

    Supported: ``VQC`` and ``NeuralNetworkClassifier`` over an ``EstimatorQNN`` (one observable) or a
    ``SamplerQNN`` (output_shape 2). The labels reproduce qiskit-machine-learning 0.9's ``predict``:

    * ``EstimatorQNN``: ``predict`` is ``sign(⟨O⟩)``, so the threshold is ⟨O⟩ = 0 and the classes are
      ``(-1, 1)`` — or, for string labels, the label encoder's two labels (qiskit-ml itself can only map +1
      back to a label then). ``predict_proba`` is ⟨O⟩ itself: see :func:`qiskit_output`.
    * ``SamplerQNN`` / ``VQC``: ``predict`` is the argmax of [P(interpret = 0), P(interpret = 1)], and the
      classes are the one-hot / label encoder's categories (``VQC``: always one-hot), or ``(0, 1)`` when the
      labels were given as indices or one-hot rows. ``predict_proba[:, 1]`` is P(class 1).

    ``QSVC`` (a fitted binary SVC with ``probability=True`` over a ``FidelityQuantumKernel`` or
    ``FidelityStatevectorKernel``) gives a :class:`~qtrust.adapters.qiskit.qsvc.TranslatedKernelSVC`: the
    feature map translated, the SVC's support vectors, dual coefficients, intercept and Platt scaling kept;
    its ``decision_function``, ``predict_proba`` and ``predict`` reproduce the QSVC's.

    Exact ties are the one difference: at P = 1/2 qiskit-ml's argmax picks class 0 and at ⟨O⟩ = 0 its sign is
    the label 0 (neither class); qtrust predicts class 1 in both cases.
    """
    _qiskit()
    try:
        import qiskit_machine_learning
        from qiskit_machine_learning.algorithms.classifiers import NeuralNetworkClassifier
        from qiskit_machine_learning.neural_networks import EstimatorQNN, SamplerQNN
    except ImportError as exc:  # pragma: no cover - exercised only without the optional dependency
        raise _not_installed("qiskit-machine-learning", "from_qiskit_ml") from exc
    from qiskit_machine_learning.algorithms.classifiers import QSVC

    if isinstance(model, QSVC):
        return _from_qsvc(model, name)
    if not isinstance(model, NeuralNetworkClassifier):
        raise InputError(
            f"unsupported model type {type(model).__name__}",
            where="from_qiskit_ml",
            fix="pass a fitted VQC or NeuralNetworkClassifier (with an EstimatorQNN or SamplerQNN), or a "
            "QSVC (with a FidelityQuantumKernel or FidelityStatevectorKernel); for a bare circuit use "
            "from_qiskit",
        )
    if getattr(model, "_fit_result", None) is None:
        raise InputError(
            f"the {type(model).__name__} is not fitted",
            where="from_qiskit_ml",
            fix="call model.fit(X, y) first: qtrust audits the trained weights",
        )
    qnn = model.neural_network
    if getattr(qnn.circuit, "layout", None) is not None:
        raise InputError(
            "the model's circuit was transpiled with a pass manager onto a device layout",
            where="from_qiskit_ml",
            fix="build the same model without pass_manager (qtrust translates the logical circuit) and pass "
            "its trained weights, or call from_qiskit on the logical circuit with model.weights",
        )
    weights = np.asarray(model.weights, dtype=float)
    model_name = name or f"{type(model).__name__} ({qnn.circuit.name})"
    classes, encoder_note = _fitted_classes(model)
    if isinstance(qnn, EstimatorQNN):
        clf, label_note, tie_note = _from_estimator_qnn(qnn, weights, classes, model_name)
    elif isinstance(qnn, SamplerQNN):
        clf, label_note, tie_note = _from_sampler_qnn(model, qnn, weights, classes, model_name)
    else:
        raise InputError(
            f"unsupported neural network {type(qnn).__name__}",
            where="from_qiskit_ml",
            fix="use an EstimatorQNN or SamplerQNN",
        )
    clf.source.update(
        {
            "model": type(model).__name__,
            "qiskit_machine_learning_version": qiskit_machine_learning.__version__,
            "neural_network": type(qnn).__name__,
            "primitive": _primitive_note(qnn),
            "labels": f"{label_note}; {encoder_note}; {tie_note}",
        }
    )
    return clf


def _from_estimator_qnn(
    qnn: Any, weights: np.ndarray, classes: tuple[Any, Any] | None, name: str
) -> tuple[Any, str, str]:
    """(classifier, label note, tie note) for an ``EstimatorQNN``: qiskit-ml predicts ``sign(⟨O⟩)``."""
    observables = qnn.observables
    observables = observables if isinstance(observables, list | tuple) else (observables,)
    if len(observables) != 1:
        raise InputError(
            f"the EstimatorQNN has {len(observables)} observables",
            where="from_qiskit_ml",
            fix="a binary NeuralNetworkClassifier uses one observable (output_shape (1,))",
        )
    tie_note = "at <O> = 0 exactly qiskit-ml predicts sign 0 (no class), qtrust class 1"
    if classes is None:
        classes = (-1, 1)
        label_note = "predict = sign(<O>): -1 below 0, +1 above (the labels qiskit-ml returns)"
    else:
        label_note = (
            f"predict = sign(<O>) mapped through the label encoder: +1 -> {classes[1]!r}, -1 -> "
            f"{classes[0]!r} (qiskit-ml's own inverse_transform cannot map -1)"
        )
    clf = from_qiskit(
        qnn.circuit,
        qnn.input_params,
        qnn.weight_params,
        weights,
        observables[0],
        threshold=0.0,
        classes=classes,
        name=name,
    )
    return clf, label_note, tie_note


def _from_sampler_qnn(
    model: Any, qnn: Any, weights: np.ndarray, classes: tuple[Any, Any] | None, name: str
) -> tuple[Any, str, str]:
    """(classifier, label note, tie note) for a ``SamplerQNN``: qiskit-ml predicts its outputs' argmax.

    ``VQC``'s default interpret function (``parity``) is recorded by what it computes, ``x % 2``.
    """
    from qiskit_machine_learning.algorithms.classifiers import VQC

    if tuple(qnn.output_shape) != (2,):
        raise InputError(
            f"the SamplerQNN has output_shape {tuple(qnn.output_shape)}",
            where="from_qiskit_ml",
            fix="qtrust audits binary classifiers: output_shape 2 with an interpret function returning 0 or "
            "1 (VQC does this for two classes)",
        )
    one_hot_rows = classes is None and getattr(model, "_one_hot", False)
    tie_note = "at P = 1/2 exactly qiskit-ml's argmax picks class 0, qtrust class 1"
    label_note = "predict = argmax([P(interpret=0), P(interpret=1)])"
    if classes is None:
        classes = (0, 1)
        label_note += (
            "; the labels were one-hot rows, so model.predict returns one-hot rows and qtrust the column "
            "index"
            if one_hot_rows
            else "; labels are the output index"
        )
    clf = from_qiskit(
        qnn.circuit,
        qnn.input_params,
        qnn.weight_params,
        weights,
        interpret=qnn.interpret,
        output_shape=2,
        classes=classes,
        name=name,
    )
    if isinstance(model, VQC):
        clf.source["output"]["interpret"] = (
            _VQC_PARITY
            if getattr(qnn.interpret, "__name__", "") == "parity"
            else clf.source["output"]["interpret"]
        )
    return clf, label_note, tie_note


_SUPPORTED_KERNELS = (
    "FidelityQuantumKernel (fidelity ComputeUncompute with local=False) or FidelityStatevectorKernel, each "
    "with a feature map"
)


def _from_qsvc(model: Any, name: str | None) -> Any:
    """A :class:`~.qsvc.TranslatedKernelSVC` for a fitted ``QSVC`` on a fidelity kernel, or an InputError."""
    from qiskit_machine_learning.kernels import (
        FidelityQuantumKernel,
        FidelityStatevectorKernel,
        TrainableKernel,
    )
    from qiskit_machine_learning.state_fidelities import ComputeUncompute

    from qtrust.adapters.qiskit.qsvc import translate_qsvc

    kernel = model.quantum_kernel
    if isinstance(kernel, TrainableKernel) or not isinstance(
        kernel, FidelityQuantumKernel | FidelityStatevectorKernel
    ):
        what = "a precomputed kernel" if isinstance(kernel, str) else f"a {type(kernel).__name__}"
        raise InputError(
            f"the QSVC uses {what}, which qtrust cannot translate",
            where="from_qiskit_ml",
            fix=f"qtrust translates QSVCs over a {_SUPPORTED_KERNELS}; trainable and precomputed kernels are "
            "not supported (hand the QSVC itself to the audit to score it as a scikit-learn model, without "
            "noise or shot studies)",
        )
    fidelity = getattr(kernel, "fidelity", None)
    if isinstance(kernel, FidelityQuantumKernel) and (
        not isinstance(fidelity, ComputeUncompute) or getattr(fidelity, "_local", False)
    ):
        what = "local ComputeUncompute" if isinstance(fidelity, ComputeUncompute) else type(fidelity).__name__
        raise InputError(
            f"the FidelityQuantumKernel computes its fidelity with {what}",
            where="from_qiskit_ml",
            fix="qtrust's kernel is the global state fidelity: use ComputeUncompute(sampler, local=False)",
        )
    if getattr(kernel, "feature_map", None) is None:
        raise InputError(
            "the QSVC's kernel has no feature map", where="from_qiskit_ml", fix=_SUPPORTED_KERNELS
        )
    if getattr(model, "support_", None) is None or getattr(model, "fit_status_", None) is None:
        raise InputError(
            "the QSVC is not fitted",
            where="from_qiskit_ml",
            fix="call model.fit(X, y) first (with probability=True): qtrust audits the fitted SVM",
        )
    return translate_qsvc(model, kernel, name)

"""Translate parameterised Qiskit circuits and fitted qiskit-machine-learning classifiers into qtrust circuits.

A Qiskit classifier is a parameterised :class:`~qiskit.circuit.QuantumCircuit` whose parameters split into
*inputs* (the feature map's) and *weights* (the ansatz's), plus a rule that turns the measured state into a
class: an observable ⟨O⟩ (``EstimatorQNN``) or an ``interpret`` function over the measured integer
(``SamplerQNN``, ``VQC``). :func:`from_qiskit` translates that triple into a
:class:`~qtrust.models.CircuitClassifier`, so every qtrust path and certificate applies to it.

How the translation keeps the meaning:

* **Gates.** The circuit is lowered to gates that map one-to-one onto qtrust's gate set (``h``, ``p``,
  ``cx``, ``rz``, ``ry``, ``rzz``, …; :data:`QISKIT_TO_QTRUST`). Composite instructions (``ZZFeatureMap``,
  ``RealAmplitudes``, ``PauliEvolutionGate``, unitaries) are expanded through their Qiskit definitions; a
  standard gate outside the set is split (``u`` → RZ·RY·RZ, ``r`` → RZ·RX·RZ) or rewritten by Qiskit's
  transpiler at ``optimization_level=0``, which never merges gates. The translation notes each split, since
  a noise model that acts "after every gate" then acts after each of the pieces. :func:`lower_circuit`
  returns the lowered Qiskit circuit itself, so Aer can run exactly the gates qtrust runs.
* **Angles.** Gate angles are Qiskit ``ParameterExpression``\\ s. They are read exactly as polynomials —
  constant, linear in inputs and weights, and products of two inputs (the ZZ feature map's
  2(π − x_i)(π − x_j)) — and every reading is checked against Qiskit's own evaluation at random points.
  Anything else (a weight times an input, sin(x)) is refused with the gate and the expression named.
* **Qubit order.** Qiskit qubit q is qtrust wire q. Qiskit's basis-state integers put qubit 0 in the *least*
  significant bit, qtrust's put wire 0 in the *most* significant; the measurement tables are built with that
  reversal, so an ``interpret`` function sees exactly the integer Qiskit's sampler would give it.
* **Outputs.** An observable must be qubit-wise commuting (one Pauli per qubit across its terms). The
  measured qubits are rotated into the Z basis (H for X, RX(π/2) for Y; qtrust gates, so a noise model
  acts after them as on hardware), and P(class 1) = 1/2 + (⟨O⟩ − t)/(2R) is read from the outcome table
  with t the threshold and R the largest distance from t to the spectrum. A sampler model's class 1 is the set
  of outcomes its interpret function maps to 1. :func:`qiskit_output` returns Qiskit's own output (⟨O⟩, or
  the two-entry probability vector) from the translated classifier.

:func:`from_qiskit_ml` reads all of this from a fitted ``VQC`` or ``NeuralNetworkClassifier`` and
reproduces its labels (see its docstring). :func:`to_aer_noise_model` writes a qtrust noise model as an
Aer noise model with the same placement, the independent check for noisy agreement.

Qiskit, Qiskit Aer and qiskit-machine-learning are optional; they are imported when these functions run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qtrust.errors import InputError
from qtrust.quantum.circuit import Angle, Circuit, Measurement, Operation
from qtrust.quantum.gates import GATES
from qtrust.quantum.noise import NoiseModel

#: Qiskit gate name → qtrust gate. Every entry has the same matrix and angle convention on both sides
#: (Qiskit's ``rz`` is exp(−iθZ/2) like qtrust's RZ; ``p`` is diag(1, e^{iθ}); two-qubit gates take the
#: control first).
QISKIT_TO_QTRUST: dict[str, str] = {
    "id": "I",
    "x": "X",
    "y": "Y",
    "z": "Z",
    "h": "H",
    "s": "S",
    "t": "T",
    "sx": "SX",
    "rx": "RX",
    "ry": "RY",
    "rz": "RZ",
    "p": "P",
    "cx": "CNOT",
    "cz": "CZ",
    "swap": "SWAP",
    "rxx": "RXX",
    "ryy": "RYY",
    "rzz": "RZZ",
    "crx": "CRX",
    "cry": "CRY",
    "crz": "CRZ",
    "cp": "CP",
}
QTRUST_TO_QISKIT: dict[str, str] = {v: k for k, v in QISKIT_TO_QTRUST.items()}
#: The Qiskit basis the lowering targets: every physical gate qtrust has (``id`` carries no noise in qtrust).
QISKIT_BASIS: tuple[str, ...] = tuple(name for name in QISKIT_TO_QTRUST if name != "id")

_SUPPORTED_TEXT = ", ".join(QISKIT_TO_QTRUST)
_CONTROL_FLOW = {"if_else", "while_loop", "for_loop", "switch_case", "box", "break_loop", "continue_loop"}
#: The basis change that turns a Pauli measurement into a Z measurement: U with U† Z U = P.
_BASIS_CHANGE: dict[str, tuple[str, float | None]] = {"X": ("H", None), "Y": ("RX", np.pi / 2)}
_VQC_PARITY = "x % 2 (VQC's default 'parity' interpret: the bit of qubit 0)"


def _qiskit() -> Any:
    try:
        import qiskit
    except ImportError as exc:  # pragma: no cover - exercised only without the optional dependency
        raise InputError(
            "Qiskit is not installed",
            where="qtrust.adapters.qiskit",
            fix="install the optional dependencies: pip install 'qtrust[qiskit]'",
        ) from exc
    return qiskit


# --------------------------------------------------------------------------------------------------------
# Lowering: any Qiskit circuit → a circuit of gates qtrust has one-to-one
# --------------------------------------------------------------------------------------------------------


@dataclass
class _Lowered:
    """The lowered circuit, its terminal measurements (qubit → clbit) and what the lowering had to do."""

    circuit: Any
    measured: dict[int, int] = field(default_factory=dict)
    expanded: dict[str, int] = field(default_factory=dict)
    split: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)

    def notes(self) -> list[str]:
        out = []
        if self.expanded:
            listed = ", ".join(f"{name} ×{n}" for name, n in self.expanded.items())
            out.append(f"composite instructions expanded through their Qiskit definitions: {listed}")
        for name, pieces in self.split.items():
            if "·" in pieces:
                out.append(
                    f"'{name}' has no qtrust equivalent and was split into {pieces}; noise placed after every "
                    "gate acts after each piece"
                )
            else:
                out.append(f"'{name}' has no qtrust equivalent and is written as {pieces}")
        if self.dropped:
            listed = ", ".join(f"{name} ×{n}" for name, n in self.dropped.items())
            out.append(f"dropped (no effect on the state): {listed}")
        return out


def _standard_gates() -> dict[str, Any]:
    from qiskit.circuit.library import get_standard_gate_name_mapping

    return get_standard_gate_name_mapping()


def _split_rule(name: str, params: Sequence[Any]) -> list[tuple[str, Any]] | None:
    """Exact splits of standard one-qubit gates into qtrust rotations (up to global phase), circuit order."""
    if name in ("u", "u3"):  # U(θ, φ, λ) = RZ(φ) RY(θ) RZ(λ)
        theta, phi, lam = params
        return [("rz", lam), ("ry", theta), ("rz", phi)]
    if name == "u2":  # U2(φ, λ) = U(π/2, φ, λ)
        phi, lam = params
        return [("rz", lam), ("ry", np.pi / 2), ("rz", phi)]
    if name == "r":  # R(θ, φ) = RZ(φ) RX(θ) RZ(−φ)
        theta, phi = params
        return [("rz", -phi), ("rx", theta), ("rz", phi)]
    return None


def _lower(circuit: Any) -> _Lowered:
    from qiskit import QuantumCircuit

    if not isinstance(circuit, QuantumCircuit):
        raise InputError(
            f"expected a qiskit QuantumCircuit, got {type(circuit).__name__}",
            where="circuit",
            fix="pass the parameterised circuit (for a QNN: qnn.circuit)",
        )
    if circuit.layout is not None:
        raise InputError(
            f"circuit '{circuit.name}' was transpiled onto a device layout (physical qubits, ancillas)",
            where="circuit",
            fix="translate the logical circuit, before transpiling it for hardware",
        )
    out = _Lowered(QuantumCircuit(circuit.num_qubits, name=circuit.name))
    std = _standard_gates()
    _walk(circuit, list(range(circuit.num_qubits)), out, std, f"circuit '{circuit.name}'", top=True)
    return out


def _walk(qc: Any, qubit_map: list[int], out: _Lowered, std: dict[str, Any], where: str, top: bool) -> None:
    from qiskit.circuit import ControlFlowOp, Gate

    for index, inst in enumerate(qc.data):
        op = inst.operation
        name = op.name
        wires = tuple(qubit_map[qc.find_bit(q).index] for q in inst.qubits)
        here = f"{where}, instruction {index} '{name}' on qubits {wires}"
        if name == "barrier":
            continue
        if name in ("delay", "global_phase"):
            out.dropped[name] = out.dropped.get(name, 0) + 1
            continue
        after_measure = sorted(set(wires) & set(out.measured))
        if after_measure:
            raise InputError(
                f"qubit {after_measure[0]} is measured and then used again: mid-circuit measurement",
                where=here,
                fix="measure only at the end: qtrust translates unitary circuits with final measurements",
            )
        if name == "measure":
            if not top:
                raise InputError(
                    "measurement inside a composite instruction",
                    where=here,
                    fix="measure only at the end of the top-level circuit",
                )
            out.measured[wires[0]] = qc.find_bit(inst.clbits[0]).index
            continue
        if name == "reset":
            raise InputError(
                "reset is not unitary and has no qtrust equivalent",
                where=here,
                fix="remove the reset: circuits start in |0…0⟩",
            )
        if isinstance(op, ControlFlowOp) or name in _CONTROL_FLOW or getattr(op, "condition", None):
            raise InputError(
                f"classically controlled instruction '{name}'",
                where=here,
                fix="use a circuit without classical control flow (unitary gates, final measurements)",
            )
        reference = std.get(name)
        if name in QISKIT_TO_QTRUST and reference is not None and op.base_class is reference.base_class:
            gate = reference if not op.params else reference.base_class(*op.params)
            out.circuit.append(gate, list(wires))
            continue
        if reference is not None and op.base_class is reference.base_class:
            pieces = _split_rule(name, op.params)
            if pieces is not None:
                for piece, angle in pieces:
                    out.circuit.append(std[piece].base_class(angle), list(wires))
                out.split[name] = "·".join(QISKIT_TO_QTRUST[p].upper() for p, _ in reversed(pieces)) + (
                    " (matrix order, equal up to global phase)"
                )
                continue
            _via_transpiler(op, wires, out, std, here)
            continue
        if inst.clbits:
            raise InputError(
                f"instruction '{name}' writes classical bits",
                where=here,
                fix="measure only at the end of the top-level circuit",
            )
        try:
            definition = op.definition
        except Exception:  # some instructions build their definition lazily and may fail
            definition = None
        if definition is not None:
            out.expanded[name] = out.expanded.get(name, 0) + 1
            inner = [wires[definition.find_bit(q).index] for q in definition.qubits]
            _walk(definition, inner, out, std, f"{here} →", top=False)
            continue
        if isinstance(op, Gate):
            _via_transpiler(op, wires, out, std, here)
            continue
        raise InputError(
            f"unsupported instruction '{name}'",
            where=here,
            fix=f"use unitary gates (qtrust has: {_SUPPORTED_TEXT}; others are decomposed) and final "
            "measurements only",
        )


def _via_transpiler(op: Any, wires: tuple[int, ...], out: _Lowered, std: dict[str, Any], here: str) -> None:
    """Rewrite one gate with Qiskit's transpiler into qtrust's basis (optimization_level=0: no merging)."""
    from qiskit import QuantumCircuit, transpile

    small = QuantumCircuit(op.num_qubits)
    small.append(op, list(range(op.num_qubits)))
    try:
        lowered = transpile(small, basis_gates=list(QISKIT_BASIS), optimization_level=0)
    except Exception as exc:
        raise InputError(
            f"gate '{op.name}' cannot be decomposed into qtrust's gates ({exc})",
            where=here,
            fix=f"use gates qtrust has ({_SUPPORTED_TEXT}) or ones Qiskit can decompose into them",
        ) from exc
    if lowered.layout is not None and lowered.layout.final_layout is not None:
        raise InputError(f"decomposing '{op.name}' permuted qubits", where=here, fix="decompose it by hand")
    pieces = [inst.operation.name for inst in lowered.data]
    if not pieces:
        out.dropped[op.name] = out.dropped.get(op.name, 0) + 1
        return
    out.split[op.name] = "·".join(reversed([QISKIT_TO_QTRUST.get(p, p).upper() for p in pieces])) + (
        " (matrix order; Qiskit transpiler, optimization_level=0)"
    )
    _walk(lowered, list(wires), out, std, f"{here} (decomposed) →", top=False)


def lower_circuit(circuit: Any) -> Any:
    """The Qiskit circuit qtrust translates: only gates of :data:`QISKIT_TO_QTRUST`, one per qtrust operation.

    Barriers, delays and final measurements are dropped; composite and unsupported gates are expanded as
    described in the module docstring. Run it (with :func:`to_aer_noise_model`) to compare noisy results
    gate for gate.
    """
    _qiskit()
    return _lower(circuit).circuit


# --------------------------------------------------------------------------------------------------------
# Angles: ParameterExpression → Angle, exactly
# --------------------------------------------------------------------------------------------------------


def _number(value: Any, where: str, text: str) -> float | None:
    """A real number, or None when ``value`` still depends on parameters."""
    from qiskit.circuit import ParameterExpression

    if isinstance(value, ParameterExpression):
        if value.parameters:
            return None
        value = value.numeric()
    number = complex(value)
    if abs(number.imag) > 1e-12 * max(1.0, abs(number.real)):
        raise InputError(
            f"angle {text} is complex",
            where=where,
            fix="use real rotation angles (real parameter expressions)",
        )
    return float(number.real)


def _at_zero(expr: Any, where: str, text: str) -> float:
    from qiskit.circuit import ParameterExpression

    if isinstance(expr, ParameterExpression) and expr.parameters:
        expr = expr.bind(dict.fromkeys(expr.parameters, 0.0))
    value = _number(expr, where, text)
    assert value is not None
    return value


def _angle(value: Any, roles: dict[Any, tuple[str, int]], where: str) -> Angle:
    """``value`` (a number or ParameterExpression) as an :class:`Angle`, or an InputError saying why not."""
    from qiskit.circuit import ParameterExpression

    text = str(value)
    if not isinstance(value, ParameterExpression) or not value.parameters:
        number = _number(value, where, text)
        assert number is not None
        return Angle(const=number)
    params = sorted(value.parameters, key=lambda p: (roles[p][0] == "weight", roles[p][1]))

    def refuse(reason: str) -> InputError:
        return InputError(
            f"angle {text} {reason}",
            where=where,
            fix="qtrust angles are const + linear terms in inputs and weights + products of two inputs "
            "(as in ZZ feature maps); move other functions of the data into preprocessing",
        )

    try:
        first = {p: value.gradient(p) for p in params}
        second: dict[tuple[Any, Any], float] = {}
        for a, b in itertools.combinations_with_replacement(params, 2):
            g = first[a]
            h = g.gradient(b) if isinstance(g, ParameterExpression) else 0.0
            number = _number(h, where, text)
            if number is None:
                raise refuse("is not a polynomial of degree at most 2 in the parameters")
            second[(a, b)] = number
        const = _at_zero(value, where, text)
        linear = {p: _at_zero(first[p], where, text) for p in params}
    except InputError:
        raise
    except Exception as exc:  # symbolic differentiation of an unsupported function
        raise refuse(f"cannot be read as a polynomial ({exc})") from exc
    features, weights, products = [], [], []
    for p in params:
        kind, i = roles[p]
        if linear[p] != 0.0:
            (features if kind == "input" else weights).append((i, linear[p]))
    for (a, b), h in second.items():
        if abs(h) <= 1e-14:  # symbolic derivatives of cancelling terms may leave rounding residue
            continue
        (ka, i), (kb, j) = roles[a], roles[b]
        if ka != "input" or kb != "input":
            what = "a product of a weight and an input" if ka != kb else "a product of weights"
            raise refuse(f"contains {what} ({a.name}·{b.name})")
        products.append((i, j, h if a != b else h / 2.0, 0.0))
    angle = _factor_shift(Angle(const, tuple(features), tuple(products), tuple(weights)))
    _check_angle(value, angle, params, roles, refuse)
    return angle


def _factor_shift(angle: Angle) -> Angle:
    """Write a lone c·x_i·x_j with matching linear terms as c·(s − x_i)(s − x_j), as qtrust's ZZ map does."""
    if len(angle.feature_products) != 1 or len(angle.features) != 2:
        return angle
    i, j, c, _ = angle.feature_products[0]
    lin = dict(angle.features)
    if i == j or set(lin) != {i, j} or not np.isclose(lin[i], lin[j], rtol=1e-12, atol=0.0):
        return angle
    s = -lin[i] / c
    const = angle.const - c * s * s
    const = 0.0 if abs(const) <= 1e-12 * max(1.0, abs(angle.const)) else const
    return Angle(const, (), ((i, j, c, s),), angle.weights)


def _check_angle(value: Any, angle: Angle, params: list, roles: dict, refuse: Callable) -> None:
    """Compare the reading with Qiskit's own evaluation at random points (catches non-polynomial terms)."""
    rng = np.random.default_rng(20240611)
    n_in = 1 + max((roles[p][1] for p in params if roles[p][0] == "input"), default=-1)
    n_w = 1 + max((roles[p][1] for p in params if roles[p][0] == "weight"), default=-1)
    for _ in range(3):
        x = rng.uniform(-2.0, 2.0, (1, n_in))
        w = rng.uniform(-2.0, 2.0, n_w)
        bound = value.bind(
            {p: (x[0, roles[p][1]] if roles[p][0] == "input" else w[roles[p][1]]) for p in params}
        )
        expected = float(complex(bound.numeric()).real)
        got = float(np.asarray(angle.evaluate(x, w)).reshape(-1)[0])
        if abs(got - expected) > 1e-9 * max(1.0, abs(expected)):
            raise refuse("is not a polynomial of degree at most 2 in the parameters")


# --------------------------------------------------------------------------------------------------------
# Circuit translation
# --------------------------------------------------------------------------------------------------------


def _parameter_list(params: Any, what: str) -> list:
    from qiskit.circuit import Parameter

    if params is None:
        return []
    items = list(params)
    for p in items:
        if not isinstance(p, Parameter):
            raise InputError(
                f"{what} must be qiskit Parameters, got {type(p).__name__} ({p!r})",
                where=what,
                fix="pass the circuit's Parameter objects (e.g. feature_map.parameters)",
            )
    names = [p.name for p in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"{what} lists {repeated[0]!r} more than once", where=what, fix="list each once")
    return items


def _roles(circuit: Any, inputs: list, weights: list) -> dict[Any, tuple[str, int]]:
    both = sorted({p.name for p in inputs} & {p.name for p in weights})
    if both:
        raise InputError(
            f"parameter {both[0]!r} is listed as an input and as a weight",
            where="input_params/weight_params",
            fix="give each parameter one role",
        )
    roles = {p: ("input", i) for i, p in enumerate(inputs)}
    roles.update({p: ("weight", k) for k, p in enumerate(weights)})
    orphans = [p.name for p in circuit.parameters if p not in roles]
    if orphans:
        shown = ", ".join(orphans[:5]) + (f" and {len(orphans) - 5} more" if len(orphans) > 5 else "")
        raise InputError(
            f"circuit parameter(s) {shown} are neither inputs nor weights",
            where=f"circuit '{circuit.name}'",
            fix="list every circuit parameter in input_params or weight_params, or bind it first "
            "(circuit.assign_parameters)",
        )
    return roles


def _operations(lowered: Any, roles: dict) -> tuple[list[Operation], bool]:
    """One qtrust operation per lowered gate; encode-first when the input gates can be moved first.

    Gates are sorted into the *encoding* section when they depend on the input or precede (on shared wires)
    a gate that does. If none of those depends on a weight, they are moved before everything else —
    legitimate because the rest never precedes them on a wire — and the circuit is encode-first.
    """
    raw = []
    for index, inst in enumerate(lowered.data):
        name = inst.operation.name
        gate = QISKIT_TO_QTRUST[name]
        wires = tuple(lowered.find_bit(q).index for q in inst.qubits)
        where = f"circuit '{lowered.name}', lowered gate {index} '{name}' on qubits {wires}"
        angle = _angle(inst.operation.params[0], roles, where) if GATES[gate].parametric else None
        raw.append((gate, wires, angle))
    needed: set[int] = set()
    before_input = [False] * len(raw)
    for index in range(len(raw) - 1, -1, -1):
        _, wires, angle = raw[index]
        if (angle is not None and angle.depends_on_input) or needed & set(wires):
            before_input[index] = True
            needed |= set(wires)
    reorder = not any(
        flag and angle is not None and angle.depends_on_weights
        for flag, (_, _, angle) in zip(before_input, raw, strict=True)
    )
    if reorder:
        order = [i for i in range(len(raw)) if before_input[i]] + [
            i for i in range(len(raw)) if not before_input[i]
        ]
        sections = ["encoding" if before_input[i] else "trainable" for i in range(len(raw))]
    else:
        order = list(range(len(raw)))
        sections = [
            "encoding" if angle is not None and angle.depends_on_input else "trainable" for _, _, angle in raw
        ]
    operations = [Operation(raw[i][0], raw[i][1], raw[i][2], sections[i]) for i in order]  # type: ignore[arg-type]
    return operations, order != sorted(order)


# --------------------------------------------------------------------------------------------------------
# Outputs: observable (EstimatorQNN) or interpret (SamplerQNN)
# --------------------------------------------------------------------------------------------------------


def _sparse_pauli(observable: Any, n_qubits: int) -> Any:
    from qiskit.quantum_info import Operator, Pauli, SparsePauliOp

    try:
        if isinstance(observable, SparsePauliOp):
            op = observable
        elif isinstance(observable, str | Pauli):
            op = SparsePauliOp(observable)
        elif (
            hasattr(SparsePauliOp, "from_sparse_observable")
            and type(observable).__name__ == "SparseObservable"
        ):
            op = SparsePauliOp.from_sparse_observable(observable)
        else:
            op = SparsePauliOp.from_operator(Operator(observable))
    except Exception as exc:
        raise InputError(
            f"cannot read the observable ({type(observable).__name__}: {exc})",
            where="observable",
            fix="pass a SparsePauliOp, a Pauli or a Pauli label such as 'ZZI'",
        ) from exc
    if op.num_qubits != n_qubits:
        raise InputError(
            f"the observable acts on {op.num_qubits} qubits, the circuit has {n_qubits}",
            where="observable",
            fix="give one Pauli per qubit (Qiskit labels: the rightmost character is qubit 0)",
        )
    return op.simplify(atol=1e-14)


def _expectation_output(
    observable: Any, n_qubits: int, positive: str, threshold: float | None
) -> tuple[list[Operation], Measurement, dict[str, Any]]:
    op = _sparse_pauli(observable, n_qubits)
    coeffs = np.asarray(op.coeffs, dtype=complex)
    scale = max(1.0, float(np.max(np.abs(coeffs)))) if coeffs.size else 1.0
    if np.any(np.abs(coeffs.imag) > 1e-12 * scale):
        raise InputError(
            "the observable has complex coefficients, so it is not Hermitian and ⟨O⟩ is not a real output",
            where="observable",
            fix="use real coefficients",
        )
    labels = [p.to_label() for p in op.paulis]
    terms = [(label[::-1], float(c.real)) for label, c in zip(labels, coeffs, strict=True)]  # index = qubit
    basis: dict[int, str] = {}
    for label, _ in terms:
        for q, pauli in enumerate(label):
            if pauli == "I":
                continue
            if basis.setdefault(q, pauli) != pauli:
                raise InputError(
                    f"the observable measures qubit {q} in both the {basis[q]} and the {pauli} basis, so its "
                    "terms cannot be read from one measurement (it is not qubit-wise commuting)",
                    where="observable",
                    fix="use an observable whose terms agree on each qubit's Pauli (e.g. 'ZZ' + 'ZI'), or "
                    "split it into qubit-wise commuting groups and translate each as its own model",
                )
    qubits = tuple(sorted(basis))
    k = len(qubits)
    outcomes = np.arange(2**k)
    bits = (outcomes[:, None] >> (k - 1 - np.arange(k))) & 1  # qubits[0] is the most significant bit
    eigen = np.zeros(2**k)
    for label, c in terms:
        signs = np.ones(2**k)
        for m, q in enumerate(qubits):
            if label[q] != "I":
                signs *= 1 - 2 * bits[:, m]
        eigen += c * signs
    lo, hi = float(eigen.min()), float(eigen.max())
    if not hi - lo > 1e-12 * scale:
        raise InputError(
            "the observable has the same value on every state (identity terms only), so it cannot tell "
            "classes apart",
            where="observable",
            fix="use an observable with at least one non-identity Pauli term",
        )
    t = (lo + hi) / 2.0 if threshold is None else float(threshold)
    if not lo < t < hi:
        raise InputError(
            f"threshold {t:g} is outside the observable's range ({lo:g}, {hi:g})",
            where="threshold",
            fix="choose the value of ⟨O⟩ that separates the classes, strictly inside its range",
        )
    if positive not in ("high", "low"):
        raise InputError(f"unknown positive={positive!r}", where="positive", fix="use 'high' or 'low'")
    half = max(hi - t, t - lo)
    table = np.clip(0.5 + (eigen - t) / (2.0 * half), 0.0, 1.0)
    if positive == "low":
        table = 1.0 - table
    offset, factor = (t - half, 2.0 * half) if positive == "high" else (t + half, -2.0 * half)
    changes = []
    for q in qubits:
        if basis[q] in _BASIS_CHANGE:
            gate, angle = _BASIS_CHANGE[basis[q]]
            changes.append(Operation(gate, (q,), Angle(angle) if angle is not None else None, "trainable"))
    output = {
        "kind": "expectation",
        "observable": [[label, c] for label, (_, c) in zip(labels, terms, strict=True)],
        "measured_qubits": list(qubits),
        "basis_change": {str(q): ("H" if basis[q] == "X" else "RX(pi/2)") for q in qubits if basis[q] != "Z"},
        "spectrum": [lo, hi],
        "threshold": t,
        "half_range": half,
        "positive": positive,
        "offset": offset,
        "scale": factor,
        "rule": f"P(class 1) = 1/2 {'+' if positive == 'high' else '-'} (<O> - {t:g}) / {2 * half:g}; "
        "<O> = offset + scale * P(class 1)",
    }
    return changes, Measurement(qubits, "table", tuple(float(v) for v in table)), output


def _interpret_name(interpret: Callable | None) -> str:
    if interpret is None:
        return _VQC_PARITY
    name = getattr(interpret, "__qualname__", None) or getattr(interpret, "__name__", None)
    return name or type(interpret).__name__


def _sampler_output(
    interpret: Callable[[int], Any] | None,
    output_shape: Any,
    n_qubits: int,
    measured: dict[int, int],
) -> tuple[Measurement, dict[str, Any]]:
    shape = (output_shape,) if isinstance(output_shape, int | np.integer) else tuple(output_shape or ())
    if output_shape is None:
        raise InputError(
            "an interpret function needs its output_shape",
            where="output_shape",
            fix="pass output_shape=2 (a binary classifier), as SamplerQNN requires",
        )
    if shape != (2,):
        raise InputError(
            f"output_shape {output_shape!r} is not a binary classifier's",
            where="output_shape",
            fix="qtrust audits binary classifiers: use output_shape=2 with an interpret function returning 0 "
            "or 1",
        )
    label = _interpret_name(interpret)
    if interpret is None:

        def interpret(value: int) -> int:
            return value % 2

    n = n_qubits
    if measured:
        clbits = [measured.get(q) for q in range(n)]
        if any(c is not None and c >= n for c in clbits):
            raise InputError(
                "a qubit is measured into a classical bit beyond the register size",
                where="circuit measurements",
                fix="measure qubit q into clbit q (circuit.measure_all())",
            )
    else:
        clbits = list(range(n))
    table = np.zeros(2**n)
    class_one = []
    for b in range(2**n):
        qiskit_int = 0
        for w in range(n):
            bit = (b >> (n - 1 - w)) & 1  # qtrust: wire 0 is the most significant bit
            if bit and clbits[w] is not None:
                qiskit_int |= 1 << clbits[w]  # Qiskit: (qu)bit 0 is the least significant bit
        value = interpret(qiskit_int)
        if isinstance(value, tuple | list | np.ndarray) or value not in (0, 1):
            raise InputError(
                f"interpret({qiskit_int}) = {value!r}; a binary classifier's interpret returns 0 or 1",
                where="interpret",
                fix="map every measured integer to class 0 or class 1",
            )
        table[b] = float(value)
        if value == 1:
            class_one.append(qiskit_int)
    grid = table.reshape((2,) * n)
    relevant = [w for w in range(n) if not np.array_equal(np.take(grid, 0, axis=w), np.take(grid, 1, axis=w))]
    if not relevant:
        raise InputError(
            f"interpret maps every outcome to class {int(table[0])}, so the model is constant",
            where="interpret",
            fix="use an interpret function that returns both 0 and 1",
        )
    reduced = grid[tuple(slice(None) if w in relevant else 0 for w in range(n))].reshape(-1)
    output = {
        "kind": "sampler",
        "output_shape": 2,
        "interpret": label,
        "class_1_outcomes": sorted(set(class_one)),
        "measured_qubits": list(relevant),
        "rule": "P(class 1) = sum of the probabilities of the measured integers (qubit 0 the least significant "
        "bit) that interpret maps to 1; Qiskit's output = [1 - P, P]",
    }
    return Measurement(tuple(relevant), "table", tuple(float(v) for v in reduced)), output


# --------------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------------


def from_qiskit(
    circuit: Any,
    input_params: Any,
    weight_params: Any,
    weights: Any,
    observable: Any = None,
    *,
    interpret: Callable[[int], Any] | None = None,
    output_shape: Any = None,
    positive: str = "high",
    threshold: float | None = None,
    classes: tuple[Any, Any] = (0, 1),
    name: str | None = None,
) -> Any:
    """A :class:`~qtrust.models.CircuitClassifier` for a parameterised Qiskit circuit and its trained weights.

    Parameters
    ----------
    circuit: the parameterised ``QuantumCircuit`` (e.g. a feature map composed with an ansatz, as
        ``EstimatorQNN``, ``SamplerQNN`` and ``VQC`` use).
    input_params: the parameters that receive the features, in column order of ``X``.
    weight_params: the trainable parameters, in the order of ``weights`` (a QNN's ``weight_params``).
    weights: the trained values, a flat array with one entry per weight parameter.
    observable: for an estimator model, the observable whose expectation is the output (``SparsePauliOp``,
        ``Pauli`` or label; the rightmost label character is qubit 0). It must be qubit-wise commuting.
    interpret, output_shape: for a sampler model instead: ``output_shape`` must be 2 and ``interpret`` maps
        the measured integer (qubit 0 the least significant bit) to class 0 or 1. Without ``interpret``,
        VQC's default ``x % 2`` is used (the value of qubit 0).
    positive: estimator models only: ``"high"`` makes large ⟨O⟩ class 1, ``"low"`` small ⟨O⟩.
    threshold: estimator models only: the ⟨O⟩ at which P(class 1) = 1/2 (default: the middle of the
        observable's spectrum; qiskit-ml's ``NeuralNetworkClassifier`` predicts by the sign, threshold 0).
    classes: the labels of class 0 and class 1.
    name: the translated circuit's name (default: the Qiskit circuit's).
    """
    qiskit = _qiskit()
    from qtrust.models.circuit_classifier import CircuitClassifier

    lowered = _lower(circuit)
    inputs = _parameter_list(input_params, "input_params")
    trainables = _parameter_list(weight_params, "weight_params")
    roles = _roles(circuit, inputs, trainables)
    w = np.asarray(weights if weights is not None else [], dtype=float).reshape(-1)
    if w.size != len(trainables):
        raise InputError(
            f"{w.size} weights given for {len(trainables)} weight parameters",
            where="weights",
            fix="pass one value per weight parameter, in the order of weight_params (qnn.weight_params)",
        )
    if not np.all(np.isfinite(w)):
        raise InputError(
            "weights contain NaN or infinite values", where="weights", fix="pass trained weights"
        )
    classes = tuple(classes)
    if len(classes) != 2 or classes[0] == classes[1]:
        raise InputError(
            f"classes {list(classes)} are not two distinct labels",
            where="classes",
            fix="give the labels of class 0 and class 1, e.g. classes=('no', 'yes')",
        )
    sampler_form = interpret is not None or output_shape is not None
    if (observable is None) == (not sampler_form):
        raise InputError(
            "give exactly one output: an observable (EstimatorQNN-style) or output_shape=2 with an interpret "
            "function (SamplerQNN/VQC-style)" + (" — both were given" if observable is not None else ""),
            where="from_qiskit",
            fix="pass observable=... or output_shape=2, interpret=...",
        )
    n = circuit.num_qubits
    operations, moved = _operations(lowered.circuit, roles)
    notes = lowered.notes()
    if observable is not None:
        if lowered.measured:
            raise InputError(
                "an estimator-style circuit carries measurements",
                where=f"circuit '{circuit.name}'",
                fix="remove them (circuit.remove_final_measurements()); the observable says what is measured",
            )
        changes, measurement, output = _expectation_output(observable, n, positive, threshold)
        operations += changes
        if changes:
            notes.append(
                "measured qubits rotated into the Z basis before measurement "
                f"({', '.join(f'qubit {q}: {g}' for q, g in output['basis_change'].items())}); a noise model "
                "acts after these gates too, as on hardware"
            )
    else:
        if positive != "high" or threshold is not None:
            raise InputError(
                "positive and threshold apply to observables only",
                where="from_qiskit",
                fix="for a sampler model, class 1 is what interpret maps to 1",
            )
        if lowered.measured and len(lowered.measured) != n:
            notes.append(
                f"only qubits {sorted(lowered.measured)} are measured; the others do not enter interpret"
            )
        measurement, output = _sampler_output(interpret, output_shape, n, lowered.measured)
    if lowered.measured and observable is None:
        notes.append("final measurements read from the circuit (qubit → clbit kept)")
    translated = Circuit(
        n_qubits=n,
        operations=tuple(operations),
        measurement=measurement,
        n_features=len(inputs),
        n_weights=len(trainables),
        name=name or circuit.name,
    )
    unused = [p.name for p in [*inputs, *trainables] if p not in set(circuit.parameters)]
    if unused:
        notes.append(f"listed parameters that the circuit does not use: {', '.join(unused)}")
    notes.append(
        (
            "encode-first: input gates (and the gates before them on their wires) moved ahead of trainable "
            "gates on other wires, which they commute with"
            if moved
            else "encode-first: every input gate comes before the trainable gates"
        )
        if translated.is_encode_first
        else "not encode-first: some input gate follows a trainable gate on its wires (statevector / "
        "density-matrix paths; no single measurement operator for certificates)"
    )
    source = {
        "framework": "qiskit",
        "qiskit_version": qiskit.__version__,
        "circuit": circuit.name,
        "n_qubits": n,
        "input_params": [p.name for p in inputs],
        "weight_params": [p.name for p in trainables],
        "output": output,
        "classes": list(classes),
        "qubit_order": "Qiskit qubit q = qtrust wire q; Qiskit integers have qubit 0 as the least significant bit",
        "translation": notes,
    }
    return CircuitClassifier(translated, w, classes=tuple(classes), source=source)


def qiskit_output(classifier: Any, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
    """Qiskit's own output for a translated classifier: ⟨O⟩ per row (estimator), or [P(0), P(1)] (sampler).

    Computed by qtrust under ``noise`` (default: the classifier's deployment noise), so it is what the
    Qiskit model would output on a device with that noise, without readout mitigation.
    """
    source = getattr(classifier, "source", None) or {}
    output = source.get("output") if source.get("framework") == "qiskit" else None
    if not output:
        raise InputError(
            "this classifier was not translated from Qiskit",
            where="qiskit_output",
            fix="pass a classifier made by from_qiskit or from_qiskit_ml",
        )
    p = classifier.probabilities(X, classifier.noise if noise is None else noise)
    if output["kind"] == "expectation":
        return output["offset"] + output["scale"] * p
    return np.column_stack([1.0 - p, p])


# --------------------------------------------------------------------------------------------------------
# qiskit-machine-learning models
# --------------------------------------------------------------------------------------------------------


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

    Exact ties are the one difference: at P = 1/2 qiskit-ml's argmax picks class 0 and at ⟨O⟩ = 0 its sign is
    the label 0 (neither class); qtrust predicts class 1 in both cases.
    """
    _qiskit()
    try:
        import qiskit_machine_learning
        from qiskit_machine_learning.algorithms.classifiers import VQC, NeuralNetworkClassifier
        from qiskit_machine_learning.neural_networks import EstimatorQNN, SamplerQNN
    except ImportError as exc:  # pragma: no cover - exercised only without the optional dependency
        raise InputError(
            "qiskit-machine-learning is not installed",
            where="from_qiskit_ml",
            fix="install the optional dependencies: pip install 'qtrust[qiskit]'",
        ) from exc
    if not isinstance(model, NeuralNetworkClassifier):
        raise InputError(
            f"unsupported model type {type(model).__name__}",
            where="from_qiskit_ml",
            fix="pass a fitted VQC or NeuralNetworkClassifier (with an EstimatorQNN or SamplerQNN); for a bare "
            "circuit use from_qiskit",
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
    label_note: str
    if isinstance(qnn, EstimatorQNN):
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
            name=model_name,
        )
    elif isinstance(qnn, SamplerQNN):
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
            name=model_name,
        )
        if isinstance(model, VQC):
            clf.source["output"]["interpret"] = (
                _VQC_PARITY
                if getattr(qnn.interpret, "__name__", "") == "parity"
                else clf.source["output"]["interpret"]
            )
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


# --------------------------------------------------------------------------------------------------------
# Noise: qtrust NoiseModel → Aer NoiseModel
# --------------------------------------------------------------------------------------------------------


def _aer_error(kind: str, level: float) -> Any:
    from qiskit_aer.noise import amplitude_damping_error, depolarizing_error, pauli_error, phase_damping_error

    if kind == "depolarizing":
        return depolarizing_error(4.0 * level / 3.0, 1)  # qtrust/PennyLane p ↔ Qiskit λ = 4p/3
    if kind == "amplitude_damping":
        return amplitude_damping_error(level)
    if kind == "phase_damping":
        return phase_damping_error(level)
    if kind == "bit_flip":
        return pauli_error([("X", level), ("I", 1.0 - level)])
    if kind == "phase_flip":
        return pauli_error([("Z", level), ("I", 1.0 - level)])
    raise InputError(f"noise channel {kind!r} has no Aer equivalent here", where="noise.channels")


def _gate_error(signature: tuple[tuple[tuple[str, float], ...], ...]) -> Any:
    """One Aer error for a gate: per gate position, its channels in order; positions side by side."""
    from qiskit_aer.noise import pauli_error

    parts = []
    for position in signature:
        err = pauli_error([("I", 1.0)])
        for kind, level in position:
            err = err.compose(_aer_error(kind, level))  # compose: err first, then the next channel
        parts.append(err)
    total = parts[0]
    for part in parts[1:]:
        total = part.tensor(total)  # a.tensor(b) puts b on the lower qubit: position 0 is the first qubit
    return total


def to_aer_noise_model(noise: NoiseModel, n_qubits: int, gates: Iterable[str] | None = None) -> Any:
    """An Aer ``NoiseModel`` placing the same channels as qtrust's ``noise`` on an ``n_qubits`` register.

    Every channel acts after every matching gate, on each of the gate's wires (honouring the channel's
    ``gates``, ``qubits`` and ``operation_wires`` restrictions), in the model's order; readout errors become
    Aer ``ReadoutError``\\ s with rows [P(read 0|0), P(read 1|0)] and [P(read 0|1), P(read 1|1)].
    ``gates`` limits the Qiskit gate names that carry noise (default: all of :data:`QISKIT_BASIS`; ``id``
    never does, as in qtrust). Section restrictions have no Aer equivalent and are refused.
    """
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import ReadoutError as AerReadoutError

    if not isinstance(noise, NoiseModel):
        raise InputError(
            f"expected a qtrust NoiseModel, got {type(noise).__name__}",
            where="noise",
            fix="pass a NoiseModel",
        )
    names = tuple(QISKIT_BASIS if gates is None else gates)
    unknown = [g for g in names if g not in QISKIT_BASIS]
    if unknown:
        raise InputError(
            f"gate {unknown[0]!r} is not one of qtrust's noisy gates",
            where="gates",
            fix=f"use Qiskit names from: {', '.join(QISKIT_BASIS)}",
        )
    for channel in noise.channels:
        if set(channel.sections) != {"encoding", "trainable"}:
            raise InputError(
                f"the {channel.kind} channel is limited to sections {list(channel.sections)}, which Aer cannot "
                "tell apart (it places noise by gate name and qubits)",
                where="noise.channels",
                fix="use channels that act in both sections to compare with Aer",
            )
    aer = AerNoiseModel(basis_gates=list(QISKIT_BASIS))
    for qiskit_name in names:
        gate = QISKIT_TO_QTRUST[qiskit_name]
        spec = GATES[gate]
        angle = Angle() if spec.parametric else None
        per_tuple: dict[tuple[int, ...], tuple[tuple[tuple[str, float], ...], ...]] = {}
        for wires in itertools.permutations(range(n_qubits), spec.n_qubits):
            op = Operation(gate, wires, angle)
            per_tuple[wires] = tuple(
                tuple((c.kind, c.level) for c in noise.channels if c.applies_to(op, wire)) for wire in wires
            )
        signatures = set(per_tuple.values())
        if not any(any(pos) for sig in signatures for pos in sig):
            continue

        if len(signatures) == 1:
            aer.add_all_qubit_quantum_error(_gate_error(next(iter(signatures))), qiskit_name)
        else:
            for wires, signature in per_tuple.items():
                if any(signature):
                    aer.add_quantum_error(_gate_error(signature), qiskit_name, list(wires))
    if noise.has_readout_error:
        rates = noise.readout_for(range(n_qubits)) or ()
        for q, (p01, p10) in enumerate(rates):
            if p01 > 0 or p10 > 0:
                aer.add_readout_error(AerReadoutError([[1.0 - p01, p01], [p10, 1.0 - p10]]), [q])
    return aer


__all__ = [
    "QISKIT_BASIS",
    "QISKIT_TO_QTRUST",
    "from_qiskit",
    "from_qiskit_ml",
    "lower_circuit",
    "qiskit_output",
    "to_aer_noise_model",
]

"""Certified (Guan et al. 2021) and empirical robustness, checked against references that can disagree.

References: numerical optimisation over pure and mixed states (scipy SLSQP, fidelity through
``scipy.linalg.sqrtm``), random search inside the fidelity ball, Bloch-sphere geometry for one qubit, the
closed-form two-outcome problem for a depolarised qubit, the Schrödinger-picture unitary of the trained
circuit, and the closed-form L∞ worst case of a linear model.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.linalg import sqrtm
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from qtrust.assess.robustness import (
    DEFAULT_EPSILONS,
    VERIFY_TOL,
    _Frontier,
    bound_radius,
    certified_radius,
    certify_states,
    fidelity,
    model_operator,
    perturbation_robustness,
    probabilities_fn,
    robust_accuracy,
)
from qtrust.errors import InputError
from qtrust.metrics import equalized_odds_difference
from qtrust.models import QuantumKernelClassifier, VariationalClassifier
from qtrust.quantum import NoiseChannel, NoiseModel, encode, simulate
from qtrust.quantum.engine import _effect, _segments
from qtrust.quantum.states import run_statevectors
from qtrust.seeding import derive_seed

# ------------------------------------------------------------------------------------------------ helpers


def random_effect(rng: np.random.Generator, d: int, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """A random 0 ≤ M ≤ I with a Haar-ish eigenbasis."""
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    _, u = np.linalg.eigh(a + a.conj().T)
    return (u * rng.uniform(low, high, d)) @ u.conj().T


def random_pure(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    psi = rng.normal(size=(n, d)) + 1j * rng.normal(size=(n, d))
    return psi / np.linalg.norm(psi, axis=1, keepdims=True)


def random_mixed(rng: np.random.Generator, n: int, d: int, rank: int | None = None) -> np.ndarray:
    a = rng.normal(size=(n, d, rank or d)) + 1j * rng.normal(size=(n, d, rank or d))
    rho = a @ np.conj(np.swapaxes(a, 1, 2))
    return rho / np.trace(rho, axis1=1, axis2=2).real[:, None, None]


def worst_value(operator: np.ndarray, state: np.ndarray, label: int, epsilon: float) -> float:
    """The module's worst-case p1 in the ball (via the adversarial state when the label flips, else NaN)."""
    result = certify_states(operator, state[None], np.array([label]), (epsilon,), check_all=True)
    adversarial = result.points[0].adversarial
    return adversarial[0].p1_adversarial if adversarial else math.nan


def uhlmann(rho: np.ndarray, sigma: np.ndarray) -> float:
    """Fidelity by scipy's matrix square root: independent of the module's eigendecomposition route."""
    root = sqrtm(rho)
    return float(np.real(np.trace(sqrtm(root @ sigma @ root))) ** 2)


def slsqp_pure(operator, psi, min_fidelity, sign, rng, starts=6):
    """min over pure φ of sign·⟨φ|M|φ⟩ with |⟨ψ|φ⟩|² ≥ c, several starts (φ as real + imaginary parts)."""
    d = psi.size

    def unit(x):
        phi = x[:d] + 1j * x[d:]
        return phi / np.linalg.norm(phi)

    def objective(x):
        phi = unit(x)
        return sign * float(np.real(np.vdot(phi, operator @ phi)))

    def constraint(x):
        return abs(np.vdot(psi, unit(x))) ** 2 - min_fidelity

    best = np.inf
    x0 = np.concatenate([psi.real, psi.imag])
    for start in range(starts):
        x = x0 + (0.4 * rng.normal(size=2 * d) if start else 0.0)
        res = minimize(
            objective,
            x,
            method="SLSQP",
            constraints=[{"type": "ineq", "fun": constraint}],
            options={"ftol": 1e-13, "maxiter": 1000},
        )
        if constraint(res.x) > -1e-10:
            best = min(best, res.fun)
    return sign * best


def slsqp_mixed(operator, rho, min_fidelity, sign, rng, starts=3):
    """min over all density matrices σ = AA†/Tr(AA†) of sign·Tr(Mσ) with F(ρ, σ) ≥ c (sqrtm fidelity)."""
    d = rho.shape[0]

    def state(x):
        a = (x[: d * d] + 1j * x[d * d :]).reshape(d, d)
        s = a @ a.conj().T
        return s / np.trace(s).real

    def objective(x):
        return sign * float(np.real(np.trace(operator @ state(x))))

    def constraint(x):
        return uhlmann(rho, state(x)) - min_fidelity

    root = sqrtm(rho)
    x0 = np.concatenate([root.real.ravel(), root.imag.ravel()])
    best = np.inf
    for start in range(starts):
        x = x0 + (0.2 * rng.normal(size=x0.size) if start else 0.0)
        res = minimize(
            objective,
            x,
            method="SLSQP",
            constraints=[{"type": "ineq", "fun": constraint}],
            options={"ftol": 1e-12, "maxiter": 400},
        )
        if constraint(res.x) > -1e-8:
            best = min(best, res.fun)
    return sign * best


def schrodinger_operator(model, noise=None) -> np.ndarray:
    """M = U† E U from the trainable section's unitary, built column by column on basis states."""
    circuit = model.circuit_
    d = 2**circuit.n_qubits
    _, trainable = _segments(circuit)
    u = run_statevectors(np.eye(d, dtype=complex), trainable, circuit.n_qubits, None, model.weights_).T
    return u.conj().T @ np.diag(_effect(circuit, noise or NoiseModel())) @ u


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, np.pi, (60, 2))
    y = (np.cos(X[:, 0]) + 0.5 * np.cos(X[:, 1]) > 0).astype(int)
    groups = np.where(rng.uniform(size=60) < 0.5, "a", "b")
    return X, y, groups


@pytest.fixture(scope="module")
def model(toy):
    X, y, _ = toy
    return VariationalClassifier(n_layers=1, max_iter=40, random_state=0).fit(X, y)


# ---------------------------------------------------------------------------------------- robust bound


def test_bound_radius_formula_and_symmetry():
    p = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    expected = 0.5 - np.sqrt(p * (1 - p))  # (√p1 − √p0)²/2
    assert np.allclose(bound_radius(p), expected)
    assert np.allclose(bound_radius(p), bound_radius(1 - p))
    assert bound_radius(0.5) == 0.0
    assert np.allclose(bound_radius(p, "purified"), np.sqrt(expected))


# ---------------------------------------------------------------------------------- closed-form qubits


def test_single_qubit_projective_classifier_radius_is_the_bloch_angle_to_the_boundary():
    """Noiseless RY(x)·RY(w) on one qubit: M is a projector and r* = r_B = sin²(|θ − π/2| / 2)."""
    rng = np.random.default_rng(1)
    X = rng.uniform(0, np.pi, (40, 1))
    y = (X[:, 0] > 1.3).astype(int)
    clf = VariationalClassifier(n_layers=0, readout="first", max_iter=30, random_state=0).fit(X, y)
    theta = np.mod(X[:, 0] + clf.weights_[0], 2 * np.pi)
    theta = np.where(theta > np.pi, 2 * np.pi - theta, theta)  # polar angle in [0, π]
    geometric = np.sin(np.abs(theta - np.pi / 2) / 2) ** 2
    exact = certified_radius(clf, X, method="exact")
    bound = certified_radius(clf, X)
    assert np.allclose(exact, geometric, atol=1e-10)
    assert np.allclose(bound, geometric, atol=1e-10)
    # the worst state at ε is the rotation by δ = 2·arccos(√(1 − ε)) towards the other pole
    eps = 0.05
    delta = 2 * np.arccos(np.sqrt(1 - eps))
    m = model_operator(clf)
    states = encode(clf.circuit_, X).data.astype(complex)
    checked = np.flatnonzero(geometric < eps)[:5]
    assert checked.size
    for i in checked:
        state = states[i]
        label = int(theta[i] > np.pi / 2)
        expected = np.sin((theta[i] - delta) / 2) ** 2 if label else np.sin((theta[i] + delta) / 2) ** 2
        assert worst_value(m, state, label, eps) == pytest.approx(expected, abs=1e-9)


def test_depolarised_qubit_exact_radius_matches_the_two_outcome_closed_form():
    """Depolarising p after the trainable gate: M = (1 − 4p/3)·P + (2p/3)·I, not a projector.

    A flip moves the P-population across q* = (1/2 − b)/a (either way), so r* = 1 − (√((1−p_P)(1−q*)) +
    √(p_P q*))², strictly above the bound radius.
    """
    rng = np.random.default_rng(2)
    X = rng.uniform(0, np.pi, (40, 1))
    y = (X[:, 0] > 1.3).astype(int)
    clf = VariationalClassifier(n_layers=0, readout="first", max_iter=30, random_state=0).fit(X, y)
    p = 0.15
    noise = NoiseModel(channels=(NoiseChannel("depolarizing", p, sections=("trainable",)),))
    a, b = 1 - 4 * p / 3, 2 * p / 3
    p_proj = np.sin((X[:, 0] + clf.weights_[0]) / 2) ** 2
    p1 = a * p_proj + b
    q_star = (0.5 - b) / a
    expected = 1 - (np.sqrt((1 - p_proj) * (1 - q_star)) + np.sqrt(p_proj * q_star)) ** 2
    exact = certified_radius(clf, X, noise, method="exact")
    bound = certified_radius(clf, X, noise)
    assert np.allclose(exact, expected, atol=1e-9)
    assert np.all(exact > bound + 1e-6)
    assert np.allclose(clf.probabilities(X, noise), p1, atol=1e-12)


# ------------------------------------------------------------------------- exact check vs references


def test_exact_check_matches_numerical_optimisation_over_pure_states():
    rng = np.random.default_rng(3)
    for d in (4, 8):
        m = random_effect(rng, d)
        for psi in random_pure(rng, 2, d):
            p1 = float(np.real(np.vdot(psi, m @ psi)))
            label = int(p1 >= 0.5)
            sign = 1.0 if label else -1.0  # the adversary lowers p1 for label 1, raises it for label 0
            for eps in (0.01, 0.1):
                result = certify_states(m, psi[None], np.array([label]), (eps,), check_all=True)
                reference = slsqp_pure(m, psi, 1 - eps, sign, rng)
                vals, vecs = np.linalg.eigh(m)
                ours = _worst_probability(vals, vecs, psi, label, 1 - eps)
                assert sign * ours <= sign * reference + 1e-9  # never worse than the optimiser
                assert ours == pytest.approx(reference, abs=1e-6)  # and the optimiser finds it
                adversarial = result.points[0].adversarial
                assert bool(adversarial) == (ours < 0.5 if label else ours >= 0.5)


def _worst_probability(vals, vecs, psi, label, c):
    values = vals if label else 1 - vals
    q = _Frontier.of(values[None], (np.abs(vecs.conj().T @ psi) ** 2)[None]).worst(c)[0]
    return float(q @ vals)


def test_exact_check_matches_numerical_optimisation_over_mixed_states():
    rng = np.random.default_rng(4)
    d = 4
    for _ in range(2):
        m = random_effect(rng, d)
        rho = random_mixed(rng, 1, d)[0]
        vals, vecs = np.linalg.eigh(m)
        p1 = float(np.real(np.trace(m @ rho)))
        label = int(p1 >= 0.5)
        sign = 1.0 if label else -1.0
        values = vals if label else 1 - vals
        w = np.real(np.diag(vecs.conj().T @ rho @ vecs))
        q = _Frontier.of(values[None], w[None]).worst(0.95)[0]
        ours = float(q @ vals)
        reference = slsqp_mixed(m, rho, 0.95, sign, rng)
        assert sign * ours <= sign * reference + 1e-8
        assert ours == pytest.approx(reference, abs=1e-5)


def test_no_state_found_by_random_search_beats_the_exact_worst_case():
    rng = np.random.default_rng(5)
    d, eps = 8, 0.05
    m = random_effect(rng, d)
    psi = random_pure(rng, 1, d)[0]
    vals, vecs = np.linalg.eigh(m)
    label = int(np.real(np.vdot(psi, m @ psi)) >= 0.5)
    ours = _worst_probability(vals, vecs, psi, label, 1 - eps)
    # pure states inside the ball: ψ cos t + χ sin t with χ ⊥ ψ, sin² t ≤ ε
    chi = random_pure(rng, 20000, d)
    chi = chi - np.outer(chi @ psi.conj(), psi)
    chi /= np.linalg.norm(chi, axis=1, keepdims=True)
    t = np.arcsin(np.sqrt(eps * rng.uniform(0, 1, 20000) ** 0.25))
    phi = np.cos(t)[:, None] * psi + np.sin(t)[:, None] * chi
    assert np.all(np.abs(phi @ psi.conj()) ** 2 >= 1 - eps - 1e-12)
    scores = np.real(np.einsum("bi,bi->b", phi.conj(), phi @ m.T))
    found = scores.min() if label else scores.max()
    assert (found >= ours - 1e-12) if label else (found <= ours + 1e-12)
    assert abs(found - ours) < 0.05  # the search gets close, so the comparison has teeth


def test_degenerate_case_where_the_lowest_eigenvector_is_orthogonal_to_the_input():
    """min m lives on an eigenvector ψ does not touch: the optimum mixes in that eigenvector."""
    m = np.diag([0.0, 0.6, 0.7, 0.9]).astype(complex)
    psi = np.array([0, 0.5, 0.5, math.sqrt(0.5)], dtype=complex)
    rng = np.random.default_rng(6)
    for eps in (0.1, 0.5, 0.8):
        vals, vecs = np.linalg.eigh(m)
        ours = _worst_probability(vals, vecs, psi, 1, 1 - eps)
        assert ours == pytest.approx(slsqp_pure(m, psi, 1 - eps, 1.0, rng), abs=1e-7)
    result = certify_states(m, psi[None], np.array([1]), (0.3, 0.4))
    radius = float(result.exact_radius[0])
    assert result.at(0.3).n_robust == int(radius > 0.3)
    assert result.at(0.4).n_robust == int(radius > 0.4)
    assert all(a.verified for p in result.points for a in p.adversarial)
    # the same for a mixed state of rank 2 that never touches |0⟩: the adversary needs weight outside ρ's support
    a, b = np.array([0, 1, 1, 0]) / math.sqrt(2), np.array([0, 0, 1, 1]) / math.sqrt(2)
    rho = (0.7 * np.outer(a, a) + 0.3 * np.outer(b, b)).astype(complex)
    adversarial = worst_value(m, rho, 1, 0.6)
    assert adversarial < 0.5
    # reference through Uhlmann's theorem: pure states Φ of system ⊗ copy near the purification (√ρ ⊗ I)|Ω⟩
    vals, vecs = np.linalg.eigh(rho)
    purification = ((vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.conj().T).reshape(-1)
    reference = slsqp_pure(np.kron(m, np.eye(4)), purification, 0.4, 1.0, rng, starts=3)
    assert adversarial == pytest.approx(reference, abs=1e-7)


# --------------------------------------------------------------------------------- soundness, at scale


@pytest.mark.parametrize("kind", ["pure", "mixed"])
def test_bound_never_certifies_an_input_the_exact_check_breaks(kind):
    rng = np.random.default_rng(7)
    d, n = 8, 150
    m = random_effect(rng, d, 0.2, 0.8)
    states = random_pure(rng, n, d) if kind == "pure" else random_mixed(rng, n, d, rank=2)
    labels = rng.integers(0, 2, n)
    eps_grid = (1e-3, 4e-3, 0.02, 0.05, 0.1)
    result = certify_states(m, states, labels, eps_grid, check_all=True)
    assert np.all(result.exact_radius >= result.bound_radius - 1e-12)
    previous = None
    for point in result.points:
        broken = np.array([a.index for a in point.adversarial], dtype=int)
        assert np.all(result.bound_radius[broken] <= point.epsilon)  # soundness of the bound
        assert point.n_unverified == 0
        # decisions agree with the exact radius (away from ties)
        away = np.abs(result.exact_radius - point.epsilon) > 1e-9
        expected = set(np.flatnonzero(away & (result.exact_radius < point.epsilon)))
        assert set(broken[away[broken]]) == expected
        # recompute every adversary independently: Tr(Mσ), fidelity via sqrtm, the label flips
        for adv in point.adversarial[:10]:
            rho = states[adv.index]
            if kind == "pure":
                p_adv = float(np.real(np.vdot(adv.state, m @ adv.state)))
                f = abs(np.vdot(rho, adv.state)) ** 2
            else:
                assert np.allclose(adv.state, adv.state.conj().T)
                assert np.linalg.eigvalsh(adv.state).min() > -1e-12
                assert np.trace(adv.state).real == pytest.approx(1.0)
                p_adv = float(np.real(np.trace(m @ adv.state)))
                f = uhlmann(rho, adv.state)
            assert 1 - f <= point.epsilon + 1e-8
            assert int(p_adv >= 0.5) != result.predictions[adv.index]
        if previous is not None:
            assert point.robust_accuracy <= previous.robust_accuracy
            assert point.robust_fraction <= previous.robust_fraction
            assert point.bound_certified_accuracy <= previous.bound_certified_accuracy
        assert point.bound_certified_accuracy <= point.robust_accuracy <= result.clean_accuracy
        previous = point


# ------------------------------------------------------------------------------------- trained models


def test_robust_accuracy_of_a_trained_classifier(model, toy):
    X, y, _ = toy
    eps_grid = (*DEFAULT_EPSILONS, 0.02, 0.05)
    result = robust_accuracy(model, X, y, eps_grid)
    assert result.state_kind == "statevector"
    # p1 = Tr(M ρ(x)) is the engine's statevector probability; M agrees with the Schrödinger unitary
    assert np.allclose(
        result.probabilities, simulate(model.circuit_, X, model.weights_, path="statevector").probabilities
    )
    reference = schrodinger_operator(model)
    assert np.allclose(model_operator(model), reference, atol=1e-12)
    accuracies = [p.robust_accuracy for p in result.points]
    assert accuracies == sorted(accuracies, reverse=True)
    assert result.points[-1].robust_accuracy < result.clean_accuracy  # the large levels break something
    for point in result.points:
        assert point.bound_certified_accuracy <= point.robust_accuracy
        for adv in point.adversarial:
            assert adv.verified
            p_ref = float(np.real(np.vdot(adv.state, reference @ adv.state)))
            assert p_ref == pytest.approx(adv.p1_adversarial, abs=1e-12)
            assert (p_ref >= 0.5) != (result.probabilities[adv.index] >= 0.5)
    text = json.dumps(result.to_dict(include_states=True))
    assert "Guan" in text
    assert "1 - F" in text


def test_noisy_encoding_gives_mixed_adversaries(model, toy):
    X, y, _ = toy
    noise = NoiseModel.single("depolarizing", 0.03)
    result = robust_accuracy(model, X[:30], y[:30], (0.01, 0.05), noise)
    assert result.state_kind == "density_matrix"
    assert np.allclose(
        result.probabilities,
        simulate(model.circuit_, X[:30], model.weights_, noise, path="density_matrix").probabilities,
    )
    adversaries = [a for p in result.points for a in p.adversarial]
    assert adversaries
    m = model_operator(model, noise)
    encoded = encode(model.circuit_, X[:30], noise)
    assert encoded.kind == "product"
    rho = encoded.density_matrices()
    dense = certify_states(m, rho, result.labels, (0.01, 0.05))  # dense route vs per-qubit factors
    assert np.allclose(dense.exact_radius, result.exact_radius, atol=1e-12)
    assert [p.n_robust for p in dense.points] == [p.n_robust for p in result.points]
    for adv in adversaries[:8]:
        assert adv.kind == "density_matrix"
        assert adv.verified
        assert 1 - uhlmann(rho[adv.index], adv.state) <= adv.epsilon + 1e-8
        assert np.real(np.trace(m @ adv.state)) == pytest.approx(adv.p1_adversarial, abs=1e-12)
    assert result.noise["channels"][0]["kind"] == "depolarizing"


def test_purified_distance_is_the_square_root_scale(model, toy):
    X, y, _ = toy
    infidelity = robust_accuracy(model, X, y, (0.0016, 0.01))
    purified = robust_accuracy(model, X, y, (0.04, 0.1), distance="purified")
    assert np.allclose(purified.exact_radius, np.sqrt(infidelity.exact_radius))
    for a, b in zip(infidelity.points, purified.points, strict=True):
        assert a.robust_accuracy == b.robust_accuracy
        assert a.bound_certified_accuracy == b.bound_certified_accuracy


def test_fidelity_helper_agrees_with_sqrtm_and_the_pure_state_formula():
    rng = np.random.default_rng(8)
    rho, sigma = random_mixed(rng, 2, 4)
    psi = random_pure(rng, 1, 4)[0]
    assert fidelity(rho, sigma) == pytest.approx(uhlmann(rho, sigma), abs=1e-10)
    pure = np.outer(psi, psi.conj())
    assert fidelity(psi, sigma) == pytest.approx(np.real(psi.conj() @ sigma @ psi), abs=1e-14)
    # the general route on a rank-one matrix (√ of zero eigenvalues) stays within the mixed tolerance
    assert fidelity(pure, sigma) == pytest.approx(fidelity(psi, sigma), abs=VERIFY_TOL["density_matrix"])


# -------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("eps", [0.0, -1e-3, 1.5, float("nan"), ()])
def test_robustness_level_outside_unit_interval_is_rejected(model, toy, eps):
    X, y, _ = toy
    with pytest.raises(InputError, match="epsilons"):
        robust_accuracy(model, X, y, eps)


def test_data_reuploading_and_kernel_models_are_rejected_with_a_reason(toy):
    X, y, _ = toy
    reupload = VariationalClassifier(n_layers=2, reupload=True, max_iter=3, random_state=0).fit(X, y)
    assert not reupload.circuit_.is_encode_first
    with pytest.raises(InputError, match="re-uploads data"):
        robust_accuracy(reupload, X, y)
    kernel = QuantumKernelClassifier(random_state=0).fit(X, y)
    with pytest.raises(InputError, match="kernel"):
        certified_radius(kernel, X)
    with pytest.raises(InputError, match="distance"):
        bound_radius(0.7, "trace")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ empirical robustness


def test_gaussian_draws_are_seeded_recorded_and_reproducible(model, toy):
    X, y, groups = toy
    fn = probabilities_fn(model)
    kwargs = {"sigma_list": (0.05, 0.3), "linf_eps_list": (0.1,), "n_draws": 5}
    a = perturbation_robustness(fn, X, y, groups, rng=11, **kwargs)
    b = perturbation_robustness(fn, X, y, groups, rng=11, **kwargs)
    assert a.to_dict() == b.to_dict()
    point = a.gaussian[1]
    assert point.seed == derive_seed(11, "perturbation", "gaussian", repr(0.3))
    assert a.seeds["gaussian"][repr(0.3)] == point.seed
    # the recorded seed alone reproduces the draws, accuracy and fairness gap
    noisy = X[None] + np.random.default_rng(point.seed).normal(0.0, 0.3, (5, *X.shape))
    pred = (model.probabilities(noisy.reshape(-1, 2)).reshape(5, -1) >= 0.5).astype(int)
    assert np.allclose(point.accuracy, (pred == y).mean(axis=1))
    assert np.allclose(
        point.equalized_odds_difference, equalized_odds_difference(y, pred, sensitive_features=groups)
    )
    assert a.gaussian[0].flip_rate < a.gaussian[1].flip_rate
    generator = perturbation_robustness(fn, X, y, groups, rng=np.random.default_rng(3), **kwargs)
    again = perturbation_robustness(fn, X, y, groups, rng=np.random.default_rng(3), **kwargs)
    assert generator.seeds == again.seeds
    assert generator.to_dict() == again.to_dict()
    json.dumps(a.to_dict())


def test_linf_attack_finds_exactly_the_closed_form_flips_of_a_linear_model():
    """For p = σ(wᵀx + b) the worst L∞ margin is |wᵀx + b| − ε‖w‖₁: a correct row breaks iff that is ≤ 0."""
    rng = np.random.default_rng(9)
    X = rng.normal(size=(200, 3))
    y = (X @ np.array([1.0, -0.5, 0.25]) + 0.3 * rng.normal(size=200) > 0).astype(int)
    clf = LogisticRegression().fit(X, y)
    logit = clf.decision_function(X)
    w1 = np.abs(clf.coef_[0]).sum()
    groups = np.where(X[:, 2] > 0, "g1", "g2")
    result = perturbation_robustness(
        probabilities_fn(clf), X, y, groups, sigma_list=(0.1,), linf_eps_list=(0.05, 0.2, 0.5), rng=0
    )
    correct = (logit >= 0) == (y == 1)
    previous = -1
    for attack in result.linf:
        reachable = correct & (np.abs(logit) <= attack.epsilon * w1)
        clear = np.abs(np.abs(logit) - attack.epsilon * w1) > 1e-6
        broken = correct & ((attack.probabilities >= 0.5) != (y == 1))
        assert np.array_equal(broken[clear], reachable[clear])
        assert attack.max_perturbation <= attack.epsilon + 1e-12
        assert attack.accuracy == pytest.approx(np.mean((attack.probabilities >= 0.5) == (y == 1)))
        assert attack.n_flipped >= previous
        previous = attack.n_flipped


def test_linf_attack_on_the_quantum_model_reports_only_real_flips(model, toy):
    X, y, groups = toy
    result = perturbation_robustness(
        probabilities_fn(model), X, y, groups, sigma_list=(), linf_eps_list=(0.05, 0.2), rng=5, restarts=1
    )
    assert result.clean_accuracy == pytest.approx(np.mean(model.predict(X) == y))
    flips = [a.n_flipped for a in result.linf]
    assert flips == sorted(flips)
    assert flips[-1] > 0
    clean_ok = model.predict(X) == y
    for attack in result.linf:
        again = model.probabilities(attack.adversarial_inputs)
        assert np.allclose(again, attack.probabilities)
        assert np.max(np.abs(attack.adversarial_inputs - X)) <= attack.epsilon + 1e-12
        assert attack.accuracy <= result.clean_accuracy
        # brute force: a 41 × 41 grid over each row's box finds no flip the attack missed (two features)
        g = np.linspace(-attack.epsilon, attack.epsilon, 41)
        offsets = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
        p_grid = model.probabilities((X[:, None, :] + offsets[None]).reshape(-1, 2)).reshape(len(X), -1)
        grid_broken = clean_ok & np.where(y[:, None] == 1, p_grid < 0.5, p_grid >= 0.5).any(axis=1)
        attack_broken = clean_ok & ((attack.probabilities >= 0.5) != (y == 1))
        assert np.sum(grid_broken & ~attack_broken) <= 1
        assert attack_broken.sum() == attack.n_flipped
    assert set(result.seeds["linf"]) == {repr(0.05), repr(0.2)}


def test_empirical_bad_inputs_are_rejected(model, toy):
    X, y, groups = toy
    fn = probabilities_fn(model)
    with pytest.raises(InputError, match="sigma_list"):
        perturbation_robustness(fn, X, y, groups, sigma_list=(-0.1,), linf_eps_list=(), rng=0)
    with pytest.raises(InputError, match="linf_eps_list"):
        perturbation_robustness(fn, X, y, groups, sigma_list=(), linf_eps_list=(0.0,), rng=0)
    with pytest.raises(InputError, match="sensitive_features"):
        perturbation_robustness(fn, X, y, groups[:-1], sigma_list=(0.1,), linf_eps_list=(), rng=0)

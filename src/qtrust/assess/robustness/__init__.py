"""Robustness of a classifier to perturbed inputs: certified (quantum states) and empirical (features).

Certified robustness — Guan, Fang, Ying, "Robustness Verification of Quantum Classifiers", CAV 2021
(LNCS 12759, doi:10.1007/978-3-030-81685-8_7, arXiv:2008.07230), with the conventions of the authors' own
verifier (VeriQ, github.com/Veri-Q/Robustness, ``VeriQ.py``):

* A binary classifier scores a state ρ by p1(ρ) = Tr(M ρ), p0 = 1 − p1, with M = E†(effect) the Heisenberg
  operator of the trainable section and measurement (noise channels and readout error included), so
  0 ≤ M ≤ I. The label is 1 iff p1 ≥ 1/2 (qtrust's ``predict``).
* Distance: D(ρ, σ) = 1 − F(ρ, σ) with F(ρ, σ) = (Tr √(√ρ σ √ρ))² the (squared) Uhlmann fidelity. VeriQ's
  SDP maximises √F and compares 1 − √F with 1 − √(1 − ε), i.e. F > 1 − ε, and its bound flags
  |√p − √(1 − p)| ≤ √(2ε): both are the infidelity 1 − F, **not** √(1 − F). The purified (sine) distance
  √(1 − F) is available as ``distance="purified"``: P ≤ ε ⟺ 1 − F ≤ ε².
* ρ is ε-robust if every σ with D(ρ, σ) ≤ ε gets ρ's label. Robust accuracy at ε: the share of inputs that
  are classified correctly *and* ε-robust. (VeriQ counts 1 − #(correct and not robust)/N, which also counts
  misclassified inputs as robust; ``robust_fraction`` — robust, correct or not — is reported too.)
* Robust bound (the paper's sufficient condition, binary case, as VeriQ applies it before its SDP): ρ is
  ε-robust if |√p1 − √p0| > √(2ε), i.e. its bound radius r_B = (√p1 − √p0)²/2 = 1/2 − √(p0 p1) exceeds ε.
  Why it is sound: measuring {M, I − M} is a channel, so the classical fidelity of the outcome laws is at
  least F(ρ, σ) ≥ 1 − ε; the closest law on the decision boundary (1/2, 1/2) has classical fidelity
  1/2 + √(p0 p1) = 1 − r_B.
* Exact check (the paper's SDP, replaced by a reduction proved here, so no SDP solver is needed — pure *and*
  mixed states): with M = Σ_k m_k |k⟩⟨k| and w_k = ⟨k|ρ|k⟩,

      min {Tr(Mσ) : F(ρ, σ) ≥ c}  =  min {Σ_k q_k m_k : q a distribution, (Σ_k √(q_k w_k))² ≥ c}.

  (≥) Measuring in M's eigenbasis is a channel: it keeps Tr(Mσ) = Σ m_k ⟨k|σ|k⟩ and cannot lower the
  fidelity, so every feasible σ gives a feasible q with the same value. (≤) For a feasible q, let
  K = Σ_{w_k>0} √(q_k/w_k) |k⟩⟨k| ⪰ 0 and σ = KρK + Σ_{w_k=0} q_k |k⟩⟨k|. K commutes with M, so
  Tr(Mσ) = Σ q_k m_k; ρ|k⟩ = 0 when w_k = 0, so √ρ σ √ρ = (√ρ K √ρ)² and √F = Tr(Kρ) = Σ √(q_k w_k).
  For pure ρ = |ψ⟩⟨ψ| a pure state does as well: |φ⟩ = K|ψ⟩ + Σ_{w_k=0} √q_k |k⟩ has the same value and
  fidelity (⟨ψ|k⟩ = 0 and M|k⟩ = m_k|k⟩ remove every cross term).
  The classical problem is convex; with u_k = √q_k it reads min uᵀ diag(m) u over ‖u‖ = 1, (sᵀu)² ≥ c,
  s = √w, whose KKT points are u_k ∝ s_k / (m_k − λ), λ < min m — each one globally optimal for its own
  c, because the Lagrangian matrix diag(m) − λI − μ s sᵀ is ⪰ 0 with u in its kernel — plus, when min m is
  carried only by eigenvectors that ρ does not touch (w = 0), the segment mixing the λ → min m limit with
  that eigenvector (the "hard case" of trust-region problems). Overlap Σ √(q_k w_k) and value Σ q_k m_k
  both increase along the family as λ decreases, so a monotone one-dimensional bisection finds (a) the
  worst state inside the ball (fidelity ≥ 1 − ε), which decides robustness and is the adversarial state
  returned, and (b) the exact radius r* = 1 − max{F(ρ, σ) : σ flips the label}. Labels 0 use 1 − m.

  The exact radius is never below the bound radius; they coincide when M is a projector (e.g. a noiseless
  single-qubit classifier), where r* = sin²(|θ − π/2| / 2) for Bloch polar angle θ in M's eigenbasis.

Not covered: circuits that re-upload data (no single M; an :class:`InputError` says so) and the
quantum-kernel SVC (its decision is a kernel expansion over support vectors, not Tr(Mρ); no sound
certificate is implemented). Multi-class bounds are out of scope (qtrust's classifiers are binary).

Empirical robustness (:func:`perturbation_robustness`) perturbs the *features* of any model exposing
P(class 1 | X): Gaussian noise (seeded draws) and a projected sign-gradient attack (finite differences,
batched) inside an L∞ ball, reporting accuracy, the equalised-odds gap (qtrust.metrics) and flip rates.

The code lives in one module per part, each importing only the parts listed before it: ``validation``,
``certificate`` (fidelity, operator, robust bound), ``frontier``, ``states``, ``records``, ``checks``,
``empirical``. This package re-exports the public names, so ``from qtrust.assess.robustness import ...``
keeps working.
"""

from __future__ import annotations

from qtrust.assess.robustness.certificate import bound_radius, circuit_operator, fidelity, model_operator
from qtrust.assess.robustness.checks import (
    DEFAULT_EPSILONS,
    certified_radius,
    certify_states,
    robust_accuracy,
)
from qtrust.assess.robustness.checks import VERIFY_TOL as VERIFY_TOL  # not in __all__, as before
from qtrust.assess.robustness.empirical import (
    GaussianPerturbation,
    LinfAttack,
    PerturbationRobustness,
    perturbation_robustness,
    probabilities_fn,
)
from qtrust.assess.robustness.frontier import _Frontier as _Frontier  # private; tests check it directly
from qtrust.assess.robustness.records import AdversarialState, CertifiedRobustness, EpsilonRobustness
from qtrust.assess.robustness.validation import DISTANCES

__all__ = [
    "DEFAULT_EPSILONS",
    "DISTANCES",
    "AdversarialState",
    "CertifiedRobustness",
    "EpsilonRobustness",
    "GaussianPerturbation",
    "LinfAttack",
    "PerturbationRobustness",
    "bound_radius",
    "certified_radius",
    "certify_states",
    "circuit_operator",
    "fidelity",
    "model_operator",
    "perturbation_robustness",
    "probabilities_fn",
    "robust_accuracy",
]

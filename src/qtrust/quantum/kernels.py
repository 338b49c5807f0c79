"""Quantum kernels from batches of encoded states: N state preparations, not N² circuits.

* fidelity kernel k(x, x') = Tr(ρ(x) ρ(x')) — |⟨ψ(x)|ψ(x')⟩|² for pure states — the Gram matrix of the
  simulated states (one matrix product); for noisy product encodings the closed form Π_q (1 + r_q·r'_q)/2.
* projected kernel (Huang et al., Nature Communications 12, 2631, 2021)
  k(x, x') = exp(−γ Σ_q ‖ρ_q(x) − ρ_q(x')‖²_F) = exp(−γ/2 Σ_q ‖r_q(x) − r_q(x')‖²) over single-qubit
  reduced states with Bloch vectors r_q.

Shot estimates model how the kernel is measured: the fidelity by a swap test (P(0) = (1 + k)/2, unbiased
for mixed states too), each Bloch component by S shots in its Pauli basis.
"""

from __future__ import annotations

import numpy as np

from qtrust.quantum.shots import check_shots, sample_signed
from qtrust.quantum.states import EncodedStates


def fidelity_kernel(a: EncodedStates, b: EncodedStates) -> np.ndarray:
    """Tr(ρ_a ρ_b) for every pair, shape (len(a), len(b))."""
    if a.kind == "pure" and b.kind == "pure":
        overlap = a.data @ b.data.conj().T
        return overlap**2 if not np.iscomplexobj(overlap) else np.abs(overlap) ** 2
    if a.kind == "product" and b.kind == "product":
        k = np.ones((a.n_rows, b.n_rows))
        for q in range(a.n_qubits):
            k *= (a.data[:, q, :] @ b.data[:, q, :].T) / 2.0
        return k
    # Tr(ρ σ) = 2^-n Σ_a c_a(ρ) c_a(σ): one real product of Pauli vectors
    return (a.pauli_vectors() @ b.pauli_vectors().T) / 2**a.n_qubits


def projected_kernel(
    a: EncodedStates, b: EncodedStates, gamma: float, bloch_a=None, bloch_b=None
) -> np.ndarray:
    """exp(−γ/2 Σ_q ‖r_q − r'_q‖²); optional precomputed (or shot-estimated) Bloch vectors."""
    ra = (a.bloch_vectors() if bloch_a is None else bloch_a).reshape(a.n_rows, -1)
    rb = (b.bloch_vectors() if bloch_b is None else bloch_b).reshape(b.n_rows, -1)
    sq = (ra**2).sum(1)[:, None] + (rb**2).sum(1)[None, :] - 2 * ra @ rb.T
    return np.exp(-gamma / 2.0 * np.maximum(sq, 0.0))


def sample_fidelity_kernel(kernel: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Swap-test estimate of each kernel entry from ``shots`` shots: 2·Binomial(S, (1 + k)/2)/S − 1."""
    shots = check_shots(shots)
    p0 = np.clip((1.0 + kernel) / 2.0, 0.0, 1.0)
    return 2.0 * rng.binomial(shots, p0) / shots - 1.0


def sample_bloch_vectors(bloch: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Each Bloch component estimated from ``shots`` measurements in its Pauli basis."""
    return sample_signed(bloch, shots, rng)

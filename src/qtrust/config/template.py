"""The commented default configuration that ``qtrust init`` writes."""

from __future__ import annotations

DEFAULT_CONFIG_YAML = """\
# qtrust audit configuration. Every key is optional: omitted keys take the defaults shown here.
# Run:  qtrust audit this-file.yaml --out qtrust-out

seed: 0                      # root seed; every random draw (split, training, shots, bootstrap) derives from it by name

data:
  source: german_credit      # german_credit (built in) | csv | synthetic
  sensitive: sex             # German Credit: sex (attribute 9) or age (split at 25); CSV: a column name
  # path: my.csv             # source: csv
  # label: outcome           # source: csv — the label column
  # positive: approved       # source: csv — the label value of the favourable outcome
  # sensitive_threshold: 25  # split a numeric sensitive column into "< t" and ">= t"
  drop_sensitive: true       # keep the sensitive column(s) out of the model inputs
  test_size: 0.3             # held-out share, stratified by label x group
  synthetic:                 # source: synthetic — prototyping without personal data
    n_rows: 1000
    n_features: 6
    group_bias: 0.2          # difference of the favourable base rate between the groups
    proxy_strength: 0.5      # how strongly one feature leaks group membership
    minority_fraction: 0.3
    label_noise: 0.05

encoding:
  n_qubits: 6                # one input dimension per qubit
  reduction: pls             # pls (supervised, training labels only) | pca | none
  angle_range: [0.0, 3.141592653589793]

models:                      # the quantum models under audit
  - kind: variational        # angle/IQP encoding + hardware-efficient layers, L-BFGS on exact gradients
    name: vqc
    n_layers: 2
    encoding: angle          # angle | iqp
    topology: ring           # ring | linear | full | none
    readout: mean            # mean (of all qubits) | parity | first
    reupload: false          # true: encoding before every layer (density-matrix path under noise)
    gradient: analytic       # analytic (adjoint) | parameter-shift
    max_iter: 150
    # train_noise: {kind: depolarizing, level: 0.001}   # noise-aware training
  - kind: quantum_kernel     # SVM on a quantum kernel, Platt-scaled probabilities
    name: qkernel
    kernel: fidelity         # fidelity | projected
    encoding: iqp
    encoding_reps: 2
    topology: linear
    bandwidth: 0.1           # inputs are scaled by this before encoding (avoids kernel concentration)
    C: 1.0
    max_train_rows: 2000     # fit on a seeded sample of at most this many rows (Gram matrix ~ rows²); null: all

baselines:                   # trained on the same inputs, splits and seeds
  - {kind: logistic_regression, name: logistic}
  - {kind: rbf_svm, name: rbf_svm, max_train_rows: 2000}
  - {kind: mlp, name: mlp}
  - {kind: no_entanglement, name: no_entanglement}   # the variational model without entangling gates

noise:                       # deployment noise sweep: each channel on its own, after every gate
  channels: [depolarizing, amplitude_damping, phase_damping, bit_flip, phase_flip, readout]
  levels: [0.0, 0.0001, 0.001, 0.01, 0.03]
  placement: every_gate      # every_gate | after_encoding | before_measurement (one layer, as the CAV 2022 models)
  devices: []                # real devices' calibration snapshots (`qtrust devices`; needs qtrust[qiskit]), e.g.
  # devices: [{name: fake_manila, layout: best}, {name: fake_manila, layout: worst}]

shots:
  budgets: [100, 1000, 10000]
  repeats: 30                # shot draws per seed and budget
  reference: 1000            # budget for the seed / shot / data variance split

reproducibility:
  seeds: [0, 1, 2, 3, 4]     # training seeds

statistics:
  threshold: 0.5             # decision threshold on P(favourable)
  confidence: 0.95
  n_boot: 1000               # bootstrap replicates over rows and prediction draws
  n_permutations: 2000       # paired permutation test, quantum vs classical

certification:               # certified fairness: (ε, δ)-fair iff δ ≥ K*·ε for every input state
  epsilon: 0.01              # trace distance between two inputs
  delta: 0.005               # largest allowed difference of their outputs (total variation)
  bias_pair: true            # search the encoding's input space for the most unequal pair of inputs

privacy:                     # membership and attribute inference, on the audit's own train / test split
  enabled: true
  attacks: [loss, shadow, lira]   # loss threshold, shadow models, LiRA offline
  n_references: 8            # shadow / reference models per model
  reference_noise: matched   # the attacker's references see the deployment's noise and shots
  fprs: null                 # TPR at these FPRs; null: 0.1% and 1%, whichever the test split can measure
  noise: true                # attack under every noise setting of the sweep
  shots: true                # attack under every shot budget
  attribute_inference: true  # recover the sensitive attribute from the model's outputs?

robustness:
  enabled: true
  epsilons: [0.001, 0.002, 0.003, 0.004]   # certified radii, infidelity 1 − F (Guan, Fang & Ying 2021)
  gaussian_sigmas: [0.05, 0.1]             # Gaussian input noise, angle units
  linf_epsilons: [0.05, 0.1]               # worst case inside an L∞ ball, angle units
  n_draws: 20                # Gaussian draws per sigma
  attack_steps: 10           # projected sign-gradient steps of the L∞ attack

verdicts:                    # thresholds behind the report's plain-language verdicts
  max_equalized_odds_difference: 0.10
  max_demographic_parity_difference: 0.10
  min_disparate_impact_ratio: 0.80
  max_accuracy_drop: 0.02
  max_seed_sd: 0.02
  max_flip_rate: 0.01
  max_membership_auc: 0.60
  min_group_test_rows: 30

# extensions:                # config sections of assessments registered outside qtrust, by name
#   my_assessment: {limit: 0.1}
"""


def default_config_yaml() -> str:
    return DEFAULT_CONFIG_YAML

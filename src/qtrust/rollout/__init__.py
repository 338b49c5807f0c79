"""Canary rollout of a quantum model: cohorts by a versioned hash, flags through OpenFeature, a rollout plan
judged step by step with sequential tests, and automatic rollback to the classical model."""

"""Quantum-safe readiness: find cryptography, write a CBOM, and weigh data lifetimes against a quantum computer."""

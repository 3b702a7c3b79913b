"""Evaluation layer: biometric, presentation-attack and fraud metrics with confidence intervals."""

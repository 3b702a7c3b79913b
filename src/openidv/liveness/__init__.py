"""Liveness: presentation-attack, deepfake and camera-injection detection."""

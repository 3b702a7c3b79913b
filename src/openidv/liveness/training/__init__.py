"""Training and evaluation of the passive model (needs the `train` extra: torch, onnx).

Nothing here runs at import, and nothing here is imported by the runtime checks.
"""

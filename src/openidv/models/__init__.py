"""Shipped model weights: located inside the package, verified by hash before use."""

from openidv.models.registry import ModelEntry, load_onnx_session, model_path, record_model

__all__ = ["ModelEntry", "load_onnx_session", "model_path", "record_model"]

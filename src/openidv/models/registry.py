"""A tiny model registry: every weight file ships with its SHA-256 and a model card.

Each capability keeps its weights in a ``models/`` folder inside its package, next to a
``MODELS.json`` manifest::

    {"mrz_ocrb": {"file": "mrz_ocrb.onnx", "sha256": "...", "version": "1.0.0",
                  "card": "mrz_ocrb.md", "trained_by": "scripts/train/mrz_ocrb.py"}}

Training scripts call :func:`record_model` after writing the file; runtime code calls
:func:`model_path` or :func:`load_onnx_session`, which refuse a file whose hash differs (a
corrupted or swapped model must never score a live session). Nothing is downloaded, ever.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from openidv.errors import ConfigError, ModelIntegrityError

MANIFEST = "MODELS.json"
_lock = threading.Lock()
_verified: dict[Path, str] = {}
_sessions: dict[tuple[Path, int], Any] = {}


@dataclass(frozen=True)
class ModelEntry:
    name: str
    file: str
    sha256: str
    version: str
    card: str | None = None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _models_dir(package: str) -> Path:
    return Path(str(resources.files(package).joinpath("models")))


def read_manifest(package: str) -> dict[str, ModelEntry]:
    path = _models_dir(package) / MANIFEST
    if not path.is_file():
        raise ConfigError(f"{package} has no models/{MANIFEST}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: ModelEntry(name, e["file"], e["sha256"], str(e.get("version", "0")), e.get("card"))
        for name, e in raw.items()
    }


def model_entry(package: str, name: str) -> ModelEntry:
    try:
        return read_manifest(package)[name]
    except KeyError:
        raise ConfigError(f"model {name!r} is not in {package}/models/{MANIFEST}") from None


def model_path(package: str, name: str) -> Path:
    """Path of a shipped model file after verifying its hash (verified once per process)."""
    entry = model_entry(package, name)
    path = _models_dir(package) / entry.file
    if not path.is_file():
        raise ConfigError(f"model file {path} is missing; run its training script or reinstall")
    with _lock:
        if _verified.get(path) != entry.sha256:
            actual = sha256_file(path)
            if actual != entry.sha256:
                raise ModelIntegrityError(f"{path.name}: sha256 {actual[:12]}… != recorded {entry.sha256[:12]}…")
            _verified[path] = actual
    return path


def load_onnx_session(package: str, name: str, threads: int = 1) -> Any:
    """A cached onnxruntime session for a verified model (one per file and thread count)."""
    import onnxruntime as ort

    path = model_path(package, name)
    with _lock:
        key = (path, threads)
        if key not in _sessions:
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            _sessions[key] = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        return _sessions[key]


def record_model(
    models_dir: Path, name: str, file: Path, version: str, card: str | None = None, **extra: Any
) -> ModelEntry:
    """Add or update a manifest entry for a freshly trained file (called by training scripts)."""
    manifest_path = models_dir / MANIFEST
    raw = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    digest = sha256_file(file)
    raw[name] = {"file": file.name, "sha256": digest, "version": version, "card": card, **extra}
    manifest_path.write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return ModelEntry(name, file.name, digest, version, card)

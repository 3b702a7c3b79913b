"""Named, versioned threshold sets.

A threshold set is a small YAML or JSON file, normally written by ``openidv eval tune`` from a
measured evaluation, never typed in by hand without a source::

    name: face_match            # logical set name the policy refers to
    version: "2026-11-28.1"     # bump on every change; recorded in each decision
    values: {match: 0.62}       # the operating points
    source:                     # provenance: which scores, which targets, what was achieved
      tool: openidv eval tune
      scores_manifest: sha256:...
      targets: {fmr: 0.0001}

Files are loaded from the packaged ``policy/data/thresholds`` folder, then from each folder in
``Settings.threshold_dirs`` (a later file with the same name replaces an earlier one), so a
deployment can ship its own tuned sets without touching the package.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from openidv.errors import ConfigError

PACKAGED_DIR = "data/thresholds"


@dataclass(frozen=True)
class ThresholdSet:
    name: str
    version: str
    values: Mapping[str, float]
    source: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None

    def __getitem__(self, key: str) -> float:
        try:
            return float(self.values[key])
        except KeyError:
            raise ConfigError(f"threshold set {self.name!r} has no value {key!r}") from None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], path: str | None = None) -> ThresholdSet:
        try:
            name, version, values = str(data["name"]), str(data["version"]), data["values"]
        except KeyError as exc:
            raise ConfigError(f"threshold file {path or '?'} lacks {exc.args[0]!r}") from None
        if not isinstance(values, Mapping) or not values:
            raise ConfigError(f"threshold file {path or '?'}: 'values' must be a non-empty mapping")
        numeric = {str(k): float(v) for k, v in values.items()}
        return cls(name=name, version=version, values=numeric, source=dict(data.get("source") or {}), path=path)

    def to_mapping(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "values": dict(self.values), "source": dict(self.source)}

    def write(self, path: Path) -> None:
        """Write as YAML (or JSON for a .json path)."""
        data = self.to_mapping()
        text = json.dumps(data, indent=2) if path.suffix == ".json" else yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")


def load_threshold_file(path: Path) -> ThresholdSet:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, Mapping):
        raise ConfigError(f"threshold file {path} is not a mapping")
    return ThresholdSet.from_mapping(data, path=str(path))


class ThresholdRegistry:
    """All threshold sets known to this process, by file name."""

    def __init__(self, sets: Mapping[str, ThresholdSet]) -> None:
        self._sets = dict(sets)

    @classmethod
    def load(cls, extra_dirs: Iterable[Path] = ()) -> ThresholdRegistry:
        sets: dict[str, ThresholdSet] = {}
        packaged = resources.files("openidv.policy").joinpath(PACKAGED_DIR)
        with resources.as_file(packaged) as base:
            folders = [Path(base), *[Path(d) for d in extra_dirs]]
            for folder in folders:
                if not folder.is_dir():
                    raise ConfigError(f"threshold folder {folder} does not exist")
                for path in sorted(folder.iterdir()):
                    if path.suffix in (".yaml", ".yml", ".json"):
                        ts = load_threshold_file(path)
                        sets[ts.name] = ts
        return cls(sets)

    def names(self) -> list[str]:
        return sorted(self._sets)

    def get(self, name: str) -> ThresholdSet:
        try:
            return self._sets[name]
        except KeyError:
            raise ConfigError(f"threshold set {name!r} is not loaded") from None

    def view(self, mapping: Mapping[str, str]) -> ThresholdView:
        return ThresholdView(self, mapping)


class ThresholdView:
    """Threshold sets as one session's effective policy names them.

    A policy maps logical names to set names (``face_match -> face_match_strict`` for a high-risk
    flow). Checks ask for the logical name; the view records which versions were actually used so
    the decision can cite them.
    """

    def __init__(self, registry: ThresholdRegistry, mapping: Mapping[str, str]) -> None:
        self._registry = registry
        self._mapping = dict(mapping)
        self.used: dict[str, str] = {}

    def set(self, logical: str) -> ThresholdSet:
        ts = self._registry.get(self._mapping.get(logical, logical))
        self.used[ts.name] = ts.version
        return ts

    def value(self, logical: str, key: str) -> float:
        return self.set(logical)[key]

"""Before / after: an earlier revision's linker and generator against the current ones, 2 x 2.

    python -m openidv.behavior.training.device_compare --old-rev a0632eb [--json out.json]

Separates what the linker gained from what the generator changed: both linkers are fitted on
population A of a generator, tuned on population C with the same protocol (the evaluation
layer's ``tune_threshold``, false links <= ``--target-false`` at the CI bound, per form factor) and
measured on population B of that generator (storage ids as kept, and fingerprint only). The old
modules (``population``, ``fingerprint``, ``linking``, ``ua``) are read from ``git show REV:...``
into a temporary package; nothing in the working tree changes.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from openidv.behavior.training import device_eval as de
from openidv.behavior.training import train_device as td

OLD_MODULES = ("population", "fingerprint", "linking", "ua")
Raw = tuple[dict[str, Any], dict[str, Any]]  # telemetry device and network objects


def load_old(rev: str, tmp: Path) -> dict[str, ModuleType]:
    pkg = tmp / "openidv_old_device"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    for name in OLD_MODULES:
        text = subprocess.run(["git", "show", f"{rev}:src/openidv/behavior/device/{name}.py"], check=True,
                              capture_output=True, text=True).stdout
        for other in OLD_MODULES:
            text = text.replace(f"openidv.behavior.device.{other} ", f"openidv_old_device.{other} ")
        (pkg / f"{name}.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, str(tmp))
    return {name: importlib.import_module(f"openidv_old_device.{name}") for name in OLD_MODULES}


def old_population(pop_mod: ModuleType, seed: int, a: argparse.Namespace) -> tuple[list[Raw], list[Raw],
                                                                                   list[str | None]]:
    """The earlier generator's enrolled devices and probes (returning, then new) as raw telemetry."""
    rng = np.random.default_rng(seed)
    devices = [pop_mod.new_device(rng) for _ in range(a.enrolled)]
    base: list[Raw] = [(d.attributes(), d.network()) for d in devices]
    probes: list[Raw] = []
    truth: list[str | None] = []
    for i in rng.choice(a.enrolled, size=a.returning, replace=False).tolist():
        d = pop_mod.drift(devices[i], rng)
        probes.append((d.attributes(), d.network()))
        truth.append(f"d{i}")
    for _ in range(a.new):
        d = pop_mod.new_device(rng)
        probes.append((d.attributes(), d.network()))
        truth.append(None)
    return base, probes, truth


def new_population(seed: int, a: argparse.Namespace) -> tuple[list[Raw], list[Raw], list[str | None]]:
    pop = de.generate(seed, a.enrolled, a.returning, a.new)
    base = [(d.attributes(), d.network()) for d in pop.devices]
    return base, pop.raw_probes, pop.probes.truth


def evaluate_cell(gen: Callable[[int], tuple[list[Raw], list[Raw], list[str | None]]],
                  fit: Callable[[list[Any], list[Any], list[str | None]], Any], fp_fn: Callable[..., Any],
                  a: argparse.Namespace) -> dict[str, Any]:
    """Fit on A, tune on C, measure on B, for one (generator, linker) pair."""
    config = td._config(a)

    def probes_of(seed: int) -> tuple[list[Any], de.Probes]:
        base, raw, truth = gen(seed)
        fps = [fp_fn(dev, net) for dev, net in raw]
        return [fp_fn(dev, net) for dev, net in base], de.Probes(fps, truth, [{"form": k} for k in _forms(fps)])

    base_a, probes_a = probes_of(td.SEED_A)
    index_for = fit(base_a, probes_a.fps, probes_a.truth)
    base_c, probes_c = probes_of(td.SEED_C)
    thresholds, _ = td.tune(_matches(index_for(base_c), probes_c, False), probes_c, a.target_false, config)
    base_b, probes_b = probes_of(td.SEED_B)
    idx_b = index_for(base_b)
    out: dict[str, Any] = {"thresholds": thresholds}
    for mode in ("mixed", "fingerprint_only"):
        r = td.measure(_matches(idx_b, probes_b, mode == "fingerprint_only"), probes_b, thresholds, config, ())
        out[mode] = {k: r[k] for k in ("relinked", "false_links")} | {
            f: {k: v for k, v in r["slices"]["form"][f].items() if k != "rows"} for f in r["slices"]["form"]}
    return out


def _forms(fps: list[Any]) -> list[str]:
    return ["phone" if fp.values.get("os") in ("Android", "iOS") else "desktop" for fp in fps]


def _matches(idx: Any, probes: de.Probes, fingerprint_only: bool) -> de.Matches:
    out = de.Matches([], [], [], [])
    for fp in probes.fps:
        p = type(fp)(fp.values, None) if fingerprint_only else fp
        r = idx.match(p, threshold=float("-inf"))
        best = getattr(r, "best_id", None) or r.device_id
        out.best.append(best)
        out.score.append(de.ALWAYS if r.method in ("storage_id", "host_id") else
                         r.score if np.isfinite(r.score) else de.NEVER)
        out.blocked_in.append(False)
        out.cpu_ms.append(0.0)
    return out


def old_fit(mods: dict[str, ModuleType]) -> Callable[..., Any]:
    link = mods["linking"]

    def fit(base: list[Any], probes: list[Any], truth: list[str | None]) -> Callable[[list[Any]], Any]:
        pairs = [(fp, base[int(t[1:])]) for fp, t in zip(probes, truth, strict=True) if t]
        params = link.estimate_params(pairs, base, seed=td.SEED_A)
        return lambda fps: _index(link.DeviceIndex(params), fps)

    return fit


def new_fit(base: list[Any], probes: list[Any], truth: list[str | None]) -> Callable[[list[Any]], Any]:
    from openidv.behavior.device.link_estimate import estimate_params, fit_combiner

    pairs = [(fp, base[int(t[1:])]) for fp, t in zip(probes, truth, strict=True) if t]
    params = estimate_params(pairs, base, seed=td.SEED_A)
    params = fit_combiner(params, de.build_index(base, params), probes, truth)
    return lambda fps: de.build_index(fps, params)


def _index(idx: Any, fps: list[Any]) -> Any:
    for i, fp in enumerate(fps):
        idx.add(f"d{i}", fp)
    return idx


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Old vs new device linker and generator, 2 x 2")
    ap.add_argument("--old-rev", default="a0632eb")
    ap.add_argument("--enrolled", type=int, default=20000)
    ap.add_argument("--returning", type=int, default=3000)
    ap.add_argument("--new", type=int, default=3000)
    ap.add_argument("--target-false", type=float, default=0.005)
    ap.add_argument("--bootstrap", type=int, default=500)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    from openidv.behavior.device.fingerprint import fingerprint

    with tempfile.TemporaryDirectory() as tmp:
        old = load_old(a.old_rev, Path(tmp))
        gens = {"old_generator": lambda s: old_population(old["population"], s, a),
                "new_generator": lambda s: new_population(s, a)}
        linkers = {"old_linker": (old_fit(old), old["fingerprint"].fingerprint), "new_linker": (new_fit, fingerprint)}
        out: dict[str, Any] = {"old_rev": a.old_rev}
        for g, gen in gens.items():
            for name, (fit, fp_fn) in linkers.items():
                print(f"{g} x {name}", file=sys.stderr)
                out[f"{g}/{name}"] = evaluate_cell(gen, fit, fp_fn, a)
    text = json.dumps(out, indent=2)
    print(text)
    if a.json:
        a.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Estimate the device-linking parameters, tune the link threshold, measure re-linking.

    python -m openidv.behavior.training.train_device

Two generated populations with different seeds (:mod:`openidv.behavior.device.population`):
population A estimates ``m`` and the prior ``u`` of every attribute and tunes the link threshold to
at most ``--target-false`` false links; population B, never used for fitting, gives the reported
figures. In each population ``--enrolled`` devices are indexed, then ``--returning`` of them come
back drifted and ``--new`` unseen devices arrive. A probe is a *false link* when it is linked to a
device that is not its own (any link, for a new device). Figures are given for the realistic mix
(75% of browsers keep the first-party storage id, 35% of those lose it between visits) and for
fingerprint-only linking (every storage id removed).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from openidv.behavior.device.fingerprint import Fingerprint, fingerprint
from openidv.behavior.device.linking import DeviceIndex, LinkParams, estimate_params
from openidv.behavior.device.population import Device, drift, new_device

PACKAGE_DIR = Path(__file__).resolve().parents[1]
SEED_A, SEED_B = 1101, 2202
KINDS = ("desktop", "mobile")


@dataclass
class Probes:
    fps: list[Fingerprint]
    truth: list[str | None]  # device id, None for new devices
    kind: list[str]  # "desktop" / "mobile"


def population(seed: int, enrolled: int, returning: int, new: int) -> tuple[list[Fingerprint], Probes, list[Device]]:
    rng = np.random.default_rng(seed)
    devices = [new_device(rng) for _ in range(enrolled)]
    base = [fingerprint(d.attributes(), d.network()) for d in devices]
    back = rng.choice(enrolled, size=returning, replace=False)
    fps: list[Fingerprint] = []
    truth: list[str | None] = []
    kind: list[str] = []
    for i in back.tolist():
        d = drift(devices[i], rng)
        fps.append(fingerprint(d.attributes(), d.network()))
        truth.append(f"d{i}")
        kind.append("mobile" if d.mobile else "desktop")
    for _ in range(new):
        d = new_device(rng)
        fps.append(fingerprint(d.attributes(), d.network()))
        truth.append(None)
        kind.append("mobile" if d.mobile else "desktop")
    return base, Probes(fps, truth, kind), devices


def index_of(base: list[Fingerprint], params: LinkParams) -> DeviceIndex:
    idx = DeviceIndex(params)
    for i, fp in enumerate(base):
        idx.add(f"d{i}", fp)
    return idx


def best_matches(idx: DeviceIndex, probes: Probes, fuzzy_only: bool) -> list[tuple[str | None, float]]:
    out = []
    for fp in probes.fps:
        p = Fingerprint(fp.values, None) if fuzzy_only else fp
        r = idx.match(p, threshold=float("-inf"))
        out.append((r.device_id, r.score))
    return out


def rates(matches: list[tuple[str | None, float]], probes: Probes, t: dict[str, float],
          subset: str | None = None) -> dict[str, float]:
    """Re-link and false-link rates when a probe of kind k links at score >= t[k]."""
    ret = fal = n_ret = n_all = 0
    for (dev, score), truth, kind in zip(matches, probes.truth, probes.kind, strict=True):
        if subset and kind != subset:
            continue
        n_all += 1
        linked = dev if score >= t[kind] else None
        if truth is not None:
            n_ret += 1
            ret += linked == truth
        fal += linked is not None and linked != truth
    return {"relinked": ret / max(n_ret, 1), "false_links": fal / max(n_all, 1), "returning": n_ret,
            "probes": n_all}


def tune(matches: list[tuple[str | None, float]], probes: Probes, target: float) -> dict[str, float]:
    """Per form factor, the lowest threshold whose false-link rate on that kind is at most `target`
    (so the whole population stays at most `target` too)."""
    out: dict[str, float] = {}
    for kind in KINDS:
        scores = sorted({s for (_, s), k in zip(matches, probes.kind, strict=True) if k == kind and np.isfinite(s)})
        out[kind] = float("inf")
        for t in scores:
            if rates(matches, probes, {kind: t}, subset=kind)["false_links"] <= target:
                out[kind] = float(t)
                break
    return out


def run(a: argparse.Namespace) -> dict[str, Any]:
    base_a, probes_a, _ = population(SEED_A, a.enrolled, a.returning, a.new)
    pairs = [(fp, base_a[int(t[1:])]) for fp, t in zip(probes_a.fps, probes_a.truth, strict=True) if t]
    params = estimate_params(pairs, base_a, seed=SEED_A)
    idx_a = index_of(base_a, params)
    t_link = tune(best_matches(idx_a, probes_a, fuzzy_only=True), probes_a, a.target_false)
    base_b, probes_b, _ = population(SEED_B, a.enrolled, a.returning, a.new)
    idx_b = index_of(base_b, params)
    out: dict[str, Any] = {"thresholds": t_link, "params": json.loads(params.to_json()),
                           "sizes": {"enrolled": a.enrolled, "returning": a.returning, "new": a.new}}
    for mode in ("mixed", "fingerprint_only"):
        m = best_matches(idx_b, probes_b, fuzzy_only=mode == "fingerprint_only")
        out[mode] = {"all": rates(m, probes_b, t_link), "desktop": rates(m, probes_b, t_link, "desktop"),
                     "mobile": rates(m, probes_b, t_link, "mobile")}
    out["train_population_fingerprint_only"] = rates(best_matches(idx_a, probes_a, True), probes_a, t_link)
    return out


def write(a: argparse.Namespace, out: dict[str, Any]) -> None:
    from openidv.evaluation.tuning import default_version
    from openidv.models.registry import record_model
    from openidv.policy.thresholds import ThresholdSet

    models = a.models_dir
    models.mkdir(parents=True, exist_ok=True)
    path = models / "device_link.json"
    path.write_text(LinkParams(out["params"]["m"], out["params"]["u"]).to_json() + "\n", encoding="utf-8")
    record_model(models, "device_link", path, "1.0.0", "device_link.md",
                 trained_by="python -m openidv.behavior.training.train_device", seeds=[SEED_A, SEED_B])
    source = {
        "tool": "python -m openidv.behavior.training.train_device",
        "data": f"generated device population, seed {SEED_A} (tuning); figures on seed {SEED_B}",
        "target": {"false_links": a.target_false, "mode": "fingerprint only, tuning population, per form factor"},
        "achieved_on_tuning_population": out["train_population_fingerprint_only"],
        "measured_on_held_out_population": {k: out[k]["all"] for k in ("mixed", "fingerprint_only")},
        "accept_rule": "link iff posterior log odds >= value (link: desktop OSes, link_mobile: Android/iOS)",
    }
    values = {"link": out["thresholds"]["desktop"], "link_mobile": out["thresholds"]["mobile"]}
    ts = ThresholdSet("behavior_device", default_version(), values, source)
    a.thresholds_dir.mkdir(parents=True, exist_ok=True)
    ts.write(a.thresholds_dir / "behavior_device.yaml")
    from openidv.behavior.training.cards import device_card

    (models / "device_link.md").write_text(device_card(out), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Device-linking parameters and threshold")
    ap.add_argument("--enrolled", type=int, default=20000)
    ap.add_argument("--returning", type=int, default=3000)
    ap.add_argument("--new", type=int, default=3000)
    ap.add_argument("--target-false", type=float, default=0.005)
    ap.add_argument("--models-dir", type=Path, default=PACKAGE_DIR / "models")
    ap.add_argument("--thresholds-dir", type=Path, default=PACKAGE_DIR.parent / "policy" / "data" / "thresholds")
    ap.add_argument("--json", type=Path, default=None, help="Write the measured figures here.")
    ap.add_argument("--dry-run", action="store_true", help="Measure only; write no files.")
    a = ap.parse_args(argv)
    out = run(a)
    text = json.dumps({k: v for k, v in out.items() if k != "params"}, indent=2)
    print(text)
    if a.json:
        a.json.write_text(text + "\n", encoding="utf-8")
    if not a.dry_run:
        write(a, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())


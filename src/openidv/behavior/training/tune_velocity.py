"""Velocity limits from simulated onboarding traffic: legitimate applicants and fraud farms.

    python -m openidv.behavior.training.tune_velocity

No real traffic ships with the project, so the limits come from a documented simulation (seeded),
to be re-tuned on a deployment's own history (same script, real counts). Legitimate side: applicants
onboarding over two weeks, retrying a few times, sharing household devices and home networks, on
mobile carrier NAT (many people behind few addresses) or institutional NAT. Fraud side: farms opening
dozens of accounts in a few days from a few devices (or a fresh antidetect fingerprint each time),
behind residential proxies (a new address each time) or one datacenter subnet.

For each limit in :data:`LIMITS` (``<entity>.<sessions|accounts>.<window>``) the threshold is tuned
with ``openidv.evaluation.tune_threshold`` at ``fpr <= --target / len(LIMITS)`` of legitimate
sessions (a session is flagged iff its count, itself included, exceeds the limit), so that all
limits together flag at most about ``--target``; the union is measured and reported.
"""

from __future__ import annotations

import argparse
import bisect
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openidv.behavior.device.velocity import ENTITIES, WINDOWS

DAY = 86400.0
SEED = 3303
LIMITS = ("device.sessions.24h", "device.accounts.24h", "device.accounts.7d", "ip.accounts.1h", "ip.accounts.24h",
          "subnet.accounts.24h")
PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass
class Event:
    t: float
    account: str
    legit: bool
    keys: dict[str, str]


def _legit(rng: np.random.Generator, n_accounts: int, days: float) -> list[Event]:
    out: list[Event] = []
    carrier_ips = [f"c{int(rng.integers(0, 40))}.{i}" for i in range(400)]
    institutions = [f"i{i}" for i in range(300)]
    inst_p = 1.0 / np.arange(1, 301) ** 1.1
    inst_p /= inst_p.sum()
    household = 0
    while len({e.account for e in out}) < n_accounts:
        household += 1
        size = int(rng.choice([1, 2, 3, 4], p=[0.6, 0.25, 0.1, 0.05]))
        home_net = f"h{int(rng.integers(0, 60_000))}"
        home_ip = f"{home_net}.{int(rng.integers(0, 256))}"
        shared_device = f"hd{household}"
        for m in range(size):
            acct = f"a{household}.{m}"
            device = shared_device if rng.random() < 0.2 else f"d{household}.{m}"
            t0 = rng.uniform(0, days * DAY)
            for k in range(min(1 + int(rng.geometric(0.75)) - 1, 5)):
                t = t0 + (0 if k == 0 else rng.uniform(60, 2 * DAY))
                r = rng.random()
                ip = home_ip if r < 0.55 else str(rng.choice(carrier_ips)) if r < 0.85 else \
                    str(rng.choice(institutions, p=inst_p)) + ".0"
                out.append(Event(t, acct, True, {"device": device, "ip": ip, "subnet": ip.rsplit(".", 1)[0]}))
    return out


def _fraud(rng: np.random.Generator, n_farms: int, days: float) -> list[Event]:
    out: list[Event] = []
    for f in range(n_farms):
        accounts = int(rng.integers(10, 151))
        start, span = rng.uniform(0, (days - 3) * DAY), rng.uniform(1, 3) * DAY
        antidetect, proxies = rng.random() < 0.5, rng.random() < 0.5
        devices = [f"fd{f}.{i}" for i in range(int(rng.integers(1, 4)))]
        dc_net = f"dc{f}"
        for a in range(accounts):
            for _ in range(1 if rng.random() < 0.7 else 2):
                t = start + rng.uniform(0, span)
                device = f"fa{f}.{a}.{rng.integers(1 << 30)}" if antidetect else str(rng.choice(devices))
                ip = f"r{int(rng.integers(0, 10**6))}.{int(rng.integers(0, 256))}" if proxies else \
                    f"{dc_net}.{int(rng.integers(0, 256))}"
                out.append(Event(t, f"f{f}.{a}", False, {"device": device, "ip": ip, "subnet": ip.rsplit(".", 1)[0]}))
    return out


def counts(events: list[Event], since: float) -> pd.DataFrame:
    """Per event after `since`: count + 1 for every limit (sessions, distinct accounts incl. own)."""
    events = sorted(events, key=lambda e: e.t)
    history: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    rows: list[dict[str, Any]] = []
    for e in events:
        if e.t >= since:
            row: dict[str, Any] = {"account": e.account, "legit": e.legit}
            for entity in ENTITIES:
                past = history[(entity, e.keys[entity])]
                times = [p[0] for p in past]
                for name, span in WINDOWS.items():
                    inside = past[bisect.bisect_left(times, e.t - span):]
                    row[f"{entity}.sessions.{name}"] = len(inside) + 1
                    row[f"{entity}.accounts.{name}"] = len({a for _, a in inside} | {e.account})
            rows.append(row)
        for entity in ENTITIES:
            history[(entity, e.keys[entity])].append((e.t, e.account))
    return pd.DataFrame(rows)


def tune_limits(df: pd.DataFrame, target: float, n_boot: int) -> dict[str, Any]:
    from openidv.evaluation import BootstrapConfig, score_set_from_frame, tune_threshold

    out: dict[str, Any] = {}
    for col in LIMITS:
        frame = pd.DataFrame({"sample_id": np.arange(len(df)).astype(str), "subject_id": df["account"],
                              "label": np.where(df["legit"], "bona_fide", "attack"), "score": df[col].astype(float)})
        scores = score_set_from_frame(frame, "classifier", score_direction="higher_is_attack")
        res = tune_threshold(scores, "classifier", [f"fpr<={target / len(LIMITS)}"],
                             config=BootstrapConfig(n_boot=n_boot, seed=0))
        out[col] = {"limit": float(np.floor(res.value)), "achieved": {k: v.to_dict() for k, v in res.achieved.items()}}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Velocity limits from simulated traffic")
    ap.add_argument("--accounts", type=int, default=30000)
    ap.add_argument("--farms", type=int, default=60)
    ap.add_argument("--target", type=float, default=0.005)
    ap.add_argument("--bootstrap", type=int, default=50)
    ap.add_argument("--thresholds-dir", type=Path, default=PACKAGE_DIR.parent / "policy" / "data" / "thresholds")
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args(argv)
    rng = np.random.default_rng(SEED)
    days = 14.0
    df = counts(_legit(rng, a.accounts, days) + _fraud(rng, a.farms, days), since=7 * DAY)
    res = tune_limits(df, a.target, a.bootstrap)
    for name, r in res.items():
        ach = r["achieved"]
        print(f"{name:28s} limit {r['limit']:6.0f}  fpr {ach['fpr']['value']:.4f}  recall {ach['recall']['value']:.3f}")
    flagged = np.zeros(len(df), dtype=bool)
    for name, r in res.items():
        flagged |= df[name].to_numpy() > r["limit"]
    legit = df["legit"].to_numpy()
    union = {"legitimate_sessions_flagged": float(flagged[legit].mean()),
             "fraud_sessions_flagged": float(flagged[~legit].mean()),
             "legitimate_sessions": int(legit.sum()), "fraud_sessions": int((~legit).sum())}
    print(union)
    if not a.dry_run:
        from openidv.evaluation.tuning import default_version
        from openidv.policy.thresholds import ThresholdSet

        source = {"tool": "python -m openidv.behavior.training.tune_velocity (openidv.evaluation.tune_threshold)",
                  "data": f"simulated traffic, seed {SEED}: {a.accounts} legitimate accounts, {a.farms} fraud farms, "
                          "last 7 of 14 days", "target": {"fpr": a.target},
                  "accept_rule": "flag iff count (this session included) > value",
                  "achieved": {k: v["achieved"] for k, v in res.items()}, "all_limits_together": union}
        values = {k: v["limit"] for k, v in res.items()}
        ts = ThresholdSet("behavior_velocity", default_version(), values, source)
        a.thresholds_dir.mkdir(parents=True, exist_ok=True)
        ts.write(a.thresholds_dir / "behavior_velocity.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())

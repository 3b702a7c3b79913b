"""Regenerate ``data/tz_countries.json`` from the system tzdata's zone.tab (public domain).

    python -m openidv.behavior.training.tzdata [/usr/share/zoneinfo/zone.tab]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "tz_countries.json"


def parse_zone_tab(text: str) -> dict[str, list[str]]:
    zones: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            for country in parts[0].split(","):
                zones[parts[2]].add(country.strip())
    return {z: sorted(c) for z, c in sorted(zones.items())}


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    src = Path(args[0]) if args else Path("/usr/share/zoneinfo/zone.tab")
    data = parse_zone_tab(src.read_text(encoding="utf-8"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(data)} zones -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

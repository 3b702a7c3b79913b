"""Dependency ordering of checks (validated once, when a pipeline is built)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openidv.errors import ConfigError


def topological_order(requires: Mapping[str, Sequence[str]]) -> list[str]:
    """Kahn's algorithm; ties broken by name so the order is deterministic.

    Raises ConfigError for a dependency on an unknown check or for a cycle.
    """
    for name, deps in requires.items():
        unknown = [d for d in deps if d not in requires]
        if unknown:
            raise ConfigError(f"check {name!r} requires unknown checks {unknown}")
    indegree = {name: len(set(deps)) for name, deps in requires.items()}
    dependents: dict[str, list[str]] = {name: [] for name in requires}
    for name, deps in requires.items():
        for d in set(deps):
            dependents[d].append(name)
    ready = sorted(n for n, k in indegree.items() if k == 0)
    order: list[str] = []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for m in dependents[n]:
            indegree[m] -= 1
            if indegree[m] == 0:
                ready.append(m)
        ready.sort()
    if len(order) != len(requires):
        cyclic = sorted(n for n, k in indegree.items() if k > 0)
        raise ConfigError(f"check dependencies form a cycle among {cyclic}")
    return order

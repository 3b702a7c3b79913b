"""Long-lived liveness objects kept in ``env.services`` (built by the plugin's ``setup``)."""

from __future__ import annotations

from typing import Any

from openidv.liveness.challenge import ChallengeStore, MemoryChallengeStore, SignalChallengeStore

CHALLENGES = "liveness.challenges"


def challenge_store(env: Any) -> ChallengeStore:
    """The signal-backed store with a database, else one process-local store per environment."""
    store = env.services.get(CHALLENGES)
    if store is None:
        store = SignalChallengeStore(env.signals) if env.signals is not None else MemoryChallengeStore()
        env.services[CHALLENGES] = store
    return store

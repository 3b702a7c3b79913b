"""Active-liveness challenges: what the server asks for, and where it remembers what it asked.

A challenge is a random head action (turn left, turn right, nod) and a random sequence of
screen colours (the nonce). The client shows a neutral screen for ``baseline_ms``, then each
colour for ``flash_ms``, then asks for the action during ``action_ms``; every frame it returns
carries ``challenge_id``, ``frame_index`` and ``timestamp_ms`` (milliseconds since the client
started the sequence). A pre-recorded or injected stream cannot know the colours in advance.

Challenges expire after ``ttl_s`` and are single-use: the first frame sequence verified against
a challenge binds it (by a digest of the frames), atomically; any other sequence is refused.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0),
    "green": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "magenta": (255, 0, 255),
    "cyan": (0, 255, 255),
}
ACTIONS = ("turn_left", "turn_right", "nod")
# Flashes per challenge. The operating points in `liveness_active.yaml` (one unreadable flash
# tolerated) were tuned and measured on five. A stream that guesses the colours passes with at most
# 0.56% (its best strategy: a sequence without repeats, as issued; exact enumeration), with four
# flashes 2.27%, so the service must issue this many and the verifier refuses fewer.
N_COLOURS = 5
SIGNAL_KIND = "liveness_challenge"
OPEN_KIND = "liveness_challenge_open"  # the single-use ticket; consuming turns it into USED_KIND
USED_KIND = "liveness_challenge_used"
SUPERSEDED_KIND = "liveness_challenge_superseded"  # an open ticket replaced by a newer challenge of its session


class ChallengeError(Exception):
    """A challenge that cannot be used: unknown, expired, for another session, or already used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Challenge:
    id: str
    session_id: str
    action: str
    colours: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    baseline_ms: int = 800
    flash_ms: int = 500
    action_ms: int = 2000

    def schedule(self) -> list[tuple[str, float, float]]:
        """(colour, start_ms, end_ms) of every flash, in order."""
        return [
            (c, self.baseline_ms + i * self.flash_ms, self.baseline_ms + (i + 1) * self.flash_ms)
            for i, c in enumerate(self.colours)
        ]

    @property
    def action_start_ms(self) -> float:
        return float(self.baseline_ms + len(self.colours) * self.flash_ms)

    @property
    def duration_ms(self) -> float:
        return self.action_start_ms + self.action_ms

    def to_client(self) -> dict[str, Any]:
        """What the capture client needs (the same data the server verifies against)."""
        return {
            "challenge_id": self.id,
            "action": self.action,
            "colours": [{"name": c, "rgb": list(PALETTE[c])} for c in self.colours],
            "baseline_ms": self.baseline_ms,
            "flash_ms": self.flash_ms,
            "action_ms": self.action_ms,
            "expires_at": self.expires_at.isoformat(),
        }

    def to_json(self) -> bytes:
        d = asdict(self)
        d["issued_at"], d["expires_at"] = self.issued_at.isoformat(), self.expires_at.isoformat()
        return json.dumps(d).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Challenge:
        d = json.loads(raw)
        d["colours"] = tuple(d["colours"])
        d["issued_at"], d["expires_at"] = (
            datetime.fromisoformat(d["issued_at"]),
            datetime.fromisoformat(d["expires_at"]),
        )
        return cls(**d)


def issue_challenge(
    session_id: str,
    *,
    n_colours: int = N_COLOURS,
    ttl_s: float = 120.0,
    rng: random.Random | None = None,
    now: datetime | None = None,
) -> Challenge:
    """A fresh challenge; consecutive colours always differ. `rng` only for reproducible tests."""
    r = rng or secrets.SystemRandom()
    names = list(PALETTE)
    colours: list[str] = []
    while len(colours) < n_colours:
        c = r.choice(names)
        if not colours or c != colours[-1]:
            colours.append(c)
    issued = now or datetime.now(UTC)
    cid = f"{r.getrandbits(128):032x}"
    return Challenge(cid, session_id, r.choice(ACTIONS), tuple(colours), issued, issued + timedelta(seconds=ttl_s))


class ChallengeStore(Protocol):
    """Issued challenges. Only a session's newest challenge can be answered: issuing one supersedes
    the session's open ones (a capture client answers the challenge it fetched last). What bounds a
    caller re-issuing until a challenge suits a recording is the per-session attempt limit."""

    def save(self, challenge: Challenge) -> None: ...

    def issued_for(self, session_id: str) -> bool: ...

    def consume(
        self, challenge_id: str, session_id: str, frames_digest: str, now: datetime | None = None
    ) -> Challenge: ...


def _usable(ch: Challenge | None, session_id: str, now: datetime) -> Challenge:
    if ch is None:
        raise ChallengeError("unknown_challenge")
    if ch.session_id != session_id:
        raise ChallengeError("challenge_for_another_session")
    if now > ch.expires_at:
        raise ChallengeError("challenge_expired")
    return ch


@dataclass
class MemoryChallengeStore:
    """Process-local store (library use without a database, tests)."""

    _items: dict[str, Challenge] = field(default_factory=dict)
    _used: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    _latest: dict[str, str] = field(default_factory=dict)  # session id -> its newest challenge id

    def save(self, challenge: Challenge) -> None:
        with self._lock:
            self._items[challenge.id] = challenge
            self._latest[challenge.session_id] = challenge.id

    def issued_for(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._latest

    def consume(self, challenge_id: str, session_id: str, frames_digest: str, now: datetime | None = None) -> Challenge:
        with self._lock:
            ch = _usable(self._items.get(challenge_id), session_id, now or datetime.now(UTC))
            if self._latest.get(session_id) != challenge_id and challenge_id not in self._used:
                raise ChallengeError("challenge_superseded")
            bound = self._used.setdefault(challenge_id, frames_digest)
            if bound != frames_digest:
                raise ChallengeError("challenge_already_used")
            return ch


class SignalChallengeStore:
    """Challenges kept as signals (sealed), so every service instance sees the same ones.

    Single use is a compare-and-set in the database: saving a challenge also writes an *open
    ticket* row; consuming it is one ``UPDATE ... SET kind = used WHERE kind = open AND key = id``,
    and only the consumer whose update changed the row wins. Two simultaneous submissions cannot
    both win: SQLite serialises writers (``BEGIN IMMEDIATE``) and PostgreSQL re-checks the
    ``WHERE`` of a concurrent update against the row the first one committed.
    """

    def __init__(self, signals: Any) -> None:
        self.signals = signals

    def save(self, challenge: Challenge) -> None:
        from sqlalchemy import select, update

        from openidv.store.models import SessionRow, SignalRow
        from openidv.store.signals import SignalWriter

        with self.signals.db.transaction() as orm:
            # one step under the session's row lock (SQLite serialises writers anyway): two challenges
            # issued at once must not both stay open
            orm.execute(select(SessionRow.id).where(SessionRow.id == challenge.session_id).with_for_update())
            orm.execute(
                update(SignalRow)
                .where(SignalRow.kind == OPEN_KIND, SignalRow.session_id == challenge.session_id)
                .values(kind=SUPERSEDED_KIND)
                .execution_options(synchronize_session=False)
            )
            writer = SignalWriter(orm, self.signals.keys, challenge.session_id)
            writer.put(SIGNAL_KIND, challenge.id, value=challenge.to_json(),
                       attrs={"expires_at": challenge.expires_at.isoformat()})
            writer.put(OPEN_KIND, challenge.id)

    def issued_for(self, session_id: str) -> bool:
        return bool(self.signals.session_has(session_id, SIGNAL_KIND))

    def _claim(self, challenge_id: str, frames_digest: str) -> bool:
        """Atomically turn the open ticket into a used one bound to `frames_digest`."""
        from sqlalchemy import update

        from openidv.store.models import SignalRow

        stmt = (
            update(SignalRow)
            .where(SignalRow.kind == OPEN_KIND, SignalRow.key == challenge_id)
            .values(kind=USED_KIND, attrs={"frames_digest": frames_digest})
            .execution_options(synchronize_session=False)
        )
        with self.signals.db.transaction() as orm:
            return int(orm.execute(stmt).rowcount or 0) == 1

    def consume(self, challenge_id: str, session_id: str, frames_digest: str, now: datetime | None = None) -> Challenge:
        found = self.signals.find(SIGNAL_KIND, challenge_id, limit=1, with_values=True)
        ch = Challenge.from_json(found[0].value) if found and found[0].value else None
        ch = _usable(ch, session_id, now or datetime.now(UTC))
        if self._claim(challenge_id, frames_digest):
            return ch
        used = self.signals.find(USED_KIND, challenge_id, limit=10)
        if used and all(u.attrs.get("frames_digest") == frames_digest for u in used):
            return ch  # the same frames judged again (a retried pipeline), not a second use
        if not used and self.signals.find(SUPERSEDED_KIND, challenge_id, limit=1):
            raise ChallengeError("challenge_superseded")
        raise ChallengeError("challenge_already_used")

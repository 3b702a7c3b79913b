"""Perceptual-hash replay detection across sessions through the signal store."""

from __future__ import annotations

import numpy as np

from openidv.imaging.decode import encode_jpeg
from openidv.liveness import replay
from openidv.liveness.redteam.camera import jpeg_roundtrip
from openidv.liveness.redteam.common import FaceRef


class FakeSignals:
    """The part of SignalStore that replay uses, in memory."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, bytes]] = []

    def blind(self, value: str) -> str:
        return "h" + value

    def find(self, kind: str, key: str, limit: int = 1000, with_values: bool = False):  # type: ignore[no-untyped-def]
        from openidv.store.signals import Signal

        return [Signal(s, k, key, v) for s, k, kk, v in self.rows if k == kind and kk == key][:limit]


class Writer:
    def __init__(self, store: FakeSignals, session_id: str) -> None:
        self.store, self.session_id = store, session_id

    def blind(self, value: str) -> str:
        return self.store.blind(value)

    def put(self, kind: str, key: str, *, value: bytes | None = None, attrs: dict | None = None) -> None:  # type: ignore[type-arg]
        self.store.rows.append((self.session_id, kind, key, value or b""))


def test_reencoded_replay_is_found_and_other_faces_are_not(hopper: FaceRef, faces: list[FaceRef]) -> None:
    store = FakeSignals()
    replay.record_hashes(Writer(store, "old"), [replay.image_hashes(hopper.rgb)])
    again = jpeg_roundtrip(hopper.rgb, 70)
    matches = replay.find_replays(store, [replay.image_hashes(again)], "new", 8, 10)
    assert [m.session_id for m in matches] == ["old"]
    assert replay.find_replays(store, [replay.image_hashes(again)], "old", 8, 10) == []  # own session
    other = replay.find_replays(store, [replay.image_hashes(faces[0].rgb)], "new", 8, 10)
    assert other == []


def test_band_keys_cover_every_bit() -> None:
    h = replay.Hashes(2**64 - 1, 0)
    keys = replay.band_keys(h)
    assert len(keys) == 5 and sum(len(k.split(":")[1]) for k in keys) == 64
    assert replay.Hashes.from_bytes(h.to_bytes()) == h


def test_hash_survives_resize(hopper: FaceRef) -> None:
    from PIL import Image

    small = np.asarray(Image.fromarray(hopper.rgb).resize((128, 150)))
    a, b = replay.image_hashes(hopper.rgb), replay.image_hashes(small)
    assert a.distance(b)[0] <= 6
    assert len(encode_jpeg(hopper.rgb)) > 0


def test_a_mirrored_replay_is_found_through_the_mirror_lookup(hopper: FaceRef) -> None:
    from openidv.domain import Capture, CaptureKind, Session
    from openidv.liveness.checks import session_hashes

    store = FakeSignals()
    replay.record_hashes(Writer(store, "old"), [replay.image_hashes(hopper.rgb)])
    flipped = np.ascontiguousarray(hopper.rgb[:, ::-1])
    s = Session(captures=[Capture(kind=CaptureKind.SELFIE, data=b"x", image=flipped, content_type="image/jpeg")])
    assert replay.find_replays(store, session_hashes(s), "new", 8, 10) == []  # the flip alone hides it
    found = replay.find_replays(store, session_hashes(s, mirrored=True), "new", 8, 10)
    assert [m.session_id for m in found] == ["old"]

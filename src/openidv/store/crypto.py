"""Envelope-free AES-256-GCM encryption at rest with key ids for rotation.

Every sensitive blob (capture bytes, applicant data, telemetry, biometric templates) is stored as
``nonce || ciphertext+tag`` next to the id of the key that sealed it. Rotation: add a new key to
``Settings.encryption_keys``, make it active; old rows stay readable with their key id, and
``openidv keys rotate-data`` (or a background job) re-seals them.

The associated data binds a blob to its row (table, row id): a ciphertext copied into another row
fails to decrypt instead of silently showing someone else's document.

``blind`` gives a keyed HMAC of a normalised value (an email, a document number) so that equal
values can be matched across sessions without storing them in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from openidv.errors import ConfigError, DecryptionError

NONCE_BYTES = 12


@dataclass(frozen=True)
class Sealed:
    key_id: str
    blob: bytes  # nonce || ciphertext || tag


class KeyRing:
    def __init__(self, keys: Mapping[str, bytes], active_key_id: str, blind_key: bytes) -> None:
        if active_key_id not in keys:
            raise ConfigError(f"active encryption key {active_key_id!r} is not configured")
        for kid, key in keys.items():
            if len(key) != 32:
                raise ConfigError(f"encryption key {kid!r} must be 32 bytes")
        self._keys = dict(keys)
        self.active_key_id = active_key_id
        # Blinding has its own key: it must survive encryption-key rotation, or every lookup breaks.
        if len(blind_key) < 32:
            raise ConfigError("the blinding key must be at least 32 bytes")
        self._blind_key = blind_key

    @classmethod
    def from_b64(cls, keys: Mapping[str, str], active_key_id: str, blind_key: str) -> KeyRing:
        return cls({k: base64.b64decode(v) for k, v in keys.items()}, active_key_id, base64.b64decode(blind_key))

    @staticmethod
    def generate_key() -> str:
        return base64.b64encode(os.urandom(32)).decode()

    def seal(self, plaintext: bytes, aad: bytes) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        ct = AESGCM(self._keys[self.active_key_id]).encrypt(nonce, plaintext, aad)
        return Sealed(self.active_key_id, nonce + ct)

    def open(self, sealed: Sealed, aad: bytes) -> bytes:
        key = self._keys.get(sealed.key_id)
        if key is None:
            raise DecryptionError(f"encryption key {sealed.key_id!r} is not configured")
        try:
            return AESGCM(key).decrypt(sealed.blob[:NONCE_BYTES], sealed.blob[NONCE_BYTES:], aad)
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication") from None

    def blind(self, value: str) -> str:
        """Keyed, deterministic digest of a normalised value, for equality lookups."""
        normalised = " ".join(value.strip().lower().split())
        return hmac.new(self._blind_key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()

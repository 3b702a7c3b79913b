"""Where the encryption keys come from: settings, or a generated local key file for the embedded default."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from openidv.config import Settings
from openidv.errors import ConfigError
from openidv.store.crypto import KeyRing

log = logging.getLogger(__name__)
KEY_FILE = "encryption-keys.json"


def keyring_from_settings(settings: Settings) -> KeyRing:
    if settings.encryption_keys:
        if not settings.active_key_id or settings.blind_key is None:
            raise ConfigError("with encryption_keys set, active_key_id and blind_key are required too")
        keys = {k: v.get_secret_value() for k, v in settings.encryption_keys.items()}
        return KeyRing.from_b64(keys, settings.active_key_id, settings.blind_key.get_secret_value())
    return _local_keyring(settings.home / KEY_FILE)


def _local_keyring(path: Path) -> KeyRing:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "active_key_id": "local-1",
            "keys": {"local-1": KeyRing.generate_key()},
            "blind_key": KeyRing.generate_key(),
        }
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            return KeyRing.from_b64(**_read(path))
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        log.warning("generated local encryption keys at %s; configure OPENIDV_ENCRYPTION_KEYS in production", path)
    return KeyRing.from_b64(**_read(path))


def _read(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    return {"keys": data["keys"], "active_key_id": data["active_key_id"], "blind_key": data["blind_key"]}

"""Service and library settings (pydantic-settings).

Every setting can come from the environment with the ``OPENIDV_`` prefix (``OPENIDV_DATABASE_URL``),
or from a ``.env`` file. Nothing here is read at import time: call :func:`get_settings`.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path(os.environ.get("OPENIDV_HOME", Path.cwd() / "var"))


class Settings(BaseSettings):
    """All configuration in one typed object; passed explicitly, never read from globals."""

    model_config = SettingsConfigDict(env_prefix="OPENIDV_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Folder for local state (SQLite, keys).")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite file in `home`.")

    # Encryption at rest. Keys are 32-byte AES-256 keys, base64; `encryption_keys` maps key id -> key,
    # `active_key_id` names the one used for new data (older ids stay readable, for rotation).
    # `blind_key` (base64, 32 bytes) keys the HMAC used to match equal values (emails, document
    # numbers) without storing them in clear. With no keys configured, a local key file is created
    # in `home` (fine for the embedded default; configure real keys from a secret store in production).
    encryption_keys: dict[str, SecretStr] = Field(default_factory=dict)
    active_key_id: str | None = None
    blind_key: SecretStr | None = None

    # Uploads.
    max_upload_bytes: int = 15 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    min_image_side: int = 64
    max_json_bytes: int = 1 * 1024 * 1024
    max_json_depth: int = 32
    max_captures_per_session: int = 64
    # All of a session's images are decoded together when it is submitted (3 bytes per pixel):
    # 200 Mpx is a 600 MB ceiling - two 12 Mpx document sides, a 12 Mpx selfie and 60 challenge
    # frames at 1080p (124 Mpx) fit; 64 captures of 40 Mpx (7.7 GB) do not.
    max_session_pixels: int = 200_000_000

    # Pipeline.
    default_check_timeout_s: float = 20.0
    pipeline_workers: int = 4
    policy_file: Path | None = Field(default=None, description="Policy YAML; default: the packaged one.")
    threshold_dirs: list[Path] = Field(
        default_factory=list, description="Extra threshold-set folders; later folders win."
    )
    reason_codes_file: Path | None = None
    disabled_checks: list[str] = Field(default_factory=list)
    enabled_plugins: list[str] | None = Field(
        default=None, description="Plugin names to load; default: every installed plugin."
    )

    # Retention (days); 0 keeps forever. Captures are the most sensitive data and go first.
    capture_retention_days: int = 30
    session_retention_days: int = 365
    # Pointer-stroke descriptors for movement-replay detection (behaviour data of every session, genuine
    # ones included): never matched beyond this age, deleted by the service's retention passes; the
    # replay check's operating point assumes a bounded bank (docs/behavior.md).
    stroke_retention_days: int = Field(default=90, ge=0)
    # Perceptual hashes of decided sessions' captures, kept to catch the same selfie or frames sent
    # again in a later session (liveness_replay): deleted by the retention passes once this old.
    capture_hash_retention_days: int = Field(default=90, ge=0)
    retention_interval_s: float = Field(default=3600.0, gt=0, description="Seconds between retention passes.")

    # Webhooks.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_timeout_s: float = 5.0
    webhook_max_attempts: int = 8

    # Service.
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    bootstrap_admin_key: SecretStr | None = Field(
        default=None, description="If set, an admin API key with this value is ensured at start."
    )

    # Optional Redis for velocity counters.
    redis_url: str | None = None
    # IP reputation table for capture-session risk (CSV of CIDR ranges with datacenter/VPN/ASN flags);
    # default: `<home>/ip_ranges.csv` when present.
    behavior_ip_table: Path | None = None

    @field_validator("encryption_keys")
    @classmethod
    def _keys_are_aes256(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for key_id, secret in value.items():
            raw = base64.b64decode(secret.get_secret_value())
            if len(raw) != 32:
                raise ValueError(f"encryption key {key_id!r} must be 32 bytes (base64), got {len(raw)}")
        return value

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under `home`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'openidv.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, built once per process (used by the CLI and the service)."""
    return Settings()

"""The reason-code catalogue, kept as data (``policy/data/reason_codes.yaml``).

Each code has a severity, an internal text (for reviewers and audit) and a user-safe code and text
(shown to the applicant). The user-safe pair must never reveal which fraud signal fired: many
internal codes share one user code such as ``IDENTITY_NOT_VERIFIED``.

Plugins may add their own catalogue files (``Plugin.reason_catalogue``); a code defined twice is a
configuration error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from openidv.domain import Reason
from openidv.errors import ConfigError

SEVERITIES = ("info", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class ReasonCode:
    code: str
    severity: str
    category: str
    user_code: str
    user_text: str
    internal_text: str


class ReasonCatalogue:
    def __init__(self, codes: Mapping[str, ReasonCode]) -> None:
        self._codes = dict(codes)

    @classmethod
    def load(cls, path: Path | None = None, extra: Iterable[Path] = ()) -> ReasonCatalogue:
        """The packaged catalogue (or `path`), merged with `extra` plugin catalogues."""
        if path is None:
            texts = [resources.files("openidv.policy").joinpath("data/reason_codes.yaml").read_text("utf-8")]
        else:
            texts = [path.read_text(encoding="utf-8")]
        texts += [p.read_text(encoding="utf-8") for p in extra]
        codes: dict[str, ReasonCode] = {}
        for text in texts:
            for code, entry in cls._parse(text).items():
                if code in codes:
                    raise ConfigError(f"reason code {code} is defined twice")
                codes[code] = entry
        return cls(codes)

    @staticmethod
    def _parse(text: str) -> dict[str, ReasonCode]:
        raw = yaml.safe_load(text) or {}
        codes: dict[str, ReasonCode] = {}
        for code, entry in (raw.get("codes") or {}).items():
            severity = entry.get("severity")
            if severity not in SEVERITIES:
                raise ConfigError(f"reason code {code}: severity {severity!r} not in {SEVERITIES}")
            codes[code] = ReasonCode(
                code=code,
                severity=severity,
                category=str(entry.get("category", "general")),
                user_code=str(entry["user_code"]),
                user_text=str(entry["user_text"]),
                internal_text=str(entry["internal_text"]),
            )
        return codes

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def codes(self) -> list[str]:
        return sorted(self._codes)

    def get(self, code: str) -> ReasonCode:
        try:
            return self._codes[code]
        except KeyError:
            raise ConfigError(f"reason code {code!r} is not in the catalogue") from None

    def missing(self, codes: Iterable[str]) -> list[str]:
        return sorted({c for c in codes if c not in self._codes})

    def reasons(self, codes: Iterable[str]) -> tuple[list[Reason], list[Reason]]:
        """(user-safe, internal) reasons for the codes, most severe first, user codes de-duplicated."""
        order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
        entries = sorted({self.get(c) for c in codes}, key=lambda e: (order[e.severity], e.code))
        internal = [Reason(code=e.code, severity=e.severity, text=e.internal_text) for e in entries]
        user: list[Reason] = []
        seen: set[str] = set()
        for e in entries:
            if e.user_code not in seen:
                seen.add(e.user_code)
                user.append(Reason(code=e.user_code, severity=e.severity, text=e.user_text))
        return user, internal

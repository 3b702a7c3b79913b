"""A verification session: who the applicant says they are, what they captured, how they behaved."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class Flow(StrEnum):
    """Why the person is being verified; policies differ per flow."""

    SIGNUP = "signup"
    ACCOUNT_RECOVERY = "account_recovery"
    HIGH_RISK_ACTION = "high_risk_action"


class CaptureKind(StrEnum):
    """What an uploaded image shows."""

    DOCUMENT_FRONT = "document_front"
    DOCUMENT_BACK = "document_back"
    SELFIE = "selfie"
    FRAME = "frame"  # one frame of a selfie sequence (active liveness); ordered by metadata.frame_index
    PORTRAIT = "portrait"  # a document portrait supplied separately (e.g. from an NFC chip read)

    @property
    def is_document(self) -> bool:
        return self in (CaptureKind.DOCUMENT_FRONT, CaptureKind.DOCUMENT_BACK)

    @property
    def is_face(self) -> bool:
        return self in (CaptureKind.SELFIE, CaptureKind.FRAME, CaptureKind.PORTRAIT)


class Applicant(BaseModel):
    """Data the applicant declared; every field optional, cross-checked against what is read."""

    model_config = ConfigDict(extra="forbid", str_max_length=512)

    given_names: str | None = None
    surname: str | None = None
    date_of_birth: date | None = None
    nationality: str | None = Field(default=None, description="ISO 3166-1 alpha-3, as in the MRZ.")
    document_number: str | None = None
    document_type: str | None = Field(default=None, description="passport, id_card, driver_licence, ...")
    issuing_country: str | None = Field(default=None, description="ISO 3166-1 alpha-3.")
    email: str | None = None
    phone: str | None = None
    address: str | None = None


class CaptureMetadata(BaseModel):
    """What the capture client says about how an image was taken (untrusted, checked by liveness)."""

    model_config = ConfigDict(extra="allow")

    source: str | None = Field(default=None, description="camera, upload, nfc, ...")
    camera_label: str | None = None
    frame_index: int | None = Field(default=None, ge=0, le=10_000)
    timestamp_ms: float | None = None
    fps: float | None = Field(default=None, ge=0, le=10_000)
    challenge_id: str | None = None
    exif: dict[str, Any] | None = None


@dataclass
class Capture:
    """One uploaded image. `data` is the original bytes; `image` is the decoded RGB array.

    The decoded pixels are computed once when the upload is accepted (that is where the bytes are
    validated), so checks never decode untrusted bytes themselves.
    """

    kind: CaptureKind
    data: bytes
    image: NDArray[np.uint8]
    content_type: str
    metadata: CaptureMetadata = field(default_factory=CaptureMetadata)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])


class Telemetry(BaseModel):
    """Capture-session telemetry; its full schema is owned by the session-intelligence capability."""

    model_config = ConfigDict(extra="allow")

    device: dict[str, Any] = Field(default_factory=dict)
    network: dict[str, Any] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)


@dataclass
class Session:
    """Everything a pipeline needs to decide about one verification attempt."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    flow: Flow = Flow.SIGNUP
    country: str | None = None  # ISO 3166-1 alpha-2 of the applicant's market
    applicant: Applicant = field(default_factory=Applicant)
    captures: list[Capture] = field(default_factory=list)
    telemetry: Telemetry | None = None
    external_ref: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def captures_of(self, *kinds: CaptureKind) -> list[Capture]:
        """Captures of the given kinds, frames ordered by their frame index."""
        found = [c for c in self.captures if c.kind in kinds]
        return sorted(found, key=lambda c: (c.kind, c.metadata.frame_index or 0))

    def first(self, kind: CaptureKind) -> Capture | None:
        found = self.captures_of(kind)
        return found[0] if found else None

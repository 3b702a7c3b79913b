"""Command line: ``openidv mrz IMAGE [IMAGE...]`` prints one JSON object per image."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from openidv.errors import OpenIDVError


def mrz(
    images: list[Path] = typer.Argument(..., help="Photos or scans of documents."),
    today: str = typer.Option(None, help="Reference date YYYY-MM-DD for 2-digit years (default: today)."),
) -> None:
    """Read the machine-readable zone of each image (ICAO 9303 TD1/TD2/TD3/MRV-A/MRV-B; FRA-ID).

    Prints one JSON object per line: format, the raw lines as read, parsed fields, the validity of
    every check digit, `valid` (all check digits hold), corrections made and timings.
    """
    from openidv.documents.mrz.reader import read_image
    from openidv.errors import ValidationFailed
    from openidv.imaging.decode import DecodeLimits, decode_image, read_image_file

    # a tight crop of a passport's MRZ (two lines, about 125 x 10 mm) is far longer than a photo;
    # a local file may be a 600-dpi scan or a 48-megapixel photo of 20-40 MB, which an upload may not
    CLI_LIMITS = DecodeLimits(max_aspect=40.0, max_bytes=64 * 1024 * 1024)  # noqa: N806 - a local constant

    ref = date.fromisoformat(today) if today else None
    for path in images:  # one object per path, whatever happens to the others
        out: dict[str, object] = {"file": str(path)}
        try:
            decoded = decode_image(read_image_file(path, CLI_LIMITS), CLI_LIMITS)
            out.update(read_image(decoded.rgb, ref).to_dict())
        except (OpenIDVError, OSError) as exc:
            problem = exc if isinstance(exc, OpenIDVError) else ValidationFailed(f"{path}: {exc.strerror or exc}")
            out.update({"status": "error", "error": problem.to_problem(), "format": None, "lines": [], "valid": False})
        typer.echo(json.dumps(out, ensure_ascii=False))

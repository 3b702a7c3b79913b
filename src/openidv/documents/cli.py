"""Command line: ``openidv mrz IMAGE [IMAGE...]`` prints one JSON object per image."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from openidv.errors import OpenIDVError


def mrz(
    images: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Photos or scans of documents."),
    today: str = typer.Option(None, help="Reference date YYYY-MM-DD for 2-digit years (default: today)."),
) -> None:
    """Read the machine-readable zone of each image (ICAO 9303 TD1/TD2/TD3/MRV-A/MRV-B; FRA-ID).

    Prints one JSON object per line: format, the raw lines as read, parsed fields, the validity of
    every check digit, `valid` (all check digits hold), corrections made and timings.
    """
    from openidv.documents.mrz.reader import read_image
    from openidv.imaging.decode import decode_image

    ref = date.fromisoformat(today) if today else None
    for path in images:
        out: dict[str, object] = {"file": str(path)}
        try:
            decoded = decode_image(path.read_bytes())
            out.update(read_image(decoded.rgb, ref).to_dict())
        except OpenIDVError as exc:
            out.update({"status": "error", "error": exc.to_problem(), "format": None, "lines": [], "valid": False})
        typer.echo(json.dumps(out, ensure_ascii=False))

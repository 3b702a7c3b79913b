"""The core commands, run as a user would run them (a real subprocess, a real store)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

BIN = str(Path(sys.executable).parent / "openidv")


def run(args: list[str], home: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, OPENIDV_HOME=str(home), OPENIDV_LOG_LEVEL="WARNING", OPENIDV_ENABLED_PLUGINS='["core"]')
    return subprocess.run([BIN, *args], env=env, capture_output=True, text=True, check=check, timeout=300)


def test_demo_then_audit_verify_detects_hand_edit(tmp_path):
    out = run(["demo", "--sessions", "3", "--no-serve"], tmp_path)
    info = json.loads(out.stdout[out.stdout.index("{") :])
    assert info["sessions_seeded"] == 3 and set(info["api_keys"]) == {"client", "reviewer", "admin"}
    ok = run(["audit", "verify"], tmp_path)
    assert json.loads(ok.stdout)["ok"] is True

    con = sqlite3.connect(tmp_path / "openidv.sqlite3")
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
    con.commit()
    con.close()
    bad = run(["audit", "verify"], tmp_path, check=False)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["ok"] is False and report["problems"][0]["seq"] == 3


def test_verify_from_files(tmp_path, good_images):
    doc = tmp_path / "doc.jpg"
    doc.write_bytes(good_images["document_front"])
    out = run(["verify", "--document-front", str(doc), "--country", "GB"], tmp_path)
    decision = json.loads(out.stdout)
    assert decision["checks"][0]["check"] == "image_usability"
    assert decision["decision"] in {"approve", "review", "decline", "resubmit"}


def test_bad_file_gives_clear_error(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    out = run(["verify", "--selfie", str(bad)], tmp_path, check=False)
    assert out.returncode == 2
    assert json.loads(out.stderr.strip().splitlines()[-1])["error"]["code"] == "image_unsupported_format"
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("cmd", [["--help"], ["checks"], ["keys", "create", "--name", "x", "--scopes", "client"]])
def test_commands_run(tmp_path, cmd):
    run(cmd, tmp_path)

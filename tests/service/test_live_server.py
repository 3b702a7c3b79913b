"""The run command's service, for real: `openidv demo` in a subprocess, the example client against it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(sys.executable).parent / "openidv")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_demo_service_and_example_client(tmp_path, database_url):
    port = _port()
    env = dict(
        os.environ,
        OPENIDV_HOME=str(tmp_path),
        OPENIDV_LOG_LEVEL="WARNING",
        OPENIDV_DATABASE_URL=database_url,
        OPENIDV_ENABLED_PLUGINS='["core"]',
    )
    proc = subprocess.Popen(
        [BIN, "demo", "--sessions", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("service did not start")
        out = subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples/client.py"),
                "--base-url",
                f"http://127.0.0.1:{port}",
                "--keys-file",
                str(tmp_path / "demo-keys.json"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        result = json.loads(out.stdout)
        assert result["decision"] in {"approve", "review", "decline", "resubmit"}
        assert all("reason_codes" in c for c in result["checks"])
        audit = subprocess.run([BIN, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
        assert audit.returncode == 0, audit.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=30)

"""``sharedprop app``: starts the server, prints the address with its token, guards it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PILOT = ROOT / "instances" / "xiamen-pilot"


def start(args: list[str], tmp_path: Path) -> tuple[subprocess.Popen, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sharedprop", "app", *args, "--workspace", str(tmp_path / "ws"),
         "--port", "0", "--no-browser", "--lang", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline and "token=" not in line:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            pytest.fail(f"sharedprop app exited: {proc.stderr.read()}")
    match = re.search(r"(http://\S+)/\?token=(\S+)", line)
    assert match, line
    return proc, match.group(1), match.group(2)


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    return proc.stderr.read()


def get(url: str, token: str | None = None) -> int:
    req = urllib.request.Request(url, headers={"X-Sharedprop-Token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_app_opens_an_instance_and_answers_only_with_its_token(tmp_path):
    proc, base, token = start([str(PILOT)], tmp_path)
    try:
        assert base.startswith("http://127.0.0.1:")
        assert get(f"{base}/api/state") == 403
        assert get(f"{base}/api/plan", token) == 200
        assert (tmp_path / "ws" / "instance" / "instance.toml").is_file()
    finally:
        stop(proc)
    assert proc.returncode is not None


def test_listening_beyond_localhost_warns(tmp_path):
    proc, base, token = start(["--host", "127.0.0.2"], tmp_path)
    try:
        assert base.startswith("http://127.0.0.2:")
        assert get(f"{base}/api/state", token) == 200
    finally:
        err = stop(proc)
    assert "warning: listening on 127.0.0.2" in err

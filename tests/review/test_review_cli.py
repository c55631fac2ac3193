"""marsad users add and marsad serve --db (the desk, with the extraction API under /api)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from marsad.cli import main
from marsad.review.db import Desk
from marsad.review.pgtemp import free_port


def test_users_add(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "desk.db"
    monkeypatch.setenv("MARSAD_PASSWORD", "long enough")
    assert main(["users", "add", "amal", "--role", "admin", "--db", str(db)]) == 0
    assert "amal (admin)" in capsys.readouterr().out
    desk = Desk.open(db)
    stored = desk.user("amal")
    assert stored is not None and stored[1] == "admin" and stored[0].startswith("$argon2id$")
    desk.close()
    monkeypatch.setenv("MARSAD_PASSWORD", "short")
    assert main(["users", "add", "omar", "--db", str(db)]) == 2  # too short: refused, said why
    monkeypatch.delenv("MARSAD_PASSWORD")
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))  # noqa: SIM115 - closed with the test
    assert main(["users", "add", "omar", "--db", str(db)]) == 2  # no terminal, no password


def test_serve_db_binds_localhost_and_prints_its_address(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "marsad", "serve", "--db", str(tmp_path / "desk.db"),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert f"http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, \
                    proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
        assert r.status_code == 200 and "Log in" in r.text
        assert httpx.get(f"http://127.0.0.1:{port}/api/health").json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/api/docs").status_code == 404  # loads a CDN: gone
    finally:
        proc.terminate()
        proc.wait(10)

"""`make lab` serves the whole repository, so every link on the start page opens in JupyterLab.

The test starts a Jupyter server with the same root option the Makefile passes to `jupyter lab` and fetches,
through the contents API, the start page, a student exercise and a data card (the links that failed when
the server's root was ``notebooks/``).
"""
from __future__ import annotations

import json
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lab_root_option() -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^LAB_ROOT\s*:=\s*(--ServerApp\.root_dir=\S+)\s*$", makefile, re.M)
    assert match, "the Makefile must set LAB_ROOT := --ServerApp.root_dir=... for `make lab`"
    assert "$(LAB_ROOT)" in makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0], "`make lab` must pass $(LAB_ROOT)"
    return match.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    pytest.importorskip("jupyter_server")
    port, token = _free_port(), secrets.token_hex(8)
    cmd = [sys.executable, "-m", "jupyter_server", _lab_root_option(), "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
           "--allow-root"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("the Jupyter server exited at start-up")
                time.sleep(0.25)
        else:
            pytest.fail("the Jupyter server did not answer within 30 s")
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _start_page_targets() -> list[str]:
    text = (ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8")
    links = re.findall(r"\]\((\.\./(?:exercises|datasets)/[^)#\s]+)\)", text)
    return sorted({str((Path("notebooks") / link).as_posix()).replace("notebooks/../", "") for link in links})


@pytest.mark.parametrize("path", ["notebooks/00_start_here.ipynb",
                                  "exercises/01_customer_value/student/01_customer_value.ipynb",
                                  "datasets/README.md"])
def test_lab_server_opens_start_page_student_exercise_and_data_card(server, path):
    base, token = server
    with urllib.request.urlopen(f"{base}/api/contents/{path}?content=0&token={token}", timeout=10) as r:
        assert r.status == 200
        assert json.load(r)["path"] == path


def test_every_exercise_and_data_card_link_on_the_start_page_opens_in_lab(server):
    base, token = server
    targets = _start_page_targets()
    assert targets, "the start page links exercises and data cards"
    missing = []
    for path in targets:
        try:
            urllib.request.urlopen(f"{base}/api/contents/{path}?content=0&token={token}", timeout=10)
        except OSError as err:
            missing.append(f"{path}: {err}")
    assert not missing, "start-page links that JupyterLab cannot open:\n" + "\n".join(missing)

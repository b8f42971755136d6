"""Model resolution: the bundled model is verified, bad models fail in one line, downloads are testable offline.

Downloads only ever go to a local ``http.server`` on 127.0.0.1 (via
POSTURECAM_MODEL_BASE_URL) and into a temporary POSTURECAM_CACHE_DIR; an
autouse fixture points both somewhere harmless so no test can reach the
real model host by accident.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from posturecam import model as model_mod
from posturecam.errors import PosturecamError
from posturecam.model import (
    BASE_URL_ENV,
    BUNDLED_NAME,
    CACHE_ENV,
    bundled_model,
    expected_sha256,
    resolve_model,
    sha256_of,
    verify_model,
)


def _closed_port() -> int:
    """A port nothing listens on (bound then released), so connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    monkeypatch.setenv(BASE_URL_ENV, f"http://127.0.0.1:{_closed_port()}")
    return cache


class _Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.httpd.timeout = 5
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def place(self, variant: str, data: bytes) -> None:
        name = f"pose_landmarker_{variant}.task"
        p = self.root / f"pose_landmarker_{variant}" / "float16" / "latest" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    root = tmp_path / "www"
    root.mkdir()
    srv = _Server(root)
    srv.thread.start()
    monkeypatch.setenv(BASE_URL_ENV, srv.url)
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(timeout=5)


# -- the bundled model -------------------------------------------------------------------------------


def test_bundled_model_matches_its_published_sha256() -> None:
    info = bundled_model()
    assert info.path.name == BUNDLED_NAME and info.path.is_file()
    assert info.sha256 == expected_sha256() == sha256_of(info.path)
    assert len(info.sha256) == 64
    assert resolve_model(None) == info == resolve_model("full")


def test_corrupted_copy_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = tmp_path / "models"
    models.mkdir()
    src = bundled_model().path
    bad = models / BUNDLED_NAME
    data = bytearray(src.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: still a zip, still loads, subtly different weights
    bad.write_bytes(bytes(data))
    shutil.copy(src.with_name(BUNDLED_NAME + ".sha256"), models)
    with pytest.raises(PosturecamError, match="damaged") as e:
        verify_model(bad, expected_sha256(), "copy")
    assert "\n" not in str(e.value)
    monkeypatch.setattr(model_mod, "_MODELS_DIR", models)
    with pytest.raises(PosturecamError, match=r"damaged.*reinstall"):
        resolve_model(None)
    bad.unlink()
    with pytest.raises(PosturecamError, match="missing"):
        bundled_model()


def test_missing_checksum_file_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / BUNDLED_NAME).write_bytes(b"PK")
    monkeypatch.setattr(model_mod, "_MODELS_DIR", tmp_path)
    with pytest.raises(PosturecamError, match="checksum"):
        bundled_model()


# -- --model PATH ------------------------------------------------------------------------------------


def test_model_path_to_a_valid_copy_is_accepted(tmp_path: Path) -> None:
    copy = tmp_path / "mine.task"
    shutil.copy(bundled_model().path, copy)
    info = resolve_model(copy)
    assert info.path == copy and info.sha256 == bundled_model().sha256


def test_model_path_that_is_not_a_task_bundle(tmp_path: Path) -> None:
    txt = tmp_path / "pose.task"
    txt.write_text("definitely not a model")
    with pytest.raises(PosturecamError, match=r"not a MediaPipe \.task bundle"):
        resolve_model(txt)
    with pytest.raises(PosturecamError, match="not found"):
        resolve_model(tmp_path / "missing.task")


def test_cli_model_path_not_a_task_is_one_line(tmp_path: Path, samples_dir: Path) -> None:
    txt = tmp_path / "notes.task"
    txt.write_text("hello")
    r = subprocess.run(
        [sys.executable, "-m", "posturecam", "analyze", str(samples_dir / "standing_side.mp4"), "-q",
         "--model", str(txt), "-o", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "notes.task" in lines[0] and "not a MediaPipe .task bundle" in lines[0]


# -- official variants from a local server -----------------------------------------------------------


def test_download_404_names_the_variant_and_suggests_the_bundled_model(server: _Server) -> None:
    with pytest.raises(PosturecamError) as e:
        resolve_model("lite")
    msg = str(e.value)
    assert "'lite'" in msg and "404" in msg and "bundled" in msg and "\n" not in msg
    assert server.requests == ["/pose_landmarker_lite/float16/latest/pose_landmarker_lite.task"]


def test_download_404_via_cli_is_one_line(server: _Server, tmp_path: Path, samples_dir: Path) -> None:
    env = dict(os.environ)  # carries the fixture's base URL and cache dir
    r = subprocess.run(
        [sys.executable, "-m", "posturecam", "analyze", str(samples_dir / "standing_side.mp4"), "-q",
         "--model", "heavy", "-o", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "'heavy'" in lines[0] and "bundled" in lines[0]


def test_download_that_is_not_a_bundle(server: _Server) -> None:
    server.place("lite", b"<html>captive portal</html>")
    with pytest.raises(PosturecamError, match=r"not a \.task bundle"):
        resolve_model("lite")


def test_download_is_cached_and_used(server: _Server, _offline: Path, samples_dir: Path) -> None:
    bundled = bundled_model()
    server.place("lite", bundled.path.read_bytes())  # any valid bundle will do for the plumbing
    info = resolve_model("lite")
    assert info.path == _offline / "pose_landmarker_lite.task"
    assert info.sha256 == bundled.sha256
    assert len(server.requests) == 1
    assert resolve_model("lite").path == info.path
    assert len(server.requests) == 1, "a cached model must not be downloaded again"

    import cv2

    from posturecam.pose import PoseEstimator

    cap = cv2.VideoCapture(str(samples_dir / "standing_side.mp4"))
    ok, img = cap.read()
    cap.release()
    assert ok
    with PoseEstimator(info, video=False) as est:
        pose = est.detect(img, 0)
    assert pose is not None and est.model.path == info.path


def test_nothing_listening_fails_quickly() -> None:
    t0 = time.monotonic()
    with pytest.raises(PosturecamError) as e:
        resolve_model("lite")
    assert time.monotonic() - t0 < 5.0
    msg = str(e.value)
    assert "could not download the 'lite' pose model" in msg and "\n" not in msg

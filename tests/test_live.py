"""Live mode: the real window under Xvfb, every way a session can end, and the parts it is built from.

The end-to-end tests run the installed ``posturecam live`` command on a
sample clip played as if it were a camera, inside a private Xvfb server, and
look at real screenshots of the window: a black or empty window must fail.
They skip cleanly where Xvfb / ImageMagick / xdotool are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from posturecam.exercises.base import Cue
from posturecam.exercises.engine import CoachState
from posturecam.live import Segment, combine_segments, next_exercise
from posturecam.overlay import FAULT_COLOR, GOOD_COLOR, LEFT_COLOR, RIGHT_COLOR, VIEW_COLOR
from posturecam.sources import LatestFrameSource
from posturecam.speech import CoachAnnouncer, ThreadedSpeaker
from posturecam.video import Frame

REPO = Path(__file__).resolve().parent.parent
LUNGE = REPO / "samples" / "lunge_side.mp4"
POSTURECAM = [sys.executable, "-m", "posturecam"]
QUIET_ENV = {"GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}


# -- helpers -----------------------------------------------------------------------------------------


def _free_display() -> int:
    for n in range(97, 160):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    pytest.skip("no free X display number")


@pytest.fixture(scope="module")
def xvfb() -> Iterator[dict[str, str]]:
    """A private Xvfb; yields the environment to run posturecam in."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb not installed")
    n = _free_display()
    proc = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.skip("Xvfb did not start")
        time.sleep(0.05)
    env = {**os.environ, **QUIET_ENV, "DISPLAY": f":{n}"}
    try:
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def _start_live(env: dict[str, str], out: Path, *extra: str, clip: Path = LUNGE) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*POSTURECAM, "live", "--source", str(clip), "--exercise", "lunge", "--out", str(out), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A test runner started in the background has SIGINT ignored, and the child would keep
        # ignoring it (as a program should): restore the default so Ctrl+C acts as in a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_rows(out: Path, rows: int, proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    """Wait until the session has streamed ``rows`` frames (the window is up and coaching)."""
    csv = out / "frames.csv"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"live ended early: {proc.communicate()}")
        if csv.exists() and csv.read_text().count("\n") > rows:
            return
        time.sleep(0.1)
    raise AssertionError("live session did not start streaming frames")


def _screenshot(env: dict[str, str]) -> np.ndarray:
    png = subprocess.run(["import", "-window", "root", "png:-"], env=env, capture_output=True, check=True).stdout
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None
    return img


def _count_color(img: np.ndarray, bgr: tuple[int, int, int], tol: int = 12) -> int:
    diff = np.abs(img.astype(np.int16) - np.array(bgr, np.int16)).max(axis=2)
    return int((diff <= tol).sum())


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def _needs(*tools: str) -> None:
    for t in tools:
        if shutil.which(t) is None:
            pytest.skip(f"{t} not installed")


# -- end to end, real window -------------------------------------------------------------------------


def test_live_window_shows_overlay_and_counts_reps(xvfb: dict[str, str], tmp_path: Path) -> None:
    _needs("import")
    out = tmp_path / "session"
    proc = _start_live(xvfb, out)
    _wait_rows(out, 15, proc)
    shots = []
    for _ in range(4):
        shots.append(_screenshot(xvfb))
        time.sleep(1.2)
    stdout, stderr = proc.communicate(timeout=40)
    assert proc.returncode == 0, stderr

    for shot in shots:  # the real window with a picture in it, not a black screen
        assert (shot.max(axis=2) > 40).mean() > 0.05
    # Skeleton in both side colours on most shots; a cue banner (its colour strip and text) on at least one.
    skeleton = [_count_color(s, LEFT_COLOR) > 30 and _count_color(s, RIGHT_COLOR) > 30 for s in shots]
    assert sum(skeleton) >= 3, skeleton
    cue = [max(_count_color(s, c) for c in (GOOD_COLOR, FAULT_COLOR, VIEW_COLOR)) > 60 for s in shots]
    assert any(cue), cue

    s = _summary(out)
    assert s["mode"] == "live" and s["exercise"] == "lunge"
    assert s["ended_by"] == "source"
    # 4 lunges in the clip; live drops frames when the machine is busy (as it should), which can cost a rep.
    assert s["rep_count"]["total"] >= 2, (s["rep_count"], s["frames"], s["frames_dropped"])
    assert s["frames"] >= 50 and s["frames_with_person"] >= 50
    assert s["frames"] + s["frames_dropped"] == s["frames_captured"]
    assert (out / "frames.jsonl").read_text().count("\n") == s["frames"]
    assert "Lunges:" in stdout and "session saved" in stdout
    # The side-view lunge's legs are named right by the model: counted, not flagged.
    assert s["legs"]["side_view_frames"] >= 40 and s["legs"]["unsteady"] is False


def test_live_keys_switch_exercise_and_quit(xvfb: dict[str, str], tmp_path: Path) -> None:
    _needs("xdotool")
    out = tmp_path / "session"
    proc = _start_live(xvfb, out)
    _wait_rows(out, 10, proc)
    subprocess.run(["xdotool", "key", "e"], env=xvfb, check=True)  # lunge -> bridge
    time.sleep(1.5)
    subprocess.run(["xdotool", "key", "q"], env=xvfb, check=True)
    stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0, stderr
    s = _summary(out)
    assert s["ended_by"] == "key"
    assert [seg["exercise"] for seg in s["segments"]] == ["lunge", "bridge"]
    assert "[lunge done]" in stdout and "exercise: bridge" in stdout


def test_live_ctrl_c_still_writes_summary(xvfb: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "session"
    proc = _start_live(xvfb, out)
    _wait_rows(out, 20, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130, stderr
    s = _summary(out)
    assert s["interrupted"] is True and s["ended_by"] == "sigint"
    assert s["frames"] >= 20
    rows = (out / "frames.csv").read_text().strip().splitlines()
    assert len(rows) == s["frames"] + 1  # header + every processed frame
    assert "Traceback" not in stderr


def test_live_source_unplugged_midway_still_writes_summary(xvfb: dict[str, str], tmp_path: Path) -> None:
    """A clip whose file breaks half-way: the session ends, saying so, and keeps what it measured."""
    broken = tmp_path / "broken.avi"
    cap = cv2.VideoCapture(str(LUNGE))
    w = cv2.VideoWriter(str(broken), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (640, 360))
    for _ in range(90):  # 6 s: two lunges
        ok, img = cap.read()
        assert ok
        w.write(img)
    w.release()
    cap.release()
    data = broken.read_bytes()
    broken.write_bytes(data[: int(len(data) * 0.75)])  # cut the file as an unplugged recorder would

    out = tmp_path / "session"
    proc = _start_live(xvfb, out, clip=broken)
    stdout, stderr = proc.communicate(timeout=40)
    assert proc.returncode == 0, stderr
    s = _summary(out)
    assert s["ended_by"] == "source" and s["truncated"] is True
    assert "truncated" in s["warning"] and "warning:" in stdout
    assert 20 < s["frames"] < 90
    assert s["rep_count"]["total"] >= 1


@pytest.mark.shared
def test_live_real_truncated_clip(xvfb: dict[str, str], tmp_path: Path, shared_clips: Path) -> None:
    """The real broken AVI (no person): session ends at the break, says nobody was seen."""
    out = tmp_path / "session"
    proc = _start_live(xvfb, out, "--max-seconds", "2", clip=shared_clips / "R05_tree_window_no_person_truncated.avi")
    stdout, stderr = proc.communicate(timeout=40)
    assert proc.returncode == 0, stderr
    s = _summary(out)
    assert s["frames"] > 0 and s["rep_count"]["total"] == 0
    assert "Nobody was seen" in stdout


# -- clear one-line errors ---------------------------------------------------------------------------


def test_camera_not_found_names_the_camera(tmp_path: Path) -> None:
    r = subprocess.run(
        [*POSTURECAM, "live", "--camera", "9", "--out", str(tmp_path / "s")],
        env={**os.environ, **QUIET_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "no camera found" in lines[0] and "video9" in lines[0] and "--source" in lines[0]
    assert not (tmp_path / "s").exists()


def test_no_display_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run(
        [*POSTURECAM, "live", "--source", str(LUNGE), "--out", str(tmp_path / "s")],
        env={**env, **QUIET_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert "display" in r.stderr


# -- parts -------------------------------------------------------------------------------------------


class _CountingSource(LatestFrameSource):
    """Produces frames far faster than anyone reads them, then fails like an unplugged camera."""

    name = "fake"

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def _frames(self) -> Iterator[Frame]:
        img = np.zeros((4, 4, 3), np.uint8)
        for i in range(self.n):
            yield Frame(i, i / 30, img)
            time.sleep(0.001)
        raise OSError("device unplugged")


def test_source_hands_over_only_the_newest_frame() -> None:
    src = _CountingSource(200).start()
    got: list[int] = []
    while not src.ended:
        item = src.read(timeout=0.2)
        if item is not None:
            got.append(item.frame.index)
            time.sleep(0.02)  # a slow consumer
    src.close()
    assert got == sorted(got) and got[-1] == 199  # always moves forward, ends on the last frame
    assert len(got) < 100 and src.frames_dropped == 200 - len(got)
    assert src.error and "unplugged" in (src.end_reason or "")


class _PacedSource(LatestFrameSource):
    """A steady camera: one frame every ``interval_s``."""

    name = "paced"

    def __init__(self, interval_s: float, n: int) -> None:
        super().__init__()
        self.interval_s, self.n = interval_s, n

    def _frames(self) -> Iterator[Frame]:
        img = np.zeros((4, 4, 3), np.uint8)
        t0 = time.perf_counter()
        for i in range(self.n):
            self._stop.wait(max(0.0, t0 + i * self.interval_s - time.perf_counter()))
            yield Frame(i, i * self.interval_s, img)


def test_fresh_read_trades_a_stale_frame_for_the_next_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A frame older than half the interval is swapped for the next (due sooner than it is old)."""
    import posturecam.sources as sources

    monkeypatch.setattr(sources, "FRESH_WAIT_SLACK_S", 0.08)  # a loaded CI machine may be late
    interval = 0.2
    src = _PacedSource(interval, 12).start()
    try:
        for _ in range(4):  # learn the interval
            assert src.read(timeout=1.0) is not None
        first = src.read(timeout=1.0)
        assert first is not None and src.frame_interval_s == pytest.approx(interval, rel=0.3)
        fresh_now = src.read(timeout=1.0)  # arrives fresh: handed over at once
        assert fresh_now is not None and fresh_now.frame.index == first.frame.index + 1
        time.sleep(max(0.0, fresh_now.captured_at + 0.7 * interval - time.perf_counter()))
        newer_frame = src.read(timeout=0.0)  # nothing new yet, the old one is 0.7 intervals old
        assert newer_frame is None  # it was read already: nothing to hand over
        # Now leave a frame in the slot and come for it late: the read waits for its successor.
        stale = src._slot
        while stale is None:
            time.sleep(0.005)
            stale = src._slot
        time.sleep(max(0.0, stale.captured_at + 0.7 * interval - time.perf_counter()))
        got = src.read(timeout=1.0)
        assert got is not None and got.frame.index == stale.frame.index + 1
        assert time.perf_counter() - got.captured_at < 0.5 * interval
        assert src.frames_skipped_for_freshness == 1
        # Without ``fresh`` the stale frame itself is returned.
        stale = src._slot
        while stale is None:
            time.sleep(0.005)
            stale = src._slot
        time.sleep(max(0.0, stale.captured_at + 0.7 * interval - time.perf_counter()))
        got = src.read(timeout=1.0, fresh=False)
        assert got is not None and got.frame.index == stale.frame.index
    finally:
        src.close()


def test_speaker_never_blocks_newest_wins_and_no_nagging() -> None:
    release = threading.Event()
    spoken: list[str] = []

    def slow_engine(text: str) -> None:
        release.wait(2)
        spoken.append(text)

    sp = ThreadedSpeaker(slow_engine, repeat_after_s=60)
    t0 = time.perf_counter()
    sp.say("one")
    time.sleep(0.05)  # "one" is being spoken now
    for text in ("two", "three", "one", "four"):
        sp.say(text)
    assert time.perf_counter() - t0 < 0.2  # say() never waits for speech
    release.set()
    deadline = time.time() + 2
    while len(spoken) < 2 and time.time() < deadline:
        time.sleep(0.01)
    sp.close()
    assert spoken == ["one", "four"]  # stale "two"/"three" dropped, repeated "one" suppressed


def _state(reps: dict[str, int], cue: Cue | None) -> CoachState:
    return CoachState(0.0, "lunge", "up", None, cue, reps)


def test_announcer_says_counts_and_new_cues_once() -> None:
    said: list[str] = []

    class Rec:
        def say(self, text: str, key: str | None = None) -> None:
            said.append(text)

        def close(self) -> None:
            pass

    a = CoachAnnouncer(Rec())
    lean = Cue("lunge.trunk_lean", "Keep your chest up", 5)
    a.update(_state({"left": 0, "right": 0, "total": 0}, None))
    a.update(_state({"left": 0, "right": 0, "total": 0}, lean))
    a.update(_state({"left": 0, "right": 0, "total": 0}, lean))
    a.update(_state({"left": 1, "right": 0, "total": 1}, lean))
    assert said == ["Keep your chest up", "left 1"]


def _segment(exercise: str, start_s: float, end_s: float, rep_count: dict, reps: list, good: int) -> Segment:
    summary = {"exercise": exercise, "rep_count": rep_count, "reps": reps, "holds": [], "cues": {"good": good}}
    return Segment(exercise, start_s, end_s, summary=summary)


def test_exercise_cycle_and_session_summary() -> None:
    names = ["lunge"]
    for _ in range(6):
        names.append(next_exercise(names[-1]))
    assert names[0] == names[-1] and len(set(names)) == 6
    a = _segment("lunge", 0.0, 5.0, {"left": 1, "right": 1, "total": 2}, [{"side": "left"}], good=2)
    b = _segment("bridge", 5.0, 9.0, {"left": 0, "right": 0, "total": 3}, [], good=1)
    assert combine_segments([a]) == a.summary  # one exercise: exactly analyze's shape
    s = combine_segments([a, b])
    assert s["rep_count"]["total"] == 5 and s["cues"] == {"good": 3}
    assert s["reps"][0]["exercise"] == "lunge"
    assert [x["exercise"] for x in s["segments"]] == ["lunge", "bridge"]

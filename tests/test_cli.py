"""The real ``posturecam`` command on bad input: one plain stderr line, a non-zero exit, never a traceback.

Every test runs the CLI as a subprocess (``python -m posturecam``), because
what matters is what a person sees in the terminal, including anything
MediaPipe's native code prints. ``--quiet`` keeps tqdm off stderr so the
"exactly one line" check is exact; ``--no-video`` keeps the runs short.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

TIMEOUT_S = 180


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("POSTURECAM_DEBUG", None)
    return env


def _default_sigint() -> None:
    # A test runner started in the background inherits SIGINT as ignored, and Python would then never
    # raise KeyboardInterrupt in the child: restore the default so Ctrl+C behaves as in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "posturecam", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        cwd=cwd,
        env=_env(),
        preexec_fn=_default_sigint,
    )


def assert_one_line(stderr: str, *fragments: str) -> str:
    """stderr is exactly one ``posturecam: ...`` line containing every fragment, and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{stderr}"
    line = lines[0]
    assert line.startswith("posturecam: "), line
    for frag in fragments:
        assert frag.lower() in line.lower(), f"{frag!r} not in {line!r}"
    return line


def _frames(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        out.append(img)
    cap.release()
    return out


def _write(path: Path, frames: list[np.ndarray], fourcc: str, fps: float = 15.0) -> Path:
    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert vw.isOpened()
    for f in frames:
        vw.write(f)
    vw.release()
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> dict[str, Path]:
    """Damaged, empty and long clips made from the samples (built once; a few seconds)."""
    d = tmp_path_factory.mktemp("clips")
    standing = _frames(samples_dir / "standing_side.mp4")
    lunge = _frames(samples_dir / "lunge_side.mp4")
    out: dict[str, Path] = {}
    # MJPG in AVI decodes without its index, so cutting the tail leaves a clip readable up to the cut.
    full_avi = _write(d / "full.avi", standing, "MJPG")
    data = full_avi.read_bytes()
    (d / "truncated.avi").write_bytes(data[: int(len(data) * 0.6)])
    out["truncated_avi"] = d / "truncated.avi"
    # An MP4 from OpenCV keeps its index (moov) at the end: cut, it cannot be opened at all.
    mp4 = (samples_dir / "standing_side.mp4").read_bytes()
    (d / "truncated.mp4").write_bytes(mp4[: int(len(mp4) * 0.6)])
    out["truncated_mp4"] = d / "truncated.mp4"
    # An empty room: a lit wall with a little sensor noise, nobody in it.
    rng = np.random.default_rng(0)
    base = np.tile(np.linspace(90, 170, 320, dtype=np.float32), (240, 1))
    room = [np.clip(base[..., None] + rng.normal(0, 3, (240, 320, 3)), 0, 255).astype(np.uint8) for _ in range(20)]
    out["empty"] = _write(d / "empty_room.mp4", room, "mp4v")
    # Long enough that Ctrl+C surely lands mid-analysis.
    out["long"] = _write(d / "long.mp4", lunge * 6, "mp4v")
    return out


# -- usage errors (no clip is opened) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["analyze", "{sample}", "--exercise", "squat"], ["invalid choice", "squat"]),
        (["analyze", "{sample}", "--frobnicate"], ["unrecognized arguments", "--frobnicate"]),
        (["analyze", "{sample}", "--jobs", "0"], ["--jobs"]),
        (["dance"], ["invalid choice"]),
    ],
    ids=["unknown-exercise", "unknown-flag", "jobs-0", "unknown-command"],
)
def test_usage_errors(samples_dir: Path, args: list[str], fragments: list[str]) -> None:
    sample = str(samples_dir / "standing_side.mp4")
    r = run_cli(*[a.replace("{sample}", sample) for a in args])
    assert r.returncode == 2
    assert_one_line(r.stderr, *fragments)


def test_missing_file(tmp_path: Path) -> None:
    r = run_cli("analyze", tmp_path / "nope.mp4", "-q", "-o", tmp_path / "out")
    assert r.returncode != 0
    assert_one_line(r.stderr, "not found", "nope.mp4")
    assert not (tmp_path / "out").exists()


def test_folder_with_no_videos(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a clip")
    r = run_cli("analyze", tmp_path, "-q")
    assert r.returncode != 0
    assert_one_line(r.stderr, "no video files", str(tmp_path))


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[lunge\nmax_trunk_lean_deg = 15\n", ["not valid TOML"]),
        ("[lunge]\nmax_trunk_leen_deg = 15\n", ["unknown setting", "max_trunk_leen_deg"]),
        ("[squat]\ndepth = 1\n", ["unknown section", "squat"]),
    ],
    ids=["syntax", "unknown-key", "unknown-section"],
)
def test_bad_config(tmp_path: Path, samples_dir: Path, text: str, fragments: list[str]) -> None:
    cfg = tmp_path / "physio.toml"
    cfg.write_text(text)
    r = run_cli("analyze", samples_dir / "standing_side.mp4", "-q", "--no-video", "--config", cfg, "-o", tmp_path / "o")
    assert r.returncode == 2
    assert_one_line(r.stderr, "physio.toml", *fragments)
    assert not (tmp_path / "o" / "summary.json").exists()


def test_output_folder_cannot_be_created(tmp_path: Path, samples_dir: Path) -> None:
    # Tests run as root, so permissions do not stop writes; a regular file as the parent always does.
    (tmp_path / "somefile").write_text("")
    r = run_cli("analyze", samples_dir / "standing_side.mp4", "-q", "--no-video", "-o", tmp_path / "somefile" / "sub")
    assert r.returncode != 0
    assert_one_line(r.stderr, "output folder", "somefile")


# -- clips that are not (whole) videos ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "random-bytes"])
def test_not_a_video(tmp_path: Path, kind: str) -> None:
    clip = tmp_path / "holiday.mp4"
    if kind == "text":
        clip.write_text("this is a shopping list, not a video\n")
    else:
        clip.write_bytes(np.random.default_rng(1).integers(0, 256, 64_000, dtype=np.uint8).tobytes())
    r = run_cli("analyze", clip, "-q", "--no-video", "-o", tmp_path / "o")
    assert r.returncode != 0
    assert_one_line(r.stderr, "holiday.mp4", "not a video")


def test_what_cannot_be_analysed_is_one_line_with_the_progress_bar_on(tmp_path: Path, samples_dir: Path) -> None:
    """The bar starts only over clips that can be analysed: a file that is no video, or an output
    folder that cannot be made, gets its error line alone."""
    clip = tmp_path / "holiday.mp4"
    clip.write_text("this is a shopping list, not a video\n")
    r = run_cli("analyze", clip, "--no-video", "-o", tmp_path / "o")
    assert r.returncode != 0
    assert_one_line(r.stderr, "holiday.mp4", "not a video")
    (tmp_path / "somefile").write_text("x")
    r = run_cli("analyze", samples_dir / "standing_side.mp4", "--no-video", "-o", tmp_path / "somefile" / "sub")
    assert r.returncode != 0
    assert_one_line(r.stderr, "output folder", "somefile")


def test_truncated_mp4_is_one_clear_line(tmp_path: Path, clips: dict[str, Path]) -> None:
    r = run_cli("analyze", clips["truncated_mp4"], "-q", "--no-video", "-o", tmp_path / "o")
    assert r.returncode != 0
    assert_one_line(r.stderr, "truncated.mp4")


def _check_partial(out: Path, clip_name: str, r: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert r.returncode == 1, r.stderr
    line = assert_one_line(r.stderr, clip_name, "truncated", "analysed up to")
    assert " s" in line
    summary = json.loads((out / "summary.json").read_text())
    assert summary["truncated"] is True
    rows = (out / "frames.csv").read_text().splitlines()
    assert len(rows) - 1 == summary["frames"] > 0
    return summary


def test_truncated_avi_is_analysed_up_to_the_break(tmp_path: Path, clips: dict[str, Path]) -> None:
    out = tmp_path / "o"
    r = run_cli("analyze", clips["truncated_avi"], "-q", "--no-video", "--no-report", "-e", "standing", "-o", out)
    summary = _check_partial(out, "truncated.avi", r)
    assert summary["frames_with_person"] > 0
    assert not (out / "report.html").exists()  # --no-report
    assert "report:" not in r.stdout


@pytest.mark.shared
def test_real_truncated_clip(tmp_path: Path, shared_clips: Path) -> None:
    clip = shared_clips / "R05_tree_window_no_person_truncated.avi"
    out = tmp_path / "o"
    r = run_cli("analyze", clip, "-q", "--no-video", "--no-report", "-o", out)
    _check_partial(out, clip.name, r)
    assert "nobody was found" in r.stdout.lower()


# -- not errors --------------------------------------------------------------------------------------


def test_clip_with_nobody_is_not_an_error(tmp_path: Path, clips: dict[str, Path]) -> None:
    out = tmp_path / "o"
    r = run_cli("analyze", clips["empty"], "-q", "--no-video", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == ""
    assert "Nobody was found in this clip" in r.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["frames"] == 20 and summary["frames_with_person"] == 0
    assert (out / "frames.csv").is_file()
    assert "Nobody was found" in (out / "report.html").read_text()


def test_analyze_writes_report_and_says_where(tmp_path: Path, samples_dir: Path) -> None:
    out = tmp_path / "o"
    r = run_cli("analyze", samples_dir / "bridge_side.mp4", "-q", "--no-video", "-e", "bridge", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", "MediaPipe's native log lines must not reach the terminal"
    assert f"report: {out / 'report.html'}" in r.stdout
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "Glute bridges" in html
    assert (out / "report.md").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["knees_on_outline"] is True and summary["every_other_frame_mirrored"] is True  # on for bridges


def test_no_outline_turns_the_knee_placement_off(tmp_path: Path, clips: dict[str, Path]) -> None:
    out = tmp_path / "o"
    r = run_cli("analyze", clips["empty"], "-q", "--no-video", "--no-report", "-e", "bridge", "--no-outline",
                "-o", out)
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "summary.json").read_text())["knees_on_outline"] is False


def test_exercises_lists_definitions() -> None:
    from posturecam.exercises.registry import DEFINITIONS

    r = run_cli("exercises")
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == ""
    for name, d in DEFINITIONS.items():
        assert f"{name}: {d.title}" in r.stdout
        for rule in d.frame_rules:
            assert f"{rule.cue.id}: {rule.cue.text}" in r.stdout
    assert "max_trunk_lean_deg = 20" in r.stdout  # the lunge's trunk-lean threshold, read from its rule
    assert "or from where it rests still (rest_settle_deg 4, settle_s 0.5, min_rise_deg 10)" in r.stdout  # bridge


# -- Ctrl+C ------------------------------------------------------------------------------------------


def _interrupt_once_writing(args: list[str], csv_paths: list[Path], sig: int = signal.SIGINT) -> tuple[int, str]:
    """Run ``posturecam ARGS``, wait until every CSV in ``csv_paths`` has rows (the model is loaded
    and working), then press Ctrl+C as in a terminal: SIGINT to the whole process group. With
    ``sig=SIGTERM``, ``kill PID`` instead: the signal to that process alone."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "posturecam", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        preexec_fn=_default_sigint,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if all(p.is_file() and p.stat().st_size > 0 for p in csv_paths):
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the analysis ended before it could be interrupted"
        time.sleep(0.5)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, err


def _rows_match_summary(folder: Path) -> int:
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["interrupted"] is True
    rows = (folder / "frames.csv").read_text().splitlines()
    assert len(rows) - 1 == summary["frames"]
    return summary["frames"]


def test_ctrl_c_keeps_results(tmp_path: Path, clips: dict[str, Path]) -> None:
    out = tmp_path / "o"
    code, err = _interrupt_once_writing(
        ["analyze", str(clips["long"]), "-q", "--no-video", "-e", "lunge", "-o", str(out)], [out / "frames.csv"]
    )
    assert code == 130
    assert_one_line(err, "interrupted")
    assert 1 < _rows_match_summary(out) < 6 * 174


def test_kill_keeps_results_and_exits_as_terminated(tmp_path: Path, clips: dict[str, Path]) -> None:
    out = tmp_path / "o"
    code, err = _interrupt_once_writing(
        ["analyze", str(clips["long"]), "-q", "--no-video", "-e", "lunge", "-o", str(out)], [out / "frames.csv"],
        sig=signal.SIGTERM,
    )
    assert code == 143  # 128 + SIGTERM, as `live` and shells report it; Ctrl+C gives 130
    assert_one_line(err, "interrupted")
    assert 1 < _rows_match_summary(out) < 6 * 174


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_stopping_a_batch_keeps_what_ran_and_starts_nothing_new(
    tmp_path: Path, clips: dict[str, Path], sig: signal.Signals, code: int
) -> None:
    """Two clips run, two wait; the pool has already handed one waiting clip to a worker, which must
    not start it after the stop (it would be reported as a one-frame analysis).

    Ctrl+C reaches the whole process group; ``kill`` only the parent, which must stop its
    workers the same way (not die and leave them analysing on), and exit 143.
    """
    names = ["a", "b", "c", "d"]
    folder = tmp_path / "clips"
    folder.mkdir()
    for n in names:
        (folder / f"{n}.mp4").symlink_to(clips["long"])
    out = tmp_path / "o"
    got, err = _interrupt_once_writing(
        ["analyze", str(folder), "-j", "2", "-q", "--no-video", "--no-report", "-e", "lunge", "-o", str(out)],
        [out / n / "frames.csv" for n in names[:2]],
        sig=sig,
    )
    assert got == code
    assert "Traceback" not in err, err
    for n in names[:2]:
        assert 1 < _rows_match_summary(out / n) < 6 * 174
        assert f"results so far were written to {out / n}" in err
    for n in names[2:]:
        assert not (out / n / "summary.json").exists()
        assert f"{n}.mp4: not analysed (interrupted)" in err

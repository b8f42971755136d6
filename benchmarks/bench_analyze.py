"""How much does posturecam cost on top of the pose model? Run it and see.

    python benchmarks/bench_analyze.py                 # 1- and 10-minute 720p clips
    python benchmarks/bench_analyze.py --minutes 1     # quicker: rates and memory for 1 minute only

It renders its own 720p clip with the mannequin renderer (a short loop,
repeated to the requested length, so a 10-minute clip does not take three
minutes of rendering), then measures in one run, side by side:

1. the floor: the same decoder (``VideoReader`` with its prefetch thread)
   feeding the same PoseLandmarker (bundled model, VIDEO mode, same options
   as posturecam, no segmentation masks) and nothing else;
2. ``posturecam analyze --no-video``;
3. ``posturecam analyze`` with the annotated video.

Each is a fresh process timed from start to exit, so every row pays the
same start-up (imports, model load) and nothing in-process is shared. The
three modes run interleaved, round after round, and the median of each is
reported: on a shared machine load comes and goes, and interleaving spreads
it over all modes instead of penalising whichever ran during a busy spell.
Peak resident memory is each child's own ``ru_maxrss`` (from ``wait4``), so
only the standard library is needed. ffmpeg, if installed, makes the long
clips faster to build; without it the loop is re-encoded with OpenCV.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"
MODES = ("floor", "no-video", "video")
LABELS = {
    "floor": "floor: decode + PoseLandmarker",
    "no-video": "posturecam analyze --no-video",
    "video": "posturecam analyze (annotated video)",
}
TARGETS = {"no-video": 0.9, "video": 0.75}
MEMORY_GROWTH_LIMIT_MB = 50.0


# --------------------------------------------------------------------------- the floor (runs in a child process)


def floor_worker(clip: str, masks: bool = False) -> int:
    """Decode + pose model only: the rate no analysis of this clip can beat.

    Uses posturecam's own reader (same decode path, same prefetch thread) and
    a landmarker built by ``PoseEstimator`` (same model, mode and options);
    per frame it does only what MediaPipe requires: BGR to RGB, wrap, detect.
    Process settings are the ones ``posturecam analyze`` uses (``configure_process``).
    ``masks`` also asks the model for the segmentation mask, as posturecam does for the
    exercises that use it (``--floor-masks``).
    """
    import cv2
    import mediapipe as mp

    from posturecam.batch import configure_process
    from posturecam.pose import PoseEstimator
    from posturecam.video import VideoReader, prefetch

    configure_process()
    est = PoseEstimator(with_mask=masks)
    lm = est._landmarker(0)  # the exact landmarker posturecam would run (private on purpose)
    n = found = 0
    last_ts = -1
    with VideoReader(clip) as reader:
        for frame in prefetch(iter(reader)):
            rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
            ts = max(round(frame.time_s * 1000), last_ts + 1)
            last_ts = ts
            res = lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), ts)
            found += bool(res.pose_landmarks)
            n += 1
    est.close()
    print(json.dumps({"frames": n, "frames_with_person": found}))
    return 0


# --------------------------------------------------------------------------- clips


def _run_quiet(cmd: Sequence[str]) -> None:
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_child_env())
    if done.returncode != 0:
        sys.exit(f"bench: command failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}")


def render_loop(path: Path, seconds: float, width: int, height: int, fps: float, motion: str) -> None:
    """A short mannequin clip with the renderer posturecam ships (about 10-30 ms a frame)."""
    tmp = path.with_name(path.stem + ".part" + path.suffix)
    _run_quiet(
        [
            sys.executable,
            "-m",
            "posturecam.synthetic",
            "clip",
            "--motion",
            motion,
            "--view",
            "side",
            "--seconds",
            str(seconds),
            "--width",
            str(width),
            "--height",
            str(height),
            "--fps",
            str(fps),
            "--out",
            str(tmp),
        ]
    )
    os.replace(tmp, path)


def repeat_clip(src: Path, dst: Path, seconds: float) -> None:
    """``src`` played over and over until ``seconds`` long: ffmpeg stream copy, else an OpenCV re-encode."""
    tmp = dst.with_name(dst.stem + ".part" + dst.suffix)
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg:
        _run_quiet(
            [
                ffmpeg,
                "-v",
                "error",
                "-y",
                "-stream_loop",
                "-1",
                "-i",
                str(src),
                "-t",
                f"{seconds:.3f}",
                "-c",
                "copy",
                "-an",
                str(tmp),
            ]
        )
    else:
        import cv2

        # Re-read the loop on each pass rather than holding it: 20 s of 720p is 1.6 GB decoded.
        out = None
        want = written = 0
        while written < max(want, 1):
            cap = cv2.VideoCapture(str(src))
            fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
            want = round(seconds * fps)
            start = written
            while written < want:
                ok, img = cap.read()
                if not ok:
                    break
                if out is None:
                    h, w = img.shape[:2]
                    out = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
                out.write(img)
                written += 1
            cap.release()
            if written == start:
                sys.exit(f"bench: could not decode {src}")
        if out is not None:
            out.release()
    os.replace(tmp, dst)


def make_clips(cache: Path, minutes: Sequence[float], args: argparse.Namespace) -> dict[float, Path]:
    """Clips are cached by their parameters: the second run of the benchmark measures at once."""
    cache.mkdir(parents=True, exist_ok=True)
    tag = f"{args.motion}_{args.width}x{args.height}_{args.fps:g}fps"
    loop = cache / f"loop_{tag}_{args.loop_seconds:g}s.mp4"
    if not loop.exists():
        print(
            f"rendering a {args.loop_seconds:g} s {args.width}x{args.height} loop with the mannequin renderer ...",
            flush=True,
        )
        render_loop(loop, args.loop_seconds, args.width, args.height, args.fps, args.motion)
    clips = {}
    for m in minutes:
        clip = cache / f"clip_{tag}_{m:g}min.mp4"
        if not clip.exists():
            print(f"building the {m:g}-minute clip ...", flush=True)
            repeat_clip(loop, clip, m * 60.0)
        clips[m] = clip
    return clips


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    mode: str
    frames: int
    wall_s: float
    max_rss_mb: float | None
    cpu_s: float | None = None  # user + system time of the child, all its threads

    @property
    def cpu_ms_per_frame(self) -> float | None:
        return None if self.cpu_s is None or not self.frames else 1000 * self.cpu_s / self.frames

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GLOG_minloglevel", "2")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Make the repo importable even when posturecam is not pip-installed.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def _spawn_timed(cmd: Sequence[str], log: Path) -> tuple[int, float, float | None, float | None]:
    """Run ``cmd``; return (exit code, wall seconds, peak RSS in MB, CPU seconds), all of that child alone."""
    with open(log, "w") as f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=_child_env())
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            # ru_maxrss is kilobytes on Linux, bytes on macOS.
            rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
            return proc.returncode, wall, rss, usage.ru_utime + usage.ru_stime
        code = proc.wait()
        return code, time.perf_counter() - t0, None, None


def measure(mode: str, clip: Path, work: Path, args: argparse.Namespace) -> Run:
    out = work / f"out-{mode}"
    shutil.rmtree(out, ignore_errors=True)
    log = work / f"{mode}.log"
    if mode == "floor":
        cmd = [sys.executable, str(Path(__file__).resolve()), "--floor-worker", str(clip)]
        if args.floor_masks:
            cmd.append("--floor-masks")
    else:
        cmd = [sys.executable, "-m", "posturecam", "analyze", str(clip), "-o", str(out), "--quiet"]
        if args.exercise:
            cmd += ["--exercise", args.exercise]
        if mode == "no-video":
            cmd.append("--no-video")
    code, wall, rss, cpu = _spawn_timed(cmd, log)
    text = log.read_text(errors="replace")
    if code != 0:
        sys.exit(f"bench: {mode} run failed with exit code {code}:\n{text[-3000:]}")
    if mode == "floor":
        frames = json.loads(text.strip().splitlines()[-1])["frames"]
    else:
        frames = int(json.loads((out / "summary.json").read_text())["frames"])
    return Run(mode, frames, wall, rss, cpu)


def _mb(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.0f} MB"


def _cpu(run: Run) -> str:
    v = run.cpu_ms_per_frame
    return "CPU n/a" if v is None else f"CPU {v:4.1f} ms/frame"


def _median_cpu(runs: Sequence[Run]) -> float | None:
    vals = [r.cpu_ms_per_frame for r in runs if r.cpu_ms_per_frame is not None]
    return statistics.median(vals) if vals else None


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--minutes",
        type=float,
        nargs="+",
        default=[1.0, 10.0],
        help="clip lengths; rates are measured on the first, peak memory on all (default: 1 10)",
    )
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the three modes for the rates")
    p.add_argument(
        "--long-modes",
        nargs="+",
        default=["video"],
        choices=MODES,
        help="modes run on the longer clips, for memory (default: video, the heaviest)",
    )
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=720)
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--motion", default="lunge", choices=("lunge", "bridge", "hip_flexor_stretch", "standing"))
    p.add_argument("--loop-seconds", type=float, default=20.0, help="length of the rendered loop (default 20)")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"where clips are kept (default {DEFAULT_CACHE})")
    p.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    p.add_argument("--floor-worker", metavar="CLIP", help=argparse.SUPPRESS)
    p.add_argument("--exercise", default=None, help="passed to analyze (default: analyze's own, auto)")
    p.add_argument("--floor-masks", action="store_true",
                   help="the floor's model also returns segmentation masks (as for standing, or knees on the outline)")
    args = p.parse_args(argv)
    if args.floor_worker:
        return floor_worker(args.floor_worker, args.floor_masks)

    minutes = list(dict.fromkeys(args.minutes))
    clips = make_clips(args.cache, minutes, args)
    short = clips[minutes[0]]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {_load()}"
    )
    print(f"clip: {short.name}\n")

    runs: dict[str, list[Run]] = {m: [] for m in MODES}
    with tempfile.TemporaryDirectory(prefix="posturecam-bench-") as tmp:
        work = Path(tmp)
        for r in range(args.rounds):
            for mode in MODES:
                run = measure(mode, short, work, args)
                runs[mode].append(run)
                print(
                    f"  round {r + 1}/{args.rounds}  {mode:<9} {run.frames} frames in {run.wall_s:6.1f} s"
                    f" = {run.fps:5.1f} fps, {_cpu(run)}, peak RSS {_mb(run.max_rss_mb)}",
                    flush=True,
                )
        long_runs: dict[float, dict[str, Run]] = {minutes[0]: {m: runs[m][-1] for m in MODES}}
        for m in minutes[1:]:
            long_runs[m] = {}
            for mode in args.long_modes:
                run = measure(mode, clips[m], work, args)
                long_runs[m][mode] = run
                print(
                    f"  {m:g} min    {mode:<9} {run.frames} frames in {run.wall_s:6.1f} s"
                    f" = {run.fps:5.1f} fps, {_cpu(run)}, peak RSS {_mb(run.max_rss_mb)}",
                    flush=True,
                )

    floor = statistics.median(r.fps for r in runs["floor"])
    report: dict[str, object] = {"clip": short.name, "load_average_after": _load(), "rates": {}, "memory_mb": {}}
    ok = True
    print(
        f"\nframe rate, {minutes[0]:g}-minute {args.width}x{args.height} clip, median of {args.rounds} "
        f"interleaved rounds:"
    )
    for mode in MODES:
        fps = statistics.median(r.fps for r in runs[mode])
        ratio = fps / floor if floor else 0.0
        per_round = ", ".join(f"{a.fps / b.fps:.2f}" for a, b in zip(runs[mode], runs["floor"], strict=True))
        target = TARGETS.get(mode)
        verdict = "" if target is None else f"  (target >= {target:.2f}: {'met' if ratio >= target else 'NOT met'})"
        ok &= target is None or ratio >= target
        extra = "" if mode == "floor" else f"  per round {per_round}"
        print(f"  {LABELS[mode]:<38} {fps:6.1f} fps  {ratio:5.2f} x floor{verdict}{extra}")
        cpu = _median_cpu(runs[mode])
        report["rates"][mode] = {"fps": round(fps, 2), "ratio": round(ratio, 3), "cpu_ms_per_frame": cpu}  # type: ignore[index]
    cpu_floor = _median_cpu(runs["floor"])
    if cpu_floor:
        # When other work shares the cores, throughput follows CPU time; this shows the cost itself.
        print("CPU time per frame (all threads; what the ratio tends to when the cores are busy with other work):")
        for mode in MODES:
            cpu = _median_cpu(runs[mode])
            if cpu is not None:
                print(f"  {LABELS[mode]:<38} {cpu:6.1f} ms  floor/this = {cpu_floor / cpu:4.2f}")

    print("\npeak resident memory (whole process, MediaPipe included):")
    for m, by_mode in long_runs.items():
        for mode, run in by_mode.items():
            if m != minutes[0] and mode not in args.long_modes:
                continue
            print(f"  {m:>4g}-minute clip  {LABELS[mode]:<38} {_mb(run.max_rss_mb)}")
            report["memory_mb"][f"{m:g}min/{mode}"] = run.max_rss_mb  # type: ignore[index]
    if len(minutes) > 1:
        for mode in args.long_modes:
            a, b = long_runs[minutes[0]].get(mode), long_runs[minutes[-1]].get(mode)
            if a and b and a.max_rss_mb is not None and b.max_rss_mb is not None:
                growth = b.max_rss_mb - a.max_rss_mb
                good = growth <= MEMORY_GROWTH_LIMIT_MB
                ok &= good
                print(
                    f"  growth {minutes[0]:g} -> {minutes[-1]:g} minutes ({mode}): {growth:+.0f} MB "
                    f"(target <= {MEMORY_GROWTH_LIMIT_MB:.0f} MB: {'met' if good else 'NOT met'})"
                )
                report["memory_mb"][f"growth/{mode}"] = round(growth, 1)  # type: ignore[index]
    print(f"\nload average at the end: {_load()}  (above {os.cpu_count()} means other work shared the cores)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""``posturecam live``: coach from a webcam (or a clip played as one) in a window.

The loop always processes the newest frame (``sources`` keeps a one-slot
mailbox), runs the same ``Pipeline`` and overlay as ``analyze``, and streams
frames.csv / frames.jsonl into a session folder as it goes. However the
session ends (q/Esc, window closed, Ctrl+C, SIGTERM, camera unplugged, clip
over, --max-seconds), the ``finally`` writes summary.json and prints the
summary, so nothing measured is lost.

Pressing ``e`` switches exercise: the current exercise's coach is finished
(its summary printed right away, as a person expects after a set) and a new
coach starts on the same pose tracker, so the model is not reloaded and the
session's earlier records stay in summary.json as segments.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from posturecam import __version__
from posturecam.analysis import prepare_out_dir
from posturecam.crops import search_crops
from posturecam.errors import PosturecamError
from posturecam.exercises import EXERCISE_NAMES, get_exercise
from posturecam.exercises.engine import percentile
from posturecam.interrupts import stop_signals
from posturecam.orientation import SEARCH_ORDER
from posturecam.outputs import FrameWriter, write_json_atomic
from posturecam.overlay import (
    CENTER_COLOR,
    AngleAnnotator,
    CounterAnnotator,
    CueAnnotator,
    SkeletonAnnotator,
    StatusAnnotator,
    draw,
    text_box,
)
from posturecam.pipeline import FrameResult, Pipeline
from posturecam.sources import CameraSource, ClipSource, LatestFrameSource
from posturecam.speech import CoachAnnouncer, Speaker, make_speaker

WINDOW = "posturecam live"
HELP_TEXT = "q/Esc quit   space pause   e exercise   m mirror"
DEFAULT_SESSIONS_DIR = Path("posturecam-sessions")
KEY_QUIT = {ord("q"), ord("Q"), 27}
KEY_PAUSE = {ord(" ")}
KEY_EXERCISE = {ord("e"), ord("E")}
KEY_MIRROR = {ord("m"), ord("M")}


# -- display ---------------------------------------------------------------------------------------


def _xcb_can_connect(display: str) -> bool | None:
    """Try the X server the way Qt will. None when libxcb is not loadable (let Qt try)."""
    name = ctypes.util.find_library("xcb") or "libxcb.so.1"
    try:
        xcb = ctypes.CDLL(name)
    except OSError:
        return None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return xcb.xcb_connection_has_error(conn) == 0
    finally:
        xcb.xcb_disconnect(conn)


def require_display() -> None:
    """Fail with one line before Qt would abort the whole process on a missing display."""
    if not sys.platform.startswith("linux"):
        return
    display = os.environ.get("DISPLAY")
    hint = "run it in a desktop session (or use 'posturecam analyze' on a recorded clip)"
    if not display:
        raise PosturecamError(f"no display for the live window ($DISPLAY is not set); {hint}")
    if _xcb_can_connect(display) is False:
        raise PosturecamError(f"cannot open display {display} for the live window; {hint}")


class Window:
    """The OpenCV (Qt) window: show frames, read keys, notice when the person closes it."""

    def __init__(self, size: tuple[int, int]) -> None:
        require_display()
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
        try:
            cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise PosturecamError(f"cannot open the live window: {exc.msg.strip() or exc}") from None
        w, h = size
        if w and h:
            f = min(1.0, 1280 / w, 720 / h) if h > 720 else max(1.0, min(2.0, 720 / h))
            cv2.resizeWindow(WINDOW, int(w * f), int(h * f))
        self._shown = False

    def show_message(self, text: str, size: tuple[int, int]) -> None:
        """A dark placeholder while the model loads, so the window appears at once."""
        w, h = size if size[0] and size[1] else (640, 360)
        image = np.full((h, w, 3), 30, np.uint8)
        s = h / 720.0
        (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_DUPLEX, s, 1)
        text_box(image, text, ((w - tw) // 2, h // 2), s, CENTER_COLOR)
        self.show(image)
        self.poll_key(1)

    def show(self, image: np.ndarray) -> None:
        cv2.imshow(WINDOW, image)
        self._shown = True

    def poll_key(self, wait_ms: int = 1) -> int:
        """Pump the GUI (this is what actually paints) and return a key code or -1."""
        k = cv2.waitKey(wait_ms)
        return -1 if k < 0 else k & 0xFF

    @property
    def closed(self) -> bool:
        if not self._shown:
            return False
        try:
            return cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error:
            return True

    def close(self) -> None:
        try:
            cv2.destroyWindow(WINDOW)
            cv2.waitKey(1)
        except cv2.error:
            pass


class Headless:
    """Same loop without a window (benchmarks, tests); keys never arrive."""

    closed = False

    def show(self, image: np.ndarray) -> None:
        pass

    def poll_key(self, wait_ms: int = 1) -> int:
        if wait_ms > 1:
            time.sleep(wait_ms / 1000)
        return -1

    def close(self) -> None:
        pass


Display = Window | Headless


# -- overlay extras --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpAnnotator:
    """The key help, small, top right under the status line; plus a big PAUSED when paused."""

    paused: bool = False

    def annotate(self, image: np.ndarray, result: FrameResult, mirror: bool = False) -> None:
        scale = image.shape[0] / 720.0
        s = scale * 0.5
        (tw, _), _ = cv2.getTextSize(HELP_TEXT, cv2.FONT_HERSHEY_DUPLEX, s, 1)
        text_box(image, HELP_TEXT, (image.shape[1] - tw - int(30 * scale), int(48 * scale)), s, (190, 190, 190))
        if self.paused:
            label = "PAUSED  (space to resume)"
            s2 = scale * 1.2
            (pw, _), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_DUPLEX, s2, 2)
            text_box(image, label, ((image.shape[1] - pw) // 2, image.shape[0] // 3), s2, CENTER_COLOR)


# Built once: only the status line (fps, exercise) and the pause state change from frame to frame.
_SKELETON, _ANGLES, _COUNTER, _CUE = SkeletonAnnotator(), AngleAnnotator(), CounterAnnotator(), CueAnnotator()
_HELP = {False: HelpAnnotator(False), True: HelpAnnotator(True)}


def live_annotators(exercise: str, fps: float, paused: bool = False) -> tuple[object, ...]:
    extra = f"{fps:4.1f} fps  |  {exercise}"
    return (_SKELETON, _ANGLES, _COUNTER, StatusAnnotator(extra=extra), _HELP[paused], _CUE)


# -- session bookkeeping ---------------------------------------------------------------------------


@dataclass
class Segment:
    """One exercise within a session (a session has several when the person presses ``e``)."""

    exercise: str
    start_s: float | None = None
    end_s: float | None = None
    frames: int = 0
    frames_with_person: int = 0
    summary: dict[str, object] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


@dataclass
class LatencySample:
    wall_s: float  # seconds since the session started
    latency_s: float  # capture -> on screen
    process_s: float  # pipeline only (model + measures + coach)
    age_s: float = 0.0  # how old the frame already was when the loop picked it up
    detect_s: float = 0.0  # the pose model's share of process_s


@dataclass
class SessionResult:
    out_dir: Path
    summary: dict[str, object]
    lines: list[str]
    ended_by: str
    warning: str | None
    exit_code: int
    samples: list[LatencySample]


def new_session_dir(base: Path = DEFAULT_SESSIONS_DIR) -> Path:
    """``base/<YYYYmmdd-HHMMSS>``, with a suffix if two sessions start in the same second."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = base / stamp, 2
    while path.exists():
        path, n = base / f"{stamp}-{n}", n + 1
    return path


def prepare_session_dir(path: Path) -> Path:
    return prepare_out_dir(path, "session folder")


def next_exercise(name: str) -> str:
    i = EXERCISE_NAMES.index(name) if name in EXERCISE_NAMES else -1
    return EXERCISE_NAMES[(i + 1) % len(EXERCISE_NAMES)]


def combine_segments(segments: list[Segment]) -> dict[str, object]:
    """The coach part of summary.json: one segment -> exactly analyze's shape; several -> merged.

    Merged like the auto coach does: reps and holds tagged with their
    exercise, counts and cue episodes added up, each segment's own summary
    kept under ``exercises``.
    """
    if len(segments) == 1:
        return dict(segments[0].summary)
    reps: list[dict[str, object]] = []
    holds: list[dict[str, object]] = []
    cues: Counter[str] = Counter()
    count = {"left": 0, "right": 0, "total": 0}
    for seg in segments:
        s = seg.summary
        reps += [{**r, "exercise": seg.exercise} for r in s.get("reps", [])]  # type: ignore[union-attr]
        holds += [{**h, "exercise": seg.exercise} for h in s.get("holds", [])]  # type: ignore[union-attr]
        cues.update(s.get("cues", {}))  # type: ignore[arg-type]
        for k in count:
            count[k] += int(s.get("rep_count", {}).get(k, 0))  # type: ignore[union-attr]
    return {
        "exercise": "session",
        "title": "Live session",
        "segments": [{"exercise": s.exercise, "start_s": s.start_s, "end_s": s.end_s} for s in segments],
        "exercises": [dict(s.summary) for s in segments],
        "rep_count": count,
        "reps": reps,
        "holds": holds,
        "cues": dict(cues),
    }


# -- the loop --------------------------------------------------------------------------------------


class LiveSession:
    """Runs one live session: newest frame -> pipeline -> overlay -> window, with keys and records."""

    def __init__(
        self,
        source: LatestFrameSource,
        pipeline: Pipeline,
        out_dir: Path,
        *,
        exercise: str,
        display: Display,
        thresholds: Mapping[str, object] | None = None,
        mirror: bool = False,
        speaker: Speaker | None = None,
        max_seconds: float | None = None,
        source_label: str = "",
        echo: bool = True,
    ) -> None:
        self.source, self.pipe, self.out_dir, self.display = source, pipeline, out_dir, display
        self.thresholds = thresholds
        self.mirror = mirror
        self.announcer = CoachAnnouncer(speaker) if speaker is not None else None
        self.max_seconds = max_seconds
        self.source_label = source_label or source.name
        self.echo = echo
        self.segments = [Segment(exercise)]
        self.samples: list[LatencySample] = []
        self.frames = 0
        self.with_person = 0
        self.last_t: float | None = None
        self.paused = False
        self._fps = 0.0
        self._last_shown: float | None = None
        self._last_result: FrameResult | None = None
        self._stop: dict[str, str] = {}

    @property
    def exercise(self) -> str:
        return self.segments[-1].exercise

    def run(self) -> SessionResult:
        writer = FrameWriter(self.out_dir)
        t_start = time.perf_counter()
        self.source.start()
        try:
            with stop_signals(self._stop):
                self._loop(writer, t_start)
        except KeyboardInterrupt:  # second Ctrl+C
            self._stop.setdefault("reason", "sigint")
        finally:
            writer.close()
            self.source.close()
            self.display.close()
            result = self._finish(time.perf_counter() - t_start)
        return result

    def _loop(self, writer: FrameWriter, t_start: float) -> None:
        while "reason" not in self._stop:
            if self.max_seconds is not None and time.perf_counter() - t_start >= self.max_seconds:
                self._stop["reason"] = "max_seconds"
                break
            if self.paused:
                self._handle_key(self.display.poll_key(30))
                if self.display.closed:
                    self._stop.setdefault("reason", "window")
                continue
            item = self.source.read(timeout=0.05)
            if item is None:
                if self.source.ended:
                    self._stop.setdefault("reason", "source")
                    break
                self._handle_key(self.display.poll_key(1))
                if self.display.closed:
                    self._stop.setdefault("reason", "window")
                continue
            t0 = time.perf_counter()
            result = self.pipe.process(item.frame)
            t1 = time.perf_counter()
            image = self._render(result)
            self.display.show(image)
            key = self.display.poll_key(1)
            shown = time.perf_counter()
            # Bookkeeping after the picture is on screen: it does not change what is shown.
            writer.write(result)
            self._count(result)
            if self.announcer is not None:
                self.announcer.update(result.state)
            self.samples.append(
                LatencySample(shown - t_start, shown - item.captured_at, t1 - t0, t0 - item.captured_at,
                              result.detect_s)
            )
            self._tick_fps(shown)
            self._handle_key(key)
            if self.display.closed:
                self._stop.setdefault("reason", "window")

    def _count(self, r: FrameResult) -> None:
        seg = self.segments[-1]
        seg.start_s = r.time_s if seg.start_s is None else seg.start_s
        seg.end_s = r.time_s
        seg.frames += 1
        seg.frames_with_person += r.person
        self.frames += 1
        self.with_person += r.person
        self.last_t = r.time_s

    def _render(self, r: FrameResult) -> np.ndarray:
        self._last_result = r
        return draw(r, live_annotators(self.exercise, self._fps, self.paused), mirror=self.mirror)  # type: ignore[arg-type]

    def _tick_fps(self, now: float) -> None:
        if self._last_shown is not None:
            dt = now - self._last_shown
            if dt > 0:
                inst = 1.0 / dt
                self._fps = inst if self._fps == 0 else 0.9 * self._fps + 0.1 * inst
        self._last_shown = now

    # -- keys ------------------------------------------------------------------------------------

    def _handle_key(self, key: int) -> None:
        if key < 0:
            return
        if key in KEY_QUIT:
            self._stop.setdefault("reason", "key")
        elif key in KEY_PAUSE:
            self.set_paused(not self.paused)
        elif key in KEY_EXERCISE:
            self.switch_exercise(next_exercise(self.exercise))
        elif key in KEY_MIRROR:
            self.mirror = not self.mirror
            self._rerender()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.source.set_paused(paused)
        self._last_shown = None
        self._rerender()

    def _rerender(self) -> None:
        if self._last_result is not None:
            self.display.show(self._render(self._last_result))

    def switch_exercise(self, name: str) -> None:
        """Finish the current exercise (summary printed now) and coach ``name`` from here on."""
        seg = self.segments[-1]
        self._close_segment(seg)
        if self.echo and seg.frames_with_person:
            print(f"[{seg.exercise} done]")
            for line in seg.lines:
                print(f"  {line}")
        if not seg.frames_with_person:
            self.segments.pop()  # flicking through exercises leaves no empty records
        self.pipe.coach = get_exercise(name, self.thresholds)
        self.segments.append(Segment(name))
        if self.announcer is not None:
            self.announcer.reset()
            # Said aloud, "none" would puzzle anyone; say what the mode does.
            spoken = {"auto": "automatic mode", "none": "measuring only"}.get(name, name)
            self.announcer.speaker.say(spoken, key=f"ex.{name}")
        if self.echo:
            print(f"exercise: {name}")
        self._rerender()

    def _close_segment(self, seg: Segment) -> None:
        if not seg.summary:
            seg.summary = self.pipe.finish(seg.end_s)
            seg.lines = self.pipe.coach.summary_lines()

    # -- end -------------------------------------------------------------------------------------

    def _finish(self, wall_s: float) -> SessionResult:
        seg = self.segments[-1]
        self._close_segment(seg)
        kept = [s for s in self.segments if s.frames_with_person] or [seg]
        ended_by = self._stop.get("reason", "source")
        warning = self.source.end_reason
        lat = [s.latency_s for s in self.samples]
        src_w, src_h = self.source.size
        clip = getattr(getattr(self.source, "reader", None), "path", None)
        truncated = bool(getattr(self.source, "truncated", False))
        first_t = kept[0].start_s or 0.0
        tracking = self.pipe.tracking_json(self.with_person)
        summary: dict[str, object] = {
            **combine_segments(kept),
            "mode": "live",
            "source": self.source_label,
            "clip": str(clip) if clip is not None else None,
            "frames": self.frames,
            "frames_with_person": self.with_person,
            "frames_captured": self.source.frames_captured,
            "frames_dropped": self.source.frames_dropped,
            "fps": round(self.frames / wall_s, 3) if wall_s > 0 else 0.0,
            "duration_s": round((self.last_t or 0.0) - first_t, 3) if self.last_t is not None else 0.0,
            "wall_time_s": round(wall_s, 3),
            "width": src_w,
            "height": src_h,
            "model": {"name": self.pipe.model.name, "sha256": self.pipe.model.sha256},
            **tracking,
            "knees_on_outline": self.pipe.limbs is not None,
            "every_other_frame_mirrored": self.pipe.detector.mirrored_frames > 0,
            "posturecam_version": __version__,
            "interrupted": ended_by in ("sigint", "sigterm"),
            "ended_by": ended_by,
            "truncated": truncated,
            "warning": warning,
            "latency_ms": {
                "median": round(percentile(lat, 50) * 1000, 1),
                "p95": round(percentile(lat, 95) * 1000, 1),
            }
            if lat
            else None,
        }
        lines: list[str] = []
        for s in kept:
            if len(kept) > 1:
                lines.append(f"[{s.exercise}]")
            lines += s.lines
        if self.frames and not self.with_person:
            lines.insert(0, "Nobody was seen during this session.")
        lines += [str(block["note"]) for block in tracking.values() if block["note"]]
        write_json_atomic(self.out_dir / "summary.json", summary)
        failed = self.source.error and self.frames == 0
        code = 1 if failed else 130 if ended_by == "sigint" else 143 if ended_by == "sigterm" else 0
        return SessionResult(self.out_dir, summary, lines, ended_by, warning, code, self.samples)


def warm_up(pipe: Pipeline, size: tuple[int, int]) -> None:
    """Create every landmarker the detector may use before the clock starts.

    MediaPipe builds each landmarker lazily, taking ~0.2 s each; in live
    mode that stall would happen on the first frame (and again the first
    time nobody is in view and a turned frame or a crop is tried), dropping
    a second of movement each time, enough to miss a rep.
    """
    w, h = size if size[0] and size[1] else (640, 360)
    blank = np.zeros((h, w, 3), np.uint8)
    rotations = {0, *SEARCH_ORDER} if pipe.detector.enabled else {0}
    for rot in sorted(rotations):
        pipe.detector.estimator.detect(blank, 0, rot)
    if pipe.detector.enabled:
        pipe.detector.estimator.detect(blank, 0, 0, crop=search_crops(w, h)[0])


# -- entry point -----------------------------------------------------------------------------------


def open_source(camera: int | None, clip: str | None) -> tuple[LatestFrameSource, str]:
    if clip is not None:
        src = ClipSource(clip)
        return src, f"clip {src.reader.path}"
    cam = CameraSource(camera)
    return cam, f"camera {cam.name}"


def run_live(args: argparse.Namespace, thresholds: dict | None = None) -> int:
    """The ``posturecam live`` command; returns the exit code."""
    if args.max_seconds is not None and args.max_seconds <= 0:
        raise PosturecamError("--max-seconds must be positive")
    source, label = open_source(args.camera, args.source)
    speaker: Speaker | None = None
    pipe: Pipeline | None = None
    try:
        require_display()  # before loading the model: fail fast on a headless machine
        out_dir = prepare_session_dir(Path(args.out) if args.out else new_session_dir())
        # Off unless asked for: the segmentation mask costs the model about 9 ms of CPU a frame,
        # which live mode spends on frame rate instead (its cues have wide bands; analyze is for figures).
        outline = bool(args.outline)
        pipe = Pipeline.create(args.exercise, model=args.model, thresholds=thresholds, outline=outline)
        display = Window(source.size)
        display.show_message("Loading the pose model...", source.size)
        warm_up(pipe, source.size)
        speaker = make_speaker(args.speak)
        print(f"posturecam live: {label}, exercise {args.exercise}; session folder {out_dir}")
        print(f"keys: {HELP_TEXT}")
        session = LiveSession(
            source,
            pipe,
            out_dir,
            exercise=args.exercise,
            display=display,
            thresholds=thresholds,
            mirror=args.mirror,
            speaker=speaker,
            max_seconds=args.max_seconds,
            source_label=label,
        )
        result = session.run()
    finally:
        source.close()
        if speaker is not None:
            speaker.close()
        if pipe is not None:
            pipe.close()
    report(result)
    return result.exit_code


def report(result: SessionResult) -> None:
    if result.warning:
        print(f"warning: {result.warning}")
    how = {
        "key": "",
        "window": " (window closed)",
        "source": " (the video ended)",
        "max_seconds": " (time limit)",
        "sigint": " (interrupted)",
        "sigterm": " (terminated)",
    }.get(result.ended_by, "")
    print(f"session saved{how} -> {result.out_dir}")
    for line in result.lines:
        print(f"  {line}")

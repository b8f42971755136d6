"""Live frame sources: a webcam, or a recorded clip played as if it were one.

Both run a capture thread that keeps only the newest frame in a one-slot
mailbox. The consumer always gets the most recent picture, and a frame the
consumer was too slow for is simply overwritten (counted as dropped). A
queue would let latency grow without bound whenever processing is slower
than the camera; a single slot keeps it at one frame at most.

A clip is played at its real speed using its own timestamps, so ``live
--source CLIP`` behaves like a camera pointed at the scene (and can be
tested without a webcam).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posturecam.errors import PosturecamError
from posturecam.video import Frame, VideoReader

# Cameras tried when no --camera index is given.
DEFAULT_CAMERA_INDICES = (0, 1, 2, 3)
# A camera that gives no picture for this long after opening is treated as busy/broken.
CAMERA_FIRST_FRAME_TIMEOUT_S = 3.0
# Consecutive failed reads after which a camera counts as unplugged.
CAMERA_MAX_FAILED_READS = 30
# read(fresh=True): a frame older than this fraction of the frame interval is traded for the
# next one (break-even is exactly one half: waiting (interval - age) to gain age in freshness).
FRESH_AGE_FRACTION = 0.5
# Extra wait beyond the expected arrival, for capture jitter.
FRESH_WAIT_SLACK_S = 0.004


@dataclass(frozen=True)
class Captured:
    """A frame plus when it was captured (``time.perf_counter``), for measuring latency."""

    frame: Frame
    captured_at: float


class LatestFrameSource:
    """Base class: a capture thread feeding a one-slot mailbox of the newest frame.

    Subclasses implement ``_frames()`` (a generator run on the thread) and set
    ``name``. After the source ends, ``end_reason`` is None for a normal end
    (the clip finished) or a one-line explanation (camera unplugged, clip
    truncated), and ``error`` is True when the end was a failure.
    """

    name: str = "source"

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._slot: Captured | None = None
        self._stop = threading.Event()
        self._ended = False
        self._paused = False
        self.end_reason: str | None = None
        self.error = False
        self.frames_captured = 0
        self.frames_dropped = 0
        self.frames_skipped_for_freshness = 0  # read, then traded for the next one (see ``read``)
        self._interval_s: float | None = None
        self._last_arrival: float | None = None
        self.size: tuple[int, int] = (0, 0)  # width, height of the frames delivered
        self._thread: threading.Thread | None = None

    # -- subclass hooks -------------------------------------------------------------------------

    def _frames(self) -> Iterator[Frame]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _release(self) -> None:
        """Free the device or file (called on the capture thread when it ends)."""

    # -- public API ------------------------------------------------------------------------------

    def start(self) -> LatestFrameSource:
        self._thread = threading.Thread(target=self._run, name=f"posturecam-capture-{self.name}", daemon=True)
        self._thread.start()
        return self

    def read(self, timeout: float = 0.1, *, fresh: bool = True) -> Captured | None:
        """The newest frame not yet read; waits up to ``timeout``. None if none arrived (or ended).

        With ``fresh``, a frame already older than half the frame interval is
        traded for the next one, which is due sooner than that age: the picture
        shown is then younger by more than the wait costs. This locks a loop
        that is slightly faster than the camera to the camera's own rhythm
        instead of drifting against it (which made p95 latency one frame worse).
        """
        with self._cond:
            if self._slot is None and not self._ended:
                self._cond.wait(timeout)
            item, self._slot = self._slot, None
            interval = self.frame_interval_s
            if fresh and item is not None and interval is not None and not self._ended:
                due = item.captured_at + interval
                if time.perf_counter() - item.captured_at > interval * FRESH_AGE_FRACTION:
                    self._cond.wait_for(lambda: self._slot is not None or self._ended,
                                        timeout=max(0.0, due - time.perf_counter()) + FRESH_WAIT_SLACK_S)
                    if self._slot is not None:
                        item, self._slot = self._slot, None
                        self.frames_skipped_for_freshness += 1
                        self.frames_dropped += 1
            return item

    @property
    def frame_interval_s(self) -> float | None:
        """Typical time between frames (smoothed over recent arrivals), once a few have arrived."""
        return self._interval_s if self.frames_captured >= 3 else None

    @property
    def ended(self) -> bool:
        """True once the source has no more frames and the last one was read."""
        with self._cond:
            return self._ended and self._slot is None

    def set_paused(self, paused: bool) -> None:
        """Pause delivery. A camera keeps running (the world does not stop); a clip stops its clock."""
        self._paused = paused

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is None:
            self._release()  # never started: the device is still ours to free
        elif self._thread is not threading.current_thread():
            self._thread.join(timeout=3.0)

    def __enter__(self) -> LatestFrameSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- thread ----------------------------------------------------------------------------------

    def _publish(self, frame: Frame) -> None:
        item = Captured(frame, time.perf_counter())
        with self._cond:
            if self._last_arrival is not None:
                dt = item.captured_at - self._last_arrival
                self._interval_s = dt if self._interval_s is None else 0.9 * self._interval_s + 0.1 * dt
            self._last_arrival = item.captured_at
            if self._slot is not None:
                self.frames_dropped += 1
            self._slot = item
            self.frames_captured += 1
            self._cond.notify_all()

    def _run(self) -> None:
        try:
            for frame in self._frames():
                if self._stop.is_set():
                    break
                self._publish(frame)
        except Exception as exc:  # a failing device or decoder ends the session, it does not crash it
            self.end_reason, self.error = f"{self.name} failed: {exc}", True
        finally:
            try:
                self._release()
            finally:
                with self._cond:
                    self._ended = True
                    self._cond.notify_all()


class ClipSource(LatestFrameSource):
    """A recorded clip played in real time (by its own timestamps), like a camera.

    ``speed`` > 1 plays faster (tests); ``realtime=False`` hands over frames
    as fast as they decode (still newest-frame-wins).
    """

    def __init__(self, path: str | Path, *, speed: float = 1.0, realtime: bool = True, loop: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.loop = loop  # play again from the start (long benchmark runs); time keeps increasing
        self.reader = VideoReader(path)  # raises PosturecamError for missing / unreadable files
        self.name = self.reader.path.name
        self.speed = speed
        self.realtime = realtime
        self.size = (self.reader.info.width, self.reader.info.height)
        self.truncated = False
        self._start = 0.0

    def _frames(self) -> Iterator[Frame]:
        offset, index = 0.0, 0
        while True:
            last = 0.0
            for frame in self._play(self.reader, offset):
                last = frame.time_s
                yield Frame(index, frame.time_s, frame.image)
                index += 1
            if self._stop.is_set():
                return  # stopped by the session (quit, time limit): not the clip's fault
            if not self.loop or self.reader.frames_read == 0:
                break
            offset = last + 1.0 / self.reader.info.fps
            self.reader.close()
            self.reader = VideoReader(self.path)
        self.truncated = self.reader.truncated  # only meaningful once decoding has stopped
        self.end_reason = self.reader.describe_end()
        self.error = self.reader.frames_read == 0

    def _play(self, reader: VideoReader, offset: float) -> Iterator[Frame]:
        """Frames of one pass, released at ``offset + their time`` after the start (real speed)."""
        if offset == 0.0:
            self._start = time.perf_counter()
        paused_at: float | None = None
        for f in reader:
            frame = Frame(f.index, f.time_s + offset, f.image)
            if self.realtime:
                while not self._stop.is_set():
                    now = time.perf_counter()
                    if self._paused:
                        paused_at = paused_at if paused_at is not None else now
                        self._stop.wait(0.02)
                        continue
                    if paused_at is not None:  # resume where we paused: shift the clock
                        self._start += now - paused_at
                        paused_at = None
                    wait = self._start + frame.time_s / self.speed - now
                    if wait <= 0:
                        break
                    self._stop.wait(min(wait, 0.05))
            if self._stop.is_set():
                return
            yield frame

    def _release(self) -> None:
        self.reader.close()


def _camera_backend() -> int:
    """V4L2 on Linux (the default GStreamer/FFmpeg probing is slow and often picks the wrong device)."""
    if sys.platform.startswith("linux"):
        return cv2.CAP_V4L2
    if sys.platform == "darwin":
        return cv2.CAP_AVFOUNDATION
    if sys.platform == "win32":
        return cv2.CAP_DSHOW
    return cv2.CAP_ANY


def camera_label(index: int) -> str:
    return f"/dev/video{index}" if sys.platform.startswith("linux") else f"camera {index}"


def _tried(indices: tuple[int, ...]) -> str:
    if len(indices) == 1:
        return camera_label(indices[0])
    contiguous = list(indices) == list(range(indices[0], indices[-1] + 1))
    if contiguous and sys.platform.startswith("linux"):
        return f"/dev/video{indices[0]}-{indices[-1]}"
    return ", ".join(camera_label(i) for i in indices)


class CameraSource(LatestFrameSource):
    """A webcam. Timestamps are seconds since the session started (monotonic clock)."""

    def __init__(self, index: int | None = None, *, width: int = 1280, height: int = 720) -> None:
        super().__init__()
        indices = (index,) if index is not None else DEFAULT_CAMERA_INDICES
        self.cap, self.index, first = _open_camera(indices, width, height)
        self.name = camera_label(self.index)
        self._first = first
        self.size = (first.shape[1], first.shape[0])

    def _frames(self) -> Iterator[Frame]:
        t0 = time.perf_counter()
        yield Frame(0, 0.0, self._first)
        n, failed = 1, 0
        while not self._stop.is_set():
            ok, image = self.cap.read()
            if not ok or image is None:
                failed += 1
                if failed >= CAMERA_MAX_FAILED_READS:
                    self.end_reason = f"{self.name} stopped giving pictures (unplugged?)"
                    self.error = True
                    return
                time.sleep(0.01)
                continue
            failed = 0
            if self._paused:
                continue  # keep draining the driver's buffer so resuming shows the present
            yield Frame(n, time.perf_counter() - t0, image)
            n += 1

    def _release(self) -> None:
        self.cap.release()


@contextmanager
def _quiet_opencv() -> Iterator[None]:
    """OpenCV warns on stderr for every index that is not a camera; we say it once, plainly."""
    log = getattr(getattr(cv2, "utils", None), "logging", None)
    if log is None:
        yield
        return
    old = log.getLogLevel()
    log.setLogLevel(log.LOG_LEVEL_ERROR)
    try:
        yield
    finally:
        log.setLogLevel(old)


def _open_camera(indices: tuple[int, ...], width: int, height: int) -> tuple[cv2.VideoCapture, int, np.ndarray]:
    """Open the first camera that actually gives a picture; one clear error if none does."""
    busy: list[int] = []
    for i in indices:
        if sys.platform.startswith("linux") and not Path(f"/dev/video{i}").exists():
            continue
        with _quiet_opencv():
            cap = cv2.VideoCapture(i, _camera_backend())
        if not cap.isOpened():
            cap.release()
            continue
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # fewer stale frames queued in the driver
        deadline = time.perf_counter() + CAMERA_FIRST_FRAME_TIMEOUT_S
        while time.perf_counter() < deadline:
            ok, image = cap.read()
            if ok and image is not None:
                return cap, i, image
            time.sleep(0.05)
        cap.release()
        busy.append(i)
    hint = "use --source CLIP to try posturecam with a recorded clip"
    if busy:
        names = ", ".join(camera_label(i) for i in busy)
        raise PosturecamError(f"camera {names} opened but gave no picture (busy in another app?); {hint}")
    raise PosturecamError(f"no camera found (tried {_tried(indices)}); {hint}")

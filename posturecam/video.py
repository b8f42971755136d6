"""Reading clips: frames with the container's own timing, honest about damage.

Timestamps come from the container (not index / nominal fps) because phone
clips have variable frame rates, and MediaPipe's VIDEO mode needs strictly
increasing times. Rotation metadata (phones record portrait clips as
landscape plus a rotation tag) is applied by OpenCV's FFmpeg backend; we ask
for it explicitly. A clip whose header promises more frames than decode is
reported as truncated, with where it broke.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np

from posturecam.errors import PosturecamError

T = TypeVar("T")


@dataclass(frozen=True)
class Frame:
    index: int
    time_s: float
    image: np.ndarray  # BGR, upright (rotation metadata applied)


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    width: int
    height: int
    fps: float
    frame_count: int  # as claimed by the header; 0 if unknown
    rotation_deg: int


class VideoReader:
    """Iterate a clip's frames. ``frames_read`` and ``truncated`` are valid after iteration."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise PosturecamError(f"file not found: {self.path}")
        if self.path.is_dir():
            raise PosturecamError(f"{self.path} is a folder, not a video file")
        if not os.access(self.path, os.R_OK):
            raise PosturecamError(f"cannot read {self.path} (permission denied)")
        cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            raise PosturecamError(f"{self.path} is not a video posturecam can read")
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        self._cap = cap
        # With auto-orientation on, OpenCV already reports the upright size: swapping
        # width and height again for a rotated clip would describe it on its side.
        # The first decoded frame has the last word (see ``__iter__``).
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        rot = int(cap.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        if not (0.5 < fps < 1000):
            fps = 30.0
        self.info = VideoInfo(self.path, w, h, fps, max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT))), rot)
        self.frames_read = 0
        self.last_time_s = 0.0

    @property
    def truncated(self) -> bool:
        """The header promised clearly more frames than could be decoded."""
        n = self.info.frame_count
        return n > 0 and self.frames_read < n - max(2, int(0.02 * n))

    def describe_end(self) -> str | None:
        """One line saying where a damaged clip stopped decoding, else None."""
        if self.frames_read == 0:
            return f"{self.path.name}: no frame could be decoded"
        if self.truncated:
            return (
                f"{self.path.name} is truncated: decoded {self.frames_read} of the {self.info.frame_count} "
                f"frames its header promises; analysed up to {self.last_time_s:.2f} s"
            )
        return None

    def __iter__(self) -> Iterator[Frame]:
        cap, fps = self._cap, self.info.fps
        prev_t = -1.0
        while True:
            ok, image = cap.read()
            if not ok or image is None:
                break
            pos_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
            t = pos_ms / 1000.0 if pos_ms > 0 or self.frames_read == 0 else self.frames_read / fps
            if t <= prev_t:  # broken or missing timestamps: fall back to nominal spacing
                t = prev_t + 1.0 / fps
            prev_t = t
            if self.frames_read == 0 and image.shape[1::-1] != (self.info.width, self.info.height):
                h, w = image.shape[:2]
                self.info = replace(self.info, width=w, height=h)
            yield Frame(self.frames_read, t, image)
            self.frames_read += 1
            self.last_time_s = t

    def close(self) -> None:
        self._cap.release()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_END = object()


def prefetch(items: Iterator[T], depth: int = 4, *, name: str = "posturecam-decode",
             join_timeout_s: float | None = 2.0) -> Iterator[T]:
    """``items`` produced ahead on a thread of their own, handed over in order.

    Decoding (OpenCV) and the pose model (MediaPipe) release the GIL in their native code, so
    producing the next items overlaps whatever the consumer does with this one. Exceptions in
    the producer are re-raised in the consumer. When the consumer stops early, the producer
    stops at its next item and ``items`` is closed on its own thread. ``join_timeout_s=None``
    waits for that however long it takes: needed where the producer uses something the
    consumer closes next (the pose model); 2 s is plenty for a decoder, which nothing closes.
    """
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        """Hand ``item`` over unless the consumer has stopped (then a full queue never drains)."""
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for f in items:
                if not put(f):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer
            put(exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator chain (decode -> model) shuts down here, not at garbage collection

    t = threading.Thread(target=run, name=name, daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        t.join(timeout=join_timeout_s)

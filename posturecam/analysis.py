"""Offline analysis of one recorded clip: the Python API behind ``posturecam analyze``.

Outputs are written as frames are processed (CSV rows, JSON lines, video),
and the summary is written in a ``finally`` block, so Ctrl+C or a clip that
breaks half-way still leaves everything measured so far on disk.

Four stages run side by side so that the pose model, which costs far more
than everything else, never waits: a thread decodes ahead (``prefetch``),
a thread runs the model (``Pipeline.detections_ahead``), the calling thread runs the rest
of the pipeline, and an output thread writes rows, draws the overlay and
encodes the annotated video. OpenCV and MediaPipe
release the GIL in their native code, so threads overlap without the cost
of copying 2.7 MB frames between processes. Queues between the stages are
short and bounded, so memory stays flat however long the clip is.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from posturecam import __version__
from posturecam.errors import PosturecamError
from posturecam.exercises import DEFINITIONS
from posturecam.interrupts import stop_signals
from posturecam.outputs import FrameWriter, write_json_atomic
from posturecam.overlay import draw
from posturecam.pipeline import FrameResult, Pipeline
from posturecam.video import VideoReader, prefetch

ProgressFn = Callable[[int], None]

# Frames waiting between inference and output. A few absorb jitter in the
# encoder; more would only hold memory (each 720p frame is 2.7 MB).
OUTPUT_QUEUE_DEPTH = 4


@dataclass
class AnalysisResult:
    """What an analysis produced; ``summary`` is what summary.json holds."""

    clip: Path
    out_dir: Path
    summary: dict[str, object]
    lines: list[str] = field(default_factory=list)
    warning: str | None = None
    interrupted: bool = False
    stopped_by: str | None = None  # "sigint" (Ctrl+C) or "sigterm" when interrupted: the exit code says which


def prepare_out_dir(out_dir: str | os.PathLike[str], what: str = "output folder") -> Path:
    """Create the folder results go into, failing early with one line if it cannot be written."""
    path = Path(out_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PosturecamError(f"cannot create {what} {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK):
        raise PosturecamError(f"cannot write to {what} {path} (permission denied)")
    return path


class AnnotatedVideoWriter:
    """The annotated clip, opened lazily on the first frame (size known then).

    The overlay is drawn straight onto the result's own frame: the frame was
    decoded for this analysis alone and is not used after it is written, so
    a 2.7 MB copy per frame would buy nothing.
    """

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self._w: cv2.VideoWriter | None = None

    def write(self, result: FrameResult) -> None:
        img = draw(result, image=result.image)
        if self._w is None:
            h, w = img.shape[:2]
            self._w = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
            if not self._w.isOpened():
                raise PosturecamError(f"cannot write video {self.path}")
        self._w.write(img)

    def close(self) -> None:
        if self._w is not None:
            self._w.release()
            self._w = None


class AnnotatedStillWriter:
    """A photo's annotated copy, as a picture: a one-frame video is no use to a physiotherapist."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, result: FrameResult) -> None:
        if not cv2.imwrite(str(self.path), draw(result, image=result.image)):
            raise PosturecamError(f"cannot write image {self.path}")

    def close(self) -> None:
        pass


AnnotatedWriter = AnnotatedVideoWriter | AnnotatedStillWriter


def still_thresholds(user: dict[str, dict[str, float]] | None) -> dict[str, dict[str, float]]:
    """Thresholds for a photo: a fault is judged in its one frame, not only once it has lasted.

    In a clip a cue waits for a fault to persist (``cue_on_s``, 1 s for standing
    posture) so that noise never nags; a photo has no time, and waiting would
    report "no form cues needed" for a head held 22 degrees forward. The
    person's own settings still win.
    """
    out = {name: dict(v) for name, v in (user or {}).items()}
    for name in DEFINITIONS:
        out[name] = {"cue_on_s": 0.0, **out.get(name, {})}
    out["auto"] = {"recognise_s": 0.0, **out.get("auto", {})}  # which exercise, from the one frame
    return out

# Inputs that are photos, not clips (OpenCV reads them as one-frame videos).
STILL_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})

_STOP = object()


@dataclass
class WrittenTally:
    """What the output stage has written, for the summary.

    Why counted by the writer, not the caller: Ctrl+C can land between
    handing a frame over and counting it, and the summary must describe
    exactly the rows on disk.
    """

    frames: int = 0
    with_person: int = 0
    last_t: float = 0.0
    last: FrameResult | None = None

    def add(self, result: FrameResult) -> None:
        self.frames += 1
        self.with_person += result.person
        self.last_t = result.time_s
        self.last = result


class OutputStage:
    """Writes rows and the annotated video on a thread of its own, in frame order.

    Why a thread: drawing and encoding a 720p frame costs several
    milliseconds, mostly in OpenCV code that releases the GIL, so it runs on
    the second core while the model works on the next frame. An error here
    (disk full, say) is re-raised in the caller at the next ``put`` or at
    ``close``; frames already handed over are still written on Ctrl+C.
    """

    def __init__(self, rows: FrameWriter, video: AnnotatedWriter | None, depth: int = OUTPUT_QUEUE_DEPTH) -> None:
        self._rows, self._video = rows, video
        self._q: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self.written = WrittenTally()
        self._thread = threading.Thread(target=self._run, name="posturecam-output", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is _STOP:
                return
            if self._error is not None:
                continue  # keep draining so the producer never blocks on a dead consumer
            try:
                self._rows.write(item)  # type: ignore[arg-type]
                self.written.add(item)  # type: ignore[arg-type]
                if self._video is not None:
                    self._video.write(item)  # type: ignore[arg-type]
            except BaseException as exc:  # handed to the producer
                self._error = exc

    def _raise_error(self) -> None:
        if self._error is not None:
            exc, self._error = self._error, None
            raise exc

    def put(self, result: FrameResult) -> None:
        self._raise_error()
        self._q.put(result)

    def close(self) -> None:
        """Write everything queued, close the files, and raise any error the thread met."""
        if self._thread.is_alive():
            self._q.put(_STOP)
            self._thread.join()
        self._rows.close()
        if self._video is not None:
            self._video.close()
        self._raise_error()


def analyze_clip(
    clip: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    exercise: str = "none",
    *,
    video: bool = True,
    model: str | None = None,
    thresholds: dict[str, dict[str, float]] | None = None,
    landmarks: bool = True,
    progress: ProgressFn | None = None,
    pipeline: Pipeline | None = None,
    outline: bool | None = None,
) -> AnalysisResult:
    """Analyse a clip and write frames.csv, frames.jsonl, summary.json and annotated.mp4 into ``out_dir``.

    A photo (``STILL_SUFFIXES``) is analysed as a one-frame clip and annotated as ``annotated.png``.
    ``outline`` is ``Pipeline.create``'s: knees placed on the body's outline (default: for the
    exercises where that was measured to help).
    """
    reader = VideoReader(clip)
    still = Path(clip).suffix.lower() in STILL_SUFFIXES
    try:
        out = prepare_out_dir(out_dir)
        pipe = pipeline or Pipeline.create(
            exercise, model=model, thresholds=still_thresholds(thresholds) if still else thresholds, lookahead=True,
            outline=outline,
        )
    except BaseException:
        reader.close()
        raise
    vid: AnnotatedWriter | None = None
    if video:
        vid = AnnotatedStillWriter(out / "annotated.png") if still else AnnotatedVideoWriter(
            out / "annotated.mp4", reader.info.fps)
    sink = OutputStage(FrameWriter(out, landmarks=landmarks), vid)
    interrupted = False

    def write(results: list[FrameResult]) -> None:
        for r in results:
            sink.put(r)

    stop: dict[str, str] = {}
    try:
        try:
            # The detections are closed on leaving, so the model's and the decoder's threads
            # have stopped before the reader and the model are closed below.
            with stop_signals(stop), pipe.detections_ahead(prefetch(iter(reader))) as detections:
                for detection in detections:
                    write(pipe.feed_detection(detection))
                    if progress is not None:
                        progress(1)
                    if stop:  # Ctrl+C or SIGTERM, taken between frames
                        interrupted = True
                        break
        except KeyboardInterrupt:  # a second Ctrl+C, or a batch worker told to stop
            interrupted = True
            stop.setdefault("reason", "sigint")
        # Frames already through the model but waiting for later ones (a fraction of
        # a second) are finished with what there is, also after Ctrl+C.
        write(pipe.drain())
    finally:
        try:
            sink.close()
        finally:
            reader.close()
            done = sink.written
            frames, with_person, last_t, r = done.frames, done.with_person, done.last_t, done.last
            coach_summary = pipe.finish(last_t)
            tracking = pipe.tracking_json(with_person)
            # A photo's faults are listed below instead of "most frequent cue", meaningless for one frame.
            lines = pipe.coach.summary_lines(with_cue_line=not still)
            if pipeline is None:
                pipe.close()
    warning = reader.describe_end()
    info = reader.info
    duration = frames / info.fps if frames and not last_t else last_t + (1.0 / info.fps if frames else 0.0)
    summary: dict[str, object] = {
        **coach_summary,
        "clip": str(info.path),
        "frames": frames,
        "frames_with_person": with_person,
        "fps": round(info.fps, 3),
        "duration_s": round(duration, 3),
        "width": info.width,
        "height": info.height,
        "model": {"name": pipe.model.name, "sha256": pipe.model.sha256},
        **tracking,
        "knees_on_outline": pipe.limbs is not None,
        "every_other_frame_mirrored": pipe.detector.mirrored_frames > 0,
        "posturecam_version": __version__,
        "interrupted": interrupted,
        "truncated": reader.truncated,
        "warning": warning,
    }
    if frames and not with_person:
        lines.insert(0, "Nobody was found in this clip." if not still else "Nobody was found in this photo.")
    elif still and r is not None:
        faults = [c for c in r.state.active_cues if c in pipe.coach.cues and pipe.coach.cues[c].fault]
        summary["photo_faults"] = faults
        texts = "; ".join(pipe.coach.cues[c].text for c in faults)
        lines.append(f"In this photo: {texts}" if faults else "In this photo: no form faults")
    lines += [str(block["note"]) for block in tracking.values() if block["note"]]
    write_json_atomic(out / "summary.json", summary)
    return AnalysisResult(Path(clip), out, summary, lines, warning, interrupted,
                          stop.get("reason") if interrupted else None)

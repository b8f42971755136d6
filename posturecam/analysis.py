"""Offline analysis of one recorded clip: the Python API behind ``posturecam analyze``.

Outputs are written as frames are processed (CSV rows, JSON lines, video),
and the summary is written in a ``finally`` block, so Ctrl+C or a clip that
breaks half-way still leaves everything measured so far on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from posturecam import __version__
from posturecam.errors import PosturecamError
from posturecam.outputs import FrameWriter, write_json_atomic
from posturecam.overlay import draw
from posturecam.pipeline import FrameResult, Pipeline
from posturecam.video import VideoReader, prefetch

ProgressFn = Callable[[int], None]


@dataclass
class AnalysisResult:
    """What an analysis produced; ``summary`` is what summary.json holds."""

    clip: Path
    out_dir: Path
    summary: dict[str, object]
    lines: list[str] = field(default_factory=list)
    warning: str | None = None
    interrupted: bool = False


def prepare_out_dir(out_dir: str | os.PathLike[str]) -> Path:
    path = Path(out_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PosturecamError(f"cannot create output folder {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK):
        raise PosturecamError(f"cannot write to output folder {path} (permission denied)")
    return path


class AnnotatedVideoWriter:
    """The annotated clip, opened lazily on the first frame (size known then)."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self._w: cv2.VideoWriter | None = None

    def write(self, result: FrameResult) -> None:
        img = draw(result)
        if self._w is None:
            h, w = img.shape[:2]
            self._w = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h))
            if not self._w.isOpened():
                raise PosturecamError(f"cannot write video {self.path}")
        self._w.write(img)

    def close(self) -> None:
        if self._w is not None:
            self._w.release()


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
) -> AnalysisResult:
    """Analyse a clip and write frames.csv, frames.jsonl, summary.json and annotated.mp4 into ``out_dir``."""
    reader = VideoReader(clip)
    out = prepare_out_dir(out_dir)
    pipe = pipeline or Pipeline.create(exercise, model=model, thresholds=thresholds)
    writer = FrameWriter(out, landmarks=landmarks)
    vid = AnnotatedVideoWriter(out / "annotated.mp4", reader.info.fps) if video else None
    frames = with_person = 0
    last_t = 0.0
    interrupted = False
    try:
        for frame in prefetch(iter(reader)):
            r = pipe.process(frame)
            writer.write(r)
            if vid is not None:
                vid.write(r)
            frames += 1
            with_person += r.person
            last_t = frame.time_s
            if progress is not None:
                progress(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        writer.close()
        if vid is not None:
            vid.close()
        reader.close()
        coach_summary = pipe.finish(last_t)
        lines = pipe.coach.summary_lines()
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
        "posturecam_version": __version__,
        "interrupted": interrupted,
        "truncated": reader.truncated,
        "warning": warning,
    }
    if frames and not with_person:
        lines.insert(0, "Nobody was found in this clip.")
    write_json_atomic(out / "summary.json", summary)
    return AnalysisResult(Path(clip), out, summary, lines, warning, interrupted)

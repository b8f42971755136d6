"""Score the whole pipeline on rendered clips: leg labels and angles against the truth.

A measuring tool for tests and experiments, not part of the pipeline. Each
clip runs through ``Pipeline`` exactly as a user's would (``VideoReader``
frames into ``Pipeline.process``); a recording leg resolver keeps the
model's raw labels too, so one pass gives both "raw" and "resolved" label
correctness. Angles are compared only in frames where both the truth and the
measure are defined.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from posturecam.landmarks import L, Side
from posturecam.measures import Measures, measure, view_of
from posturecam.pose import Pose
from posturecam.sides import LegLabelStats, LegResolver
from posturecam.synthetic.truth import Truth

SIDE_ANGLES = ("left_knee_deg", "right_knee_deg", "left_hip_deg", "right_hip_deg")
# Knees closer than this (fraction of the truth's leg length) overlap on screen:
# a label cannot be judged right or wrong there.
AMBIGUOUS_KNEE_SEPARATION = 0.12
# The joints an angle needs in view, beyond the hip: a far hip is always behind the pelvis in a
# side view (its angle is measured from the hips' centre), but a far knee hidden behind the near
# leg (standing, feet together) is one posturecam does not guess at.
_NEEDS_IN_VIEW = {
    "left_knee_deg": (L.LEFT_KNEE, L.LEFT_ANKLE), "right_knee_deg": (L.RIGHT_KNEE, L.RIGHT_ANKLE),
    "left_hip_deg": (L.LEFT_KNEE,), "right_hip_deg": (L.RIGHT_KNEE,),
}


def labels_correct(xy: np.ndarray, truth: Truth) -> bool | None:
    """Whether the pose's knee/ankle labels match the truth's anatomical sides; None if the legs overlap."""
    t = truth.points
    pairs = ((L.LEFT_KNEE, L.RIGHT_KNEE), (L.LEFT_ANKLE, L.RIGHT_ANKLE))
    same = sum(np.linalg.norm(xy[a] - t[a]) + np.linalg.norm(xy[b] - t[b]) for a, b in pairs)
    cross = sum(np.linalg.norm(xy[a] - t[b]) + np.linalg.norm(xy[b] - t[a]) for a, b in pairs)
    leg = float(np.linalg.norm(t[L.LEFT_HIP] - t[L.LEFT_KNEE]) + np.linalg.norm(t[L.LEFT_KNEE] - t[L.LEFT_ANKLE]))
    sep = float(np.linalg.norm(t[L.LEFT_KNEE] - t[L.RIGHT_KNEE]) + np.linalg.norm(t[L.LEFT_ANKLE] - t[L.RIGHT_ANKLE]))
    if sep / 2 < AMBIGUOUS_KNEE_SEPARATION * max(leg, 1.0):
        return None
    return bool(same <= cross)


class RecordingResolver(LegResolver):
    """A ``LegResolver`` (or none) that remembers each frame's raw pose and its decision."""

    def __init__(self, inner: LegResolver | None) -> None:
        super().__init__()
        self.inner = inner
        self.raw: dict[float, Pose] = {}

    def stats(self) -> LegLabelStats:
        return self.inner.stats() if self.inner is not None else super().stats()

    def update(self, pose: Pose, time_s: float, near_side: Side | None) -> tuple[Pose, bool]:
        self.raw[time_s] = pose
        if self.inner is None:
            return pose, False
        return self.inner.update(pose, time_s, near_side)


@dataclass
class ClipScore:
    """Per-clip results; errors are absolute degrees, per angle name."""

    frames: int = 0
    detected: int = 0
    judged_raw: int = 0
    swapped_raw: int = 0
    judged: int = 0
    swapped: int = 0
    errors: dict[str, list[float]] = field(default_factory=dict)
    raw_errors: dict[str, list[float]] = field(default_factory=dict)
    signed: dict[str, list[float]] = field(default_factory=dict)
    # Frames where the truth defines the angle and the joints it needs are not hidden by the body.
    frames_in_view: dict[str, int] = field(default_factory=dict)
    ms_per_frame: float = 0.0
    # The summary's blocks on how the person was seen (``Pipeline.tracking_json``), as analyze writes them.
    tracking: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def detection_rate(self) -> float:
        return self.detected / max(self.frames, 1)

    @property
    def raw_swap_rate(self) -> float:
        return self.swapped_raw / max(self.judged_raw, 1)

    @property
    def swap_rate(self) -> float:
        return self.swapped / max(self.judged, 1)

    def mae(self, key: str, raw: bool = False) -> float:
        e = (self.raw_errors if raw else self.errors).get(key, [])
        return float(np.mean(e)) if e else math.nan

    def bias(self, key: str) -> float:
        e = self.signed.get(key, [])
        return float(np.mean(e)) if e else math.nan

    def n(self, key: str) -> int:
        return len(self.errors.get(key, []))

    def in_view(self, key: str) -> int:
        """Frames in which the angle could be measured from what the camera sees (all frames for other angles)."""
        return self.frames_in_view.get(key, 0) if key in _NEEDS_IN_VIEW else self.frames

    def summary(self, keys: tuple[str, ...] = SIDE_ANGLES) -> dict[str, object]:
        out: dict[str, object] = {
            "frames": self.frames,
            "detection": round(self.detection_rate, 3),
            "raw_swap": round(self.raw_swap_rate, 3),
            "swap": round(self.swap_rate, 3),
            "ms": round(self.ms_per_frame, 1),
        }
        for k in keys:  # raw MAE, MAE, bias, frames measured
            out[k] = (round(self.mae(k, raw=True), 1), round(self.mae(k), 1), round(self.bias(k), 1), self.n(k))
        out["in_view"] = {k: self.in_view(k) for k in keys}  # frames each could be measured in
        return out


def _in_view(truth: Truth, key: str) -> bool:
    """Whether the truth defines the angle and the joints it needs are not hidden by the body."""
    tv = truth.angles.get(key)
    return (key in _NEEDS_IN_VIEW and tv is not None and math.isfinite(tv)
            and bool(truth.visible[list(_NEEDS_IN_VIEW[key])].all()))


def _angle_err(a: float, b: float) -> float:
    """Signed difference a - b, wrapped to (-180, 180] (hip angles live on a circle)."""
    return (a - b + 180.0) % 360.0 - 180.0


def _errors(truth: Truth, measures: Measures, keys: tuple[str, ...]) -> list[tuple[str, float]]:
    """(angle, signed error) for each of ``keys`` that both the truth and the measures define."""
    out = []
    for k in keys:
        tv, mv = truth.angles.get(k), getattr(measures, k)
        if tv is not None and mv is not None and math.isfinite(tv):
            out.append((k, _angle_err(mv, tv)))
    return out


def score_clip(
    path: str | Path,
    truths: list[Truth],
    *,
    orientation: bool = True,
    resolve_legs: bool = True,
    lookahead: bool = True,
    keys: tuple[str, ...] = SIDE_ANGLES,
    exercise: str = "none",
    outline: bool | None = None,
    mirror: bool | None = None,
) -> ClipScore:
    """Run ``Pipeline.create(exercise)`` over a rendered clip and score it against ``truths``.

    ``lookahead=True`` is what ``analyze`` runs; ``False`` scores live mode's smoothing.
    ``exercise`` matters for the angles through the outline refinement it brings (see
    ``Pipeline.create``); ``outline`` and ``mirror`` override that.
    """
    import time

    from posturecam.pipeline import Pipeline
    from posturecam.video import VideoReader

    pipe = Pipeline.create(exercise, orientation=orientation, resolve_legs=True, lookahead=lookahead, outline=outline,
                           mirror=mirror)
    rec = RecordingResolver(pipe.legs if resolve_legs else None)
    pipe.legs = rec
    score = ClipScore()
    t0 = time.perf_counter()
    with pipe, VideoReader(path) as reader:
        frames = itertools.takewhile(lambda f: f.index < len(truths), reader)
        for res in pipe.run(frames):
            tr = truths[res.index]
            score.frames += 1
            for k in keys:
                if _in_view(tr, k):
                    score.frames_in_view[k] = score.frames_in_view.get(k, 0) + 1
            raw = rec.raw.pop(res.time_s, None)
            if res.pose is None:
                continue
            score.detected += 1
            if raw is not None:
                ok = labels_correct(raw.xy, tr)
                if ok is not None:
                    score.judged_raw += 1
                    score.swapped_raw += not ok
                w, h = tr.image_size
                for k, d in _errors(tr, measure(raw, (w, h), view_of(raw)), keys):
                    score.raw_errors.setdefault(k, []).append(abs(d))
            ok = labels_correct(res.pose.xy, tr)
            if ok is not None:
                score.judged += 1
                score.swapped += not ok
            assert res.measures is not None
            for k, d in _errors(tr, res.measures, keys):
                score.errors.setdefault(k, []).append(abs(d))
                score.signed.setdefault(k, []).append(d)
        score.tracking = pipe.tracking_json(score.detected)
    score.ms_per_frame = (time.perf_counter() - t0) * 1000 / max(score.frames, 1)
    return score


__all__ = ["SIDE_ANGLES", "ClipScore", "RecordingResolver", "labels_correct", "score_clip"]

"""The per-frame path, shared by ``analyze`` and ``live``.

frame -> pose (orientation-aware, plausibility-checked) -> legs labelled by
anatomy -> smoothed -> measures -> coach. Everything stateful lives in the
objects this class holds, created per session, so two pipelines never share
state and a test can build one from parts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from posturecam.exercises import get_exercise
from posturecam.exercises.engine import Coach, CoachState
from posturecam.filters import OneEuroFilter
from posturecam.measures import Measures, chirality_of, measure, near_side_for, view_of
from posturecam.model import ModelInfo, resolve_model
from posturecam.orientation import OrientedDetector
from posturecam.pose import Pose, PoseEstimator
from posturecam.sides import LegResolver
from posturecam.video import Frame

MASK_EXERCISES = frozenset({"standing"})
# A gap longer than this (no person) restarts smoothing instead of gliding across it.
SMOOTHING_MAX_GAP_S = 0.5


@dataclass(frozen=True)
class FrameResult:
    """Everything known about one frame; the unit handed to overlays and writers."""

    index: int
    time_s: float
    image: np.ndarray = field(repr=False)
    pose: Pose | None  # legs by anatomy, smoothed; None when no plausible person
    measures: Measures | None
    state: CoachState
    legs_swapped: bool = False
    # Seconds spent in the pose model for this frame (all orientations tried): the
    # cost floor every other per-frame step is measured against.
    detect_s: float = 0.0

    @property
    def person(self) -> bool:
        return self.pose is not None


@dataclass
class Pipeline:
    """One session's per-frame analysis. Use ``Pipeline.create`` unless assembling parts by hand."""

    detector: OrientedDetector
    coach: Coach
    legs: LegResolver = field(default_factory=LegResolver)
    smoother: OneEuroFilter | None = field(default_factory=OneEuroFilter)
    _last_person_t: float = field(default=-1e9, init=False, repr=False)

    @classmethod
    def create(
        cls,
        exercise: str = "none",
        *,
        model: ModelInfo | str | None = None,
        thresholds: dict[str, dict[str, float]] | None = None,
        video: bool = True,
        orientation: bool = True,
        smoothing: bool = True,
        resolve_legs: bool = True,
    ) -> Pipeline:
        info = model if isinstance(model, ModelInfo) else resolve_model(model)
        # The silhouette (segmentation mask) costs ~10 ms a frame; only standing
        # posture uses it, for pelvic obliquity in front views.
        estimator = PoseEstimator(info, video=video, with_mask=exercise in MASK_EXERCISES)
        return cls(
            detector=OrientedDetector(estimator, enabled=orientation),
            coach=get_exercise(exercise, thresholds),
            legs=LegResolver() if resolve_legs else _NoLegResolver(),
            smoother=OneEuroFilter() if smoothing else None,
        )

    @property
    def model(self) -> ModelInfo:
        return self.detector.estimator.model

    def process(self, frame: Frame) -> FrameResult:
        h, w = frame.image.shape[:2]
        t0 = time.perf_counter()
        raw = self.detector.detect(frame.image, round(frame.time_s * 1000))
        detect_s = time.perf_counter() - t0
        pose, swapped, m = None, False, None
        if raw is not None:
            view = view_of(raw)
            # The near side for every view but front (three-quarter views too), so the
            # resolver need not work out this same pose's view and facing again.
            near = None if view == "front" else near_side_for(chirality_of(raw))
            pose, swapped = self.legs.update(raw, frame.time_s, near)
            pose = self._smooth(pose, frame.time_s, (w, h))
            m = measure(pose, (w, h), view)
            self._last_person_t = frame.time_s
        elif self.smoother is not None:
            self.smoother.reset()
        state = self.coach.update(frame.time_s, m)
        return FrameResult(frame.index, frame.time_s, frame.image, pose, m, state, swapped, detect_s)

    def _smooth(self, pose: Pose, t: float, size: tuple[int, int]) -> Pose:
        if self.smoother is None:
            return pose
        if t - self._last_person_t > SMOOTHING_MAX_GAP_S:
            self.smoother.reset()
        scale = np.array(size, dtype=np.float64)
        xy = self.smoother(pose.xy / scale, t) * scale
        return replace(pose, xy=xy)

    def finish(self, time_s: float | None = None) -> dict[str, object]:
        """Close any open rep or hold and return the coach's summary."""
        self.coach.finish(time_s)
        return self.coach.summary()

    def close(self) -> None:
        self.detector.estimator.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _NoLegResolver(LegResolver):
    """Keeps the model's own leg labels (for measuring what the resolver gains)."""

    def update(self, pose: Pose, time_s: float, near_side: object) -> tuple[Pose, bool]:
        return pose, False

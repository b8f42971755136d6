"""The per-frame path, shared by ``analyze`` and ``live``.

frame -> pose (orientation-aware, plausibility-checked) -> legs labelled by
anatomy -> smoothed -> measures -> coach. Everything stateful lives in the
objects this class holds, created per session, so two pipelines never share
state and a test can build one from parts.

Live mode smooths each frame as it comes (``process``). A recorded clip may
look ahead (``lookahead=True``): a frame's result then waits until a fraction
of a second of later frames has been seen, so ``feed`` returns zero or more
finished results and ``drain`` the rest; ``run`` does both over an iterable.
Results always come out once per frame, in frame order.

Each frame goes through two stages: the model (``detect``) and everything after it
(``feed_detection``). The first touches only the detector and the second never
touches it, so ``run`` and ``analyze`` put the model on a thread of its own, a few
frames ahead (``detections_ahead``); ``feed`` and ``process`` do both on the caller's.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from posturecam.coverage import OutlineCheck, joints_drawn_off, limb_left_out, unseen_legs_json
from posturecam.crops import small_in_frame_json
from posturecam.exercises import get_exercise
from posturecam.exercises.engine import Coach, CoachState
from posturecam.facing import FacingTracker
from posturecam.filters import MAX_GAP_S, CenteredSmoother, LandmarkSmoother, OneEuroSmoother
from posturecam.landmarks import LEG, NUM_LANDMARKS
from posturecam.limbs import LimbFit, refine_legs
from posturecam.measures import Measures, View, chirality_of, measure, near_side_for, view_of
from posturecam.model import ModelInfo, resolve_model
from posturecam.orientation import OrientedDetector
from posturecam.pose import Pose, PoseEstimator
from posturecam.sides import LegResolver, named_like
from posturecam.video import Frame, prefetch
from posturecam.viewpoint import OffSideTally

MASK_EXERCISES = frozenset({"standing"})
# Knee, ankle, heel and toe of both legs: what a frame with a limb left out leaves unmeasured.
_DISTAL_LEGS = np.array([i for side in ("left", "right") for i in LEG[side][1:]])
# Exercises whose knees and hips are placed on the outline by default (``posturecam.limbs``): measured
# to help on bridges and kneeling stretches (the model's knee drifts on bent legs seen from
# the side), and on lunges since the knee's outer arc (held-out renders within 5 degrees:
# 29 -> 34 of 48). It costs the segmentation mask: about 9 ms of CPU a frame at 720p inside
# the model (wall time less, as TFLite spreads it over both cores).
OUTLINE_EXERCISES = frozenset({"lunge", "bridge", "stretch"})
# Their fit's settings where not the defaults. Lying on the back for a bridge, the hands rest on the
# floor by the hips, touching only the top end of the near thigh's band, which then no longer rules the
# thigh out (it had in 30-97% of side-view frames of the real bridge B02, the sample and renders): on 96
# rendered bridges the hips' mean error went 3.16/3.02 -> 2.85/2.77 degrees, clips within 5 degrees
# 74 -> 78. On lunges (hands on the hips) the hips read 0.1-0.2 degrees worse, so only for bridges.
OUTLINE_FITS: Mapping[str, LimbFit] = MappingProxyType({"bridge": LimbFit(obstacle_free_end_slices=1)})
# Exercises whose recorded clips show the model every other frame mirrored (``posturecam.orientation``):
# measured on 48 held-out rendered clips each, clips with every knee and hip within 5 degrees went
# 24 -> 32 (bridges) and 34 -> 35 (lunges, hips' mean error 4.7/4.3 -> 3.8/3.6). Kneeling stretches
# went 33 -> 32 then, with two clips' legs named wrongly for a whole side; with their mirrored frames'
# legs named as the upright view names them (below), 96 held-out stretches went 66 -> 75 (session
# 15), and 48 stretches rendered after that was built 27 -> 34.
MIRROR_EXERCISES = frozenset({"lunge", "bridge", "stretch"})
# The slowest clips (frames a second) whose frames are mirrored by default. Each view sees every
# other frame, so its tracker runs at half the clip's rate. The 96 held-out renders (30 fps) with
# every other frame dropped (15 fps) or one in five (24 fps), unmirrored -> mirrored, clips within
# 5 degrees: lunges at 15 fps 76 -> 79, bridges at 15 fps 51 -> 79, so at any rate; stretches at
# 30 fps 66 -> 75, at 24 fps 70 -> 73 but two clips' legs named wrongly for much of a side
# (11126, 11129: 0 -> 25% of frames), at 15 fps 64 -> 66 with the hips' mean error 3.7/4.1 ->
# 4.2/4.5 and four such clips. The leg tracking's continuity misses the legs passing each other
# when a view's frames come that far apart. 28 lets 29.97 fps through.
MIRROR_MIN_FPS: Mapping[str, float] = MappingProxyType({"stretch": 28.0})
# Where a mirrored frame's legs are named as the upright view named them a frame before
# (``Pipeline.name_mirrored_as_upright``). Stretches, mirrored: 96 held-out clips within 5 degrees
# 71 with each view's own names (four clips named wrongly for a whole side) -> 75. Lunges gain
# nothing from it (80 -> 80) and one clip's legs came out swapped in 56% of frames (11% with both
# views' names, which the leg tracking reconciles better over a lunge's steps).
NAMED_AS_UPRIGHT_EXERCISES = frozenset({"stretch"})
# Frames the model may run ahead of the rest of the path (``Pipeline.detections_ahead``). Each holds its decoded
# frame and, with the outline, its mask: 6.4 MB at 720p.
DETECTIONS_AHEAD = 4


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


@dataclass(frozen=True)
class Detection:
    """One frame through the model (``Pipeline.detect``): the person as found, before anything else."""

    frame: Frame
    raw: Pose | None  # as the model placed it; None when no plausible person
    detect_s: float  # seconds in the model (all orientations tried)


@dataclass(frozen=True)
class _Located:
    """A frame whose person is found and labelled, waiting to be smoothed and judged."""

    frame: Frame
    pose: Pose | None
    view: View | None
    swapped: bool
    detect_s: float
    chirality: int = 0  # the facing held over time (``FacingTracker``), for the measures

    @property
    def scale(self) -> np.ndarray:
        h, w = self.frame.image.shape[:2]
        return np.array((w, h), dtype=np.float64)


@dataclass
class Pipeline:
    """One session's per-frame analysis. Use ``Pipeline.create`` unless assembling parts by hand."""

    detector: OrientedDetector
    coach: Coach
    legs: LegResolver = field(default_factory=LegResolver)
    smoother: LandmarkSmoother | None = field(default_factory=OneEuroSmoother)
    limbs: LimbFit | None = None  # knees and hips on the outline (needs a detector that returns masks)
    keep_masks: bool = True  # whether measures need the mask (standing), or it can go once used
    facing: FacingTracker = field(default_factory=FacingTracker)
    # Side views whose outline shows a limb the model left out (``posturecam.coverage``; needs the
    # outline's masks): their legs are left unmeasured.
    limb_check: OutlineCheck | None = field(default_factory=OutlineCheck)
    # A mirrored frame's legs named as the upright view named them a frame before
    # (``posturecam.orientation``, "Mirrored frames"), so the leg tracking sees one view's names.
    name_mirrored_as_upright: bool = False
    off_side: OffSideTally = field(default_factory=OffSideTally, init=False)  # how far the camera was from side-on
    # How many frames had legs left unmeasured for it (a limb left out, or a leg bone drawn off the outline).
    legs_unseen_frames: int = field(default=0, init=False)
    _waiting: deque[_Located] = field(default_factory=deque, init=False, repr=False)
    # The last trusted frame's leg points (time, points): held through frames with a limb left out or
    # a leg bone drawn off the outline.
    _legs_seen: tuple[float, np.ndarray] | None = field(default=None, init=False, repr=False)
    # The last upright-view frame the leg tracking was given (time, the model's points), whose leg
    # names the next mirrored frame takes; frames with a limb left out are not a reference.
    _upright_named: tuple[float, np.ndarray] | None = field(default=None, init=False, repr=False)

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
        lookahead: bool = False,
        resolve_legs: bool = True,
        outline: bool | None = None,
        mirror: bool | None = None,
    ) -> Pipeline:
        """A pipeline for one session; ``lookahead=True`` for recorded clips (see the module docstring).

        ``outline`` places side-view knees and hips on the body's outline, and leaves a side
        view's legs unmeasured where the outline shows a limb the model left out
        (``limb_check``, ``posturecam.coverage``); ``None`` does so for the exercises in
        ``OUTLINE_EXERCISES``. ``mirror`` shows the model every other
        frame mirrored (``posturecam.orientation``); ``None`` does so when looking ahead at
        one of the ``MIRROR_EXERCISES``, in clips at least as fast as its ``MIRROR_MIN_FPS``.
        """
        info = model if isinstance(model, ModelInfo) else resolve_model(model)
        on_outline = exercise in OUTLINE_EXERCISES if outline is None else outline
        limbs = OUTLINE_FITS.get(exercise, LimbFit()) if on_outline else None
        min_fps = 0.0  # a mirror asked for is a mirror given
        if mirror is None:
            mirror = lookahead and exercise in MIRROR_EXERCISES
            min_fps = MIRROR_MIN_FPS.get(exercise, 0.0) if mirror else 0.0
        # The segmentation mask is asked for only where it is used (standing posture's
        # pelvic obliquity, knees on the outline): see OUTLINE_EXERCISES for its cost.
        keep_masks = exercise in MASK_EXERCISES
        estimator = PoseEstimator(info, video=video, with_mask=keep_masks or limbs is not None)
        smoother: LandmarkSmoother | None = None
        if smoothing:
            smoother = CenteredSmoother() if lookahead else OneEuroSmoother()
        return cls(
            detector=OrientedDetector(estimator, enabled=orientation, mirror_alternate_frames=mirror,
                                     mirror_min_fps=min_fps),
            coach=get_exercise(exercise, thresholds),
            legs=LegResolver() if resolve_legs else _NoLegResolver(),
            smoother=smoother,
            limbs=limbs,
            keep_masks=keep_masks,
            name_mirrored_as_upright=exercise in NAMED_AS_UPRIGHT_EXERCISES,
        )

    @property
    def model(self) -> ModelInfo:
        return self.detector.estimator.model

    @property
    def lookahead_s(self) -> float:
        """How long after a frame its result may come out (0 for live use)."""
        return self.smoother.lookahead_s if self.smoother is not None else 0.0

    def process(self, frame: Frame) -> FrameResult:
        """One frame in, its result out: for live use, where nothing may wait for later frames."""
        if self.lookahead_s > 0:
            raise RuntimeError("this pipeline looks ahead: use run(), or feed() and drain()")
        (result,) = self.feed(frame)
        return result

    def feed(self, frame: Frame) -> list[FrameResult]:
        """Analyse one frame; return the results that are now final (earlier frames first)."""
        return self.feed_detection(self.detect(frame))

    def detect(self, frame: Frame) -> Detection:
        """The first stage alone: the pose model on one frame.

        It is the only stage that touches the model, and it reads nothing the second stage
        (``feed_detection``) writes, so the two may run on two threads, frames in order.
        """
        t0 = time.perf_counter()
        raw = self.detector.detect(frame.image, round(frame.time_s * 1000))
        return Detection(frame, raw, time.perf_counter() - t0)

    def detections(self, frames: Iterable[Frame]) -> Iterator[Detection]:
        """``detect`` over ``frames``, on the caller's thread."""
        for frame in frames:
            yield self.detect(frame)

    def detections_ahead(self, frames: Iterable[Frame]) -> closing[Iterator[Detection]]:
        """``detections`` run on a thread of its own, a few frames ahead; use it in a ``with``.

        The model releases the GIL while it works, so the per-frame path after it (outline fits,
        leg tracking, smoothing, the coach: about 8 ms a 720p frame of a kneeling stretch) runs
        meanwhile on the other core; the model alone sets the pace. Leaving the ``with`` waits
        for the model's thread to stop, so the model can be closed right after it.
        """
        ahead = prefetch(self.detections(frames), DETECTIONS_AHEAD, name="posturecam-model", join_timeout_s=None)
        return closing(ahead)

    def feed_detection(self, detection: Detection) -> list[FrameResult]:
        """The second stage: ``feed`` for a frame already through ``detect``, in frame order."""
        self._waiting.append(self._locate(detection))
        return self._release(final=False)

    def drain(self) -> list[FrameResult]:
        """The results still waiting for later frames, at the end of a clip (or on Ctrl+C)."""
        return self._release(final=True)

    def run(self, frames: Iterable[Frame]) -> Iterator[FrameResult]:
        """Every frame's result, in order; the model runs a few frames ahead on a thread of its own.

        The rest of the per-frame path then works on one frame while the model works on the
        next, instead of after it (``detections_ahead``).
        """
        with self.detections_ahead(frames) as detections:
            for detection in detections:
                yield from self.feed_detection(detection)
        yield from self.drain()

    def _locate(self, detection: Detection) -> _Located:
        frame, raw, detect_s = detection.frame, detection.raw, detection.detect_s
        if raw is None:
            loc = _Located(frame, None, None, False, detect_s)
        else:
            view = view_of(raw)
            # The near side for every view but front (three-quarter views too), so the
            # resolver need not work out this same pose's view and facing again. The leg
            # tracking and the outline keep this frame's own reading (the tracking's settings
            # were chosen on it); the measures get the facing held over unclear frames.
            chirality = held = 0
            if view != "front":
                chirality = chirality_of(raw)
                held = self.facing.update(chirality, frame.time_s)
            near = near_side_for(chirality)
            # With the outline on, as its mask is what the check reads (standing keeps masks too).
            check = self.limb_check if near is not None and self.limbs is not None else None
            if check is not None and limb_left_out(raw, check):
                pose, swapped = self._legs_unseen(raw, frame.time_s), False
                self.legs_unseen_frames += 1
            else:
                raw = self._named_as_upright(raw, frame.time_s)
                pose, swapped = self.legs.update(raw, frame.time_s, near)
                if self.limbs is not None:
                    pose = refine_legs(pose, near if view == "side" else None, self.limbs)
                off = joints_drawn_off(pose, check) if check is not None and view == "side" else None
                if off is not None and len(off):
                    pose = self._unmeasured(pose, off, frame.time_s)
                    self.legs_unseen_frames += 1
                else:
                    self._legs_seen = frame.time_s, pose.xy[_DISTAL_LEGS]
            if pose.mask is not None and not self.keep_masks:
                pose = replace(pose, mask=None)  # 3.7 MB a 720p frame, held while later frames arrive
            loc = _Located(frame, pose, view, swapped, detect_s, held)
        if self.smoother is not None:
            self.smoother.push(frame.time_s, None if loc.pose is None else self._points(loc.pose) / loc.scale)
        return loc

    def _named_as_upright(self, raw: Pose, time_s: float) -> Pose:
        """A mirrored frame's legs named as the last upright one named them (an upright frame is remembered)."""
        if not self.name_mirrored_as_upright:
            return raw
        if not raw.mirrored:
            self._upright_named = time_s, raw.xy
            return raw
        if self._upright_named is not None and time_s - self._upright_named[0] <= MAX_GAP_S:
            return named_like(raw, self._upright_named[1])
        return raw

    def _legs_unseen(self, raw: Pose, time_s: float) -> Pose:
        """A frame with a limb left out: its knees, ankles and feet marked unseen (the leg tracking skips it)."""
        return self._unmeasured(raw, _DISTAL_LEGS, time_s)

    def _unmeasured(self, pose: Pose, joints: np.ndarray, time_s: float) -> Pose:
        """``pose`` with these leg joints (of ``_DISTAL_LEGS``) marked unseen, though in the picture.

        Their points are held where the legs were last trusted, so smoothing does not pull
        the frames around toward the wrong points. ``legs_unseen`` tells the coach they are in
        the picture: an ankle left unmeasured is no reason to ask the person to step back.
        """
        xy, vis = pose.xy.copy(), pose.visibility.copy()
        vis[joints] = 0.0
        if self._legs_seen is not None and time_s - self._legs_seen[0] <= MAX_GAP_S:
            held = np.isin(_DISTAL_LEGS, joints)
            xy[_DISTAL_LEGS[held]] = self._legs_seen[1][held]
        return replace(pose, xy=xy, visibility=vis, legs_unseen=True)

    def _points(self, pose: Pose) -> np.ndarray:
        """What is smoothed: the landmarks, and with the outline on, the hip centre after them.

        The hip centre is on the outline in some frames and midway between the hips in
        others (a hand on the thigh); smoothed as one track it does not jump between the two.
        """
        if self.limbs is None:
            return pose.xy
        return np.vstack([pose.xy, pose.centre_of_hips()])

    def _smoothed(self, pose: Pose, points: np.ndarray) -> Pose:
        if self.limbs is None:
            return replace(pose, xy=points)
        return replace(pose, xy=points[:NUM_LANDMARKS], hip_centre=points[NUM_LANDMARKS])

    def _release(self, final: bool) -> list[FrameResult]:
        if self.smoother is None:
            ready: list[np.ndarray | None] = [None] * len(self._waiting)
        else:
            ready = self.smoother.pop(final)
        out = []
        for xy in ready:
            loc = self._waiting.popleft()
            pose = loc.pose if xy is None or loc.pose is None else self._smoothed(loc.pose, xy * loc.scale)
            out.append(self._judge(loc, pose))
        return out

    def _judge(self, loc: _Located, pose: Pose | None) -> FrameResult:
        f = loc.frame
        m = (measure(pose, (f.image.shape[1], f.image.shape[0]), loc.view, loc.chirality or None)
             if pose is not None else None)
        if pose is not None and m is not None:
            self.off_side.add(pose, m)
        state = self.coach.update(f.time_s, m)
        return FrameResult(f.index, f.time_s, f.image, pose, m, state, loc.swapped, loc.detect_s)

    def finish(self, time_s: float | None = None) -> dict[str, object]:
        """Close any open rep or hold and return the coach's summary.

        Frames still waiting for later ones are judged first, so the summary
        counts them; call ``drain`` before this to get their results too.
        """
        self.drain()
        self.coach.finish(time_s)
        return self.coach.summary()

    def tracking_json(self, frames_with_person: int) -> dict[str, dict[str, object]]:
        """The summary's account of how well the person was seen, each block with a plain ``note`` (or None).

        Legs relabelled, legs left unmeasured, the person found only in a crop, the camera
        off the side: one place, so
        ``analyze``, ``live`` and the report carry the same blocks and notes in the same order.
        """
        return {
            "legs": self.legs.stats().to_json(),
            "legs_unseen": unseen_legs_json(self.legs_unseen_frames, frames_with_person),
            "small_in_frame": small_in_frame_json(self.detector.cropped_frames, frames_with_person),
            "off_side": self.off_side.to_json(),
        }

    def close(self) -> None:
        self.detector.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _NoLegResolver(LegResolver):
    """Keeps the model's own leg labels (for measuring what the resolver gains)."""

    def update(self, pose: Pose, time_s: float, near_side: object) -> tuple[Pose, bool]:
        return pose, False

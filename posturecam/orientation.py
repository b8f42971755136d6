"""Finding people who lie on the floor, or are small in the frame.

BlazePose's detector was trained mostly on upright people. When nobody is
found at the current rotation, the detector tries one turned frame (90, 270,
then 0 again: one extra inference per frame at most, to bound the cost) and
keeps whichever rotation works while it keeps working. Landmarks always come
back in the original frame's pixels.

Measured (640x360 renders of ``posturecam.synthetic.lying`` and ``Bridge``,
side views, VIDEO mode; seeded random looks, camera heights, facings): a
body lying with the arms by the sides (40 looks), the knee-to-chest stretch
(40), the bridge and the real bridge clips B02/B04 are found upright in every
frame, so the search never runs and changes nothing. With the arms stretched
overhead, 16 of 60 looks lose the person upright in some frames (3 in every
frame) or get an upside-down skeleton; the search takes detection from 86% to
98% of frames and the per-clip knee/hip error from 6.7/5.7 to 4.0/2.6 degrees
(mean), for 39 extra inferences in 1200 frames. Which looks fail upright is
brittle: most flip with a degree or two of arm angle. The cost is on empty scenes: a second
inference on two frames in three (R04 traffic: model time 44 -> 87 ms a frame; every frame
since the crops below took the third), so after a second or so of nobody the search slows
to every fifth frame.

A proactive turn (person found upright but lying: try the turned frame
anyway, every 15 frames) was measured and removed: it found no one the search
did not (overhead 97.6% -> 97.7%, all others 100% either way) and made angles
worse (overhead mean hip error 2.6 -> 4.9 degrees, one look 1.4 -> 77 after
turning onto a swapped skeleton; knee-to-chest 8.7/7.8 -> 9.3/8.3).

People small in the frame. The same search also looks in parts of the frame
(``posturecam.crops``: a kneeling person a fifth to a third of a 720p frame
tall is not found in the whole of it). Crops take the search's upright
slot, which goes round the whole frame and the grid's crops, passing over
the view in use (upright and whole, that slot used to be idle), so the
turned frames keep their rhythm: their false finds in road traffic (R04: cars
turned on their side read as people) depend on which frames they are shown,
and a search that tried them in other frames found 7 such frames where this
one finds 2. A person found in a crop must show a leg the model is sure of
(``has_sure_leg``), and is then followed there.

Mirrored frames. The model is not symmetric: shown a frame and its mirror
image, it places the same joints a few pixels apart, the same way frame
after frame (real clips B02 and L01 at 720p: medians of 1-8 px per joint;
B04's knees at 1080p: 14-17 px). Whatever part of its error flips with the
mirror cancels in the mean of the two. Running the model twice would halve
the speed, so for recorded clips every other frame is shown mirrored
(``mirror_alternate_frames``; turned first, then mirrored, so a lying
person's turn is the same in both) and the landmarks come back in the
original frame with the person's own left and right. The centred smoother,
which blends each frame with its neighbours anyway, then averages the two
views at no extra inference. Each view keeps its own landmarker, because
the tracker carries the last frame's region from one call to the next.
Live mode's causal filter cannot average without lag, so it never mirrors.

The two views also name the legs differently: each view's naming is steady
from one of its frames to the next, but where the model is unsure (a side
view, legs apart) one view may call the near leg left and the other right, for
a whole side of a stretch. The leg tracking (``posturecam.sides``) was tuned on
one view's names, and handed both it followed whichever it was handed more
firmly. So each pose says whether it was read ``mirrored``, and for a
mirrored stretch the pipeline names a mirrored frame's legs as the upright
view named them a frame before (``Pipeline.name_mirrored_as_upright``; lunges
are better served by both views' names, ``pipeline.NAMED_AS_UPRIGHT_EXERCISES``).
Stretches are mirrored only in clips of about 30 frames a second or more
(``mirror_min_fps``, ``pipeline.MIRROR_MIN_FPS``): slower, each view's tracker
sees too few frames to keep the legs' names through a switch of sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posturecam.crops import follow, search_crops
from posturecam.plausibility import PlausibilityRules, has_sure_leg, is_plausible
from posturecam.pose import Box, Pose, PoseEstimator

# Alternatives tried while nobody is found, one per frame to bound the cost.
SEARCH_ORDER = (90, 270, 0)
# A scene empty for this many frames is searched only every SEARCH_EVERY_FRAMES-th frame:
# someone who just lay down is found at once, while a long empty stretch (the camera on
# before the person steps in, a clip with nobody) does not pay a second inference on two
# frames in three (R04, road traffic: model time 44 -> 87 ms a frame without this).
EAGER_SEARCH_FRAMES = 30
SEARCH_EVERY_FRAMES = 5


@dataclass
class OrientedDetector:
    """Pose detection that turns the frame, or looks in a part of it, when that finds the person
    (and mirrors every other frame if asked).

    ``enabled=False`` gives the plain upright, whole-frame detector (for comparison).
    """

    estimator: PoseEstimator
    enabled: bool = True
    rules: PlausibilityRules = field(default_factory=PlausibilityRules)
    # Every other frame shown to the model mirrored (see the module docstring): only where a
    # centred smoother blends each frame with its neighbours, i.e. recorded clips.
    mirror_alternate_frames: bool = False
    # Mirror a frame only when the one before came at least this often (frames a second);
    # 0: at any rate. Each view sees every other frame, so at a low frame rate each view's
    # tracker sees half of that (``pipeline.MIRROR_MIN_FPS``).
    mirror_min_fps: float = 0.0
    rotation: int = field(default=0, init=False)
    # Where in the frame the person is looked for (``posturecam.crops``); None: the whole frame.
    crop: Box | None = field(default=None, init=False)
    # Frames that ran the model a second time (the cost of searching turned frames and crops).
    extra_inferences: int = field(default=0, init=False)
    # Frames where the person was found in a crop (for the summary: they are small in the picture).
    cropped_frames: int = field(default=0, init=False)
    # Frames shown to the model mirrored (for the summary: a stretch filmed slower is not).
    mirrored_frames: int = field(default=0, init=False)
    _search_i: int = field(default=0, init=False, repr=False)
    _crop_i: int = field(default=0, init=False, repr=False)
    _empty_frames: int = field(default=0, init=False, repr=False)
    _frames: int = field(default=0, init=False, repr=False)
    _last_ms: int | None = field(default=None, init=False, repr=False)

    def detect(self, image: np.ndarray, timestamp_ms: int) -> Pose | None:
        mirrored = self.mirror_alternate_frames and self._frames % 2 == 1 and self._often_enough(timestamp_ms)
        self._frames += 1
        self._last_ms = timestamp_ms
        self.mirrored_frames += mirrored
        pose = self._plausible(image, timestamp_ms, self.rotation, self.crop, mirrored)
        if pose is not None or not self.enabled:
            self._found(pose, image)
            return pose
        self._empty_frames += 1
        if self._empty_frames > EAGER_SEARCH_FRAMES and self._empty_frames % SEARCH_EVERY_FRAMES:
            return None
        # Nobody here as we look now: try one other way this frame. Turns and the upright frame
        # take turns as they always did (the turned frames' false finds in road traffic are
        # measured in that rhythm); the upright slot goes round the whole frame and the grid's
        # crops (``posturecam.crops``), passing over the one already being tried.
        alt: tuple[int, Box | None] = (SEARCH_ORDER[self._search_i % len(SEARCH_ORDER)], None)
        self._search_i += 1
        if alt[0] == 0 and self.rotation == 0:
            alt = self._next_upright(image)
        if alt == (self.rotation, self.crop):
            return None
        self.extra_inferences += 1
        pose = self._plausible(image, timestamp_ms, alt[0], alt[1], mirrored)
        if pose is not None and alt[1] is not None and not has_sure_leg(pose, self.rules):
            pose = None  # cut down, road traffic can look like someone, but not with a sure leg
        if pose is not None:
            self.rotation, self.crop = alt
            self._found(pose, image)
        return pose

    def _often_enough(self, timestamp_ms: int) -> bool:
        """Did the frame before come soon enough for this one to be mirrored (``mirror_min_fps``)?"""
        if self.mirror_min_fps <= 0.0:
            return True
        return self._last_ms is not None and (timestamp_ms - self._last_ms) * self.mirror_min_fps <= 1000.0

    def _next_upright(self, image: np.ndarray) -> tuple[int, Box | None]:
        """The next of the whole upright frame and the grid's crops, passing over the one in use."""
        h, w = image.shape[:2]
        views: list[tuple[int, Box | None]] = [(0, None), *((0, c) for c in search_crops(w, h))]
        view = views[self._crop_i % len(views)]
        self._crop_i += 1
        if view == (self.rotation, self.crop):
            view = views[self._crop_i % len(views)]
            self._crop_i += 1
        return view

    def _found(self, pose: Pose | None, image: np.ndarray) -> None:
        """A frame searched no further; a crop follows the person found in it."""
        self._empty_frames = 0
        if pose is not None and self.crop is not None:
            self.cropped_frames += 1
            h, w = image.shape[:2]
            self.crop = follow(pose.xy, w, h, self.crop)

    def close(self) -> None:
        self.estimator.close()

    def _plausible(self, image: np.ndarray, timestamp_ms: int, rotation: int, crop: Box | None,
                   mirrored: bool) -> Pose | None:
        pose = self.estimator.detect(image, timestamp_ms, rotation, mirrored, crop)
        return pose if pose is not None and is_plausible(pose, self.rules) else None

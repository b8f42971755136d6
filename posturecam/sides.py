"""Left and right legs by the person's own anatomy, not by the model's label.

In side views MediaPipe sometimes gives the near leg the far leg's label
(on rendered lunges filmed 20-30 degrees off the side, in up to a quarter of
frames), which would swap every per-side angle and count.

What does and does not tell the legs apart (measured on rendered clips, see
``tests/test_sides.py`` and ``posturecam/synthetic/evaluate.py``):

- The model's own depth (z) and visibility follow its *labels*, not the
  pixels: when it puts the "left knee" on the near knee's pixels it still
  reports that "left knee" as the far, less visible one. So per-frame depth
  cannot detect a swap; it only says which label the model believes is
  near, which must agree with the facing direction (chirality gives the
  anatomically near side).
- Swaps come in bursts (one frame to about half a second) while the legs are
  apart on screen, and a swap makes each labelled leg jump onto the other
  leg. Legs do not teleport, so tracking the two leg chains by position
  carries identity through a burst.
- While the legs overlap on screen (standing, feet together) position cannot
  tell them apart, but there the per-side angles are nearly equal anyway and
  the model is reliably right, so its labels are followed and a new tracked
  segment starts when the legs separate.

So each separated segment is tracked by continuity, and its first frames
vote on its naming (the model's labels, and perspective, below): a burst of
swapped frames is outvoted by the correct frames around it.

Not every swap is a jump. From a camera above hip height the model often
*slides* into a swap over two to five frames: both labelled legs drift
toward each other, pass through a frame or two where neither lies on a leg,
and land swapped. Matched against the frame just before, every step of the
slide looks like ordinary movement, so continuity followed the slide and
then took the model's clean jump back for a swap (a lunge filmed from
1.25 m: raw labels wrong in 28% of frames, resolved wrong in 72%). A frame
in the middle of a slide fits both namings about equally well, so the
reference the next frame is matched against is only taken from frames
where one naming fits clearly better (cost ratio below ``max_ambiguity``),
and a segment whose reference is older than ``max_reference_age_s`` starts
afresh. Measured by replaying the model's recorded raw labels of four sets
of seeded renders (0-25 degrees off the side, camera 0.5-1.5 m; 55
development clips, then three sets of 48 never tuned on), frames with
swapped legs went 5.2 / 1.3 / 7.0 / 2.3% -> 3.4 / 0.6 / 8.4 / 1.3%. The
worse set comes from two lunges filmed from 1.45 m whose raw labels are
wrong in 45% and 59% of frames: where the model is wrong that often,
whichever naming a segment starts with decides it, and no rule tried here
(longer votes, decaying votes, a second opinion from the mirrored frame)
settled that.

Continuity can also be wrong: when the legs pass close to each other without
overlapping (switching sides in a kneeling stretch), a brief swap there can
hand each track the other leg, and continuity then carries the wrong naming
for the rest of the segment while the model is right in every frame
(measured: a stretch filmed from 1.4 m, raw labels wrong in 3% of frames,
resolved wrong in 34%). So the naming is also re-voted: when the output has
disagreed with the model's labels for most of the last ``revote_window_s``,
which is longer than any burst seen, the tracks follow the model again.

Where the model is wrong for long runs, the naming a segment starts with
decides everything, so the start of a segment also weighs a cue the model's
labels do not touch: perspective. The near leg is closer to the camera, so
its hip-knee-ankle chain is drawn longer (by hip width over camera distance:
about 5-10% at 2-3 m). Measured on the recorded raw poses of 199 seeded
renders (the truth saying which chain is near): in side-on frames the near
chain was the longer in 97.5% of lunge frames, and in 84% of the frames where
the model had swapped the labels. Filmed 15-25 degrees off the side it was
not usable (87% overall, 43% in swapped frames): the legs' segments then
point at different angles to the image plane, and foreshortening differs
between a thigh held forward and one held down by as much as perspective
does. So only side-on frames count (shoulder width on screen under
``side_on_max_shoulder_ratio`` of the trunk length), only legs drawn in
proportion (``min_shin_thigh_ratio``: the model draws a kneeling back shin
short), and the model's labels still get a small vote (``model_vote``, in
the first six frames as before) that decides when the legs are about as
long. Replaying four sets, frames with swapped legs went 3.4 / 0.6 / 8.4 /
1.3% -> 2.8 / 0.6 / 3.9 / 1.1%; three side-on lunges filmed from 0.9-1.45 m
that were wrong in 37-68% of frames came out wrong in 3-9%. A fifth set
(seeds 5000-5029 and 5100-5117), rendered to check the first version,
showed the short kneeling shin (a held stretch swapped for a whole side);
now it goes 1.6% -> 0.8%. All settings were then chosen on the five sets,
so none of them is untouched any more. The kneeling stretch
filmed from 1.7 m (``tests/test_accuracy.py``) was still swapped for a whole
side: there perspective is right but weak, and the model's vote won, until
the floor (below) was heard.

A camera well above the floor gives a stronger cue: the near foot reaches
lower on screen. From the model's foot landmarks it was too noisy (right in
55-70% of frames of a kneeling stretch filmed from 1.7 m), but from the
segmentation mask, the outline's lowest pixel under each foot's columns,
it was right in 99% of that clip's side-on frames and 98% of those the
model had swapped; over 96 seeded renders (lunges and stretches) in 93.9%
of side-on frames, 99.8% where it agreed with perspective (see
``benchmarks/README.md``, "The floor under the feet"). So with the outline on
(lunges, bridges and stretches: ``Pipeline``), each frame's vote also has
that floor cue (``_floor_vote``): the foot labelled near lower by a share of
the leg's length, in frames side-on by shoulders and hips alike and with
each foot in columns of its own. Off the side the front foot is nearer or
further by the stance too, and the side-on check, read from the model's
shoulders and hips, let through a render filmed 15-25 degrees off the side
(seed 11114) whose floor cue was right in only 89 of 137 frames, perspective
in 133 of 138; counted on its own, the floor swapped that stretch in 28% of
frames where the model was right in all. So the floor is not heard against
perspective (where the two agreed: 85 of 88), and it is capped at a third of
perspective's cap, so that one frame cannot outvote the model's first six
(a lunge 15-25 degrees off, seed 11118, went from 9% to 44% swapped on one
frame where both were wrong). It also holds back the re-vote while it sides
with the output in most of the window's frames: where the model is wrong
for seconds on end, following it again would undo the naming. On the real
side-on lunge L01 the cue agreed with the output in all
170 frames it judged; on the real kneeling stretch K01, turned toward the
camera, the shoulders alone would have let it judge 36 frames (all the
wrong way round, as the front foot there is also the nearer by the stance);
its hips are too wide on screen for that, so it judges none.

Off the side, where neither perspective nor the floor has a say, the
model's votes in a segment's first frames name it, and those are the frames
where the legs are only starting to part and the model names them least
reliably. Two fresh renders of lunges filmed 17-24 degrees off the side had a step
named the wrong way round by them for over a second, until the re-vote,
while the model was right in every frame after (frames swapped 25% and
28%). So the model's labels vote again in the first frames with the legs
well apart (``model_vote_min_separation``): those two came out swapped in 7%
and 4% of frames, and of 144 other fresh renders of lunges and stretches only one
changed, already swapped in 69% of frames (74%).

None of this can be right where the model is wrong most of the time, so
the resolver also counts how often it relabels (``LegResolver.stats``);
``analyze`` and ``live`` tell the user when that share is high enough that
per-side numbers may be swapped (``UNSTEADY_RELABELLED_SHARE``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from posturecam.landmarks import LEFT_RIGHT_PAIRS, LEG, NUM_LANDMARKS, SIDES, Side, other
from posturecam.measures import chirality_of, leg_length, near_side_for, trunk_widths, view_of
from posturecam.pose import Pose

_SWAP_LEGS = np.arange(NUM_LANDMARKS)
for _l, _r in LEFT_RIGHT_PAIRS:
    if _l in LEG["left"]:
        _SWAP_LEGS[_l], _SWAP_LEGS[_r] = _r, _l
SWAP_LEGS_INDEX: np.ndarray = _SWAP_LEGS
# Knee, ankle, heel, toe: the distal points that move apart when legs split.
_DISTAL = {side: list(LEG[side][1:]) for side in SIDES}
# Ankle, heel and toe: where a foot meets the floor.
_FOOT = {side: LEG[side][2:] for side in SIDES}


def swap_legs(pose: Pose) -> Pose:
    """The same pose with the two whole legs' labels exchanged."""
    return pose.with_points(SWAP_LEGS_INDEX)


def named_like(pose: Pose, reference: np.ndarray) -> Pose:
    """The pose with its legs named as ``reference`` (another reading's points, a moment apart) names them.

    Whichever naming puts the knees, ankles and feet nearer the reference's (the leg tracking's
    continuity, ``_chain_cost``). Near each other in time the legs move little, so this carries
    one reading's names over to another's.
    """
    chains, ref = _leg_chains(pose.xy), _leg_chains(reference)
    return swap_legs(pose) if _chain_cost(chains[::-1], ref) < _chain_cost(chains, ref) else pose


# Above this share of side-on frames relabelled, a clip's per-side numbers are
# flagged. Replaying the model's raw labels of 199 seeded renders: where the
# output ended up wrong in over 3% of frames (24 clips, 20 of them 3-10%),
# the resolver had relabelled over this share in 12, including all 4 wrong
# in over a quarter of frames; 6 of the 175 right clips were flagged
# too. The model names the legs wrongly so often there that the resolver's
# naming, right or wrong, is a guess the user should know about.
UNSTEADY_RELABELLED_SHARE = 0.15
# Fewer side-on frames than this (half a second at 30 fps) is too little to judge.
MIN_JUDGED_FRAMES = 15


@dataclass(frozen=True)
class LegLabelStats:
    """How much the model's leg labels had to be corrected over a clip or session."""

    side_view_frames: int
    relabelled_frames: int

    @property
    def share(self) -> float:
        return self.relabelled_frames / self.side_view_frames if self.side_view_frames else 0.0

    @property
    def unsteady(self) -> bool:
        return self.side_view_frames >= MIN_JUDGED_FRAMES and self.share > UNSTEADY_RELABELLED_SHARE

    def note(self) -> str | None:
        """One plain sentence for the summary and report, or None when the labels were steady."""
        if not self.unsteady:
            return None
        return (f"Your left and right legs were hard to tell apart here (posturecam had to correct which leg "
                f"was which in {self.share:.0%} of side-on frames), so per-side numbers may be swapped. "
                "Filming side-on with the camera at hip height helps.")

    def to_json(self) -> dict[str, object]:
        return {"side_view_frames": self.side_view_frames, "relabelled_frames": self.relabelled_frames,
                "relabelled_share": round(self.share, 3), "unsteady": self.unsteady, "note": self.note()}


@dataclass
class LegResolver:
    """Decides, frame by frame, whether the model's leg labels must be swapped.

    Two tracks are kept, "the person's left leg" and "right leg". While the
    legs are apart, each frame's two chains are matched by position to the
    tracks as last clearly seen (continuity); the first ``vote_frames`` frames of a segment vote
    on the tracks' names (is the near leg the longer on screen, does its foot reach lower on
    the outline, do the model's labels agree), and the sum names the segment. Cost: a few small
    numpy operations per frame, and with a mask two column slices of it (about 0.1 ms at 720p).
    """

    # The first frames of a segment vote on its naming; later frames follow
    # continuity alone. Measured: swap bursts come mid-movement, seldom while
    # the legs first part, and letting every frame vote lets a long burst
    # outvote the correct frames before it. Each frame's vote is the
    # perspective cue (log of the ratio of the two chains' lengths, capped at
    # ``max_length_log_ratio``, side-on frames only) plus ``model_vote`` for the
    # model's labels. Measured on five replay sets: 15 frames beat 6 with the
    # perspective cue (10-20 about alike); a model vote of 0.01-0.05 about
    # alike, 0 (perspective alone) worse on three sets and better on one (these
    # with the model voting over all 15 frames; see ``model_vote_frames``).
    vote_frames: int = 15
    model_vote: float = 0.02
    # The model's labels vote in the first six frames only, as before perspective: a burst
    # of swapped labels soon after the legs part must not outvote the right frames before
    # it. So where perspective has no say (off the side), naming is what it was...
    model_vote_frames: int = 6
    # ... except that they vote again in the first six frames with the legs at least this far
    # apart (mean distance of knee, ankle, heel and toe, of the leg's length): as the legs part
    # the model names them least reliably (see the module's docstring). Of 0.35, 0.5 and 0.7,
    # the lowest named the two lunges measured there best.
    model_vote_min_separation: float = 0.35
    max_length_log_ratio: float = 0.15
    # Floor contact (needs the outline, ``Pose.mask``): filmed from above the floor, the foot nearer
    # the camera reaches lower on screen. Each frame's vote is how much lower the foot labelled
    # near reaches than the other (the outline's lowest pixel under each, of the leg's length),
    # capped. Side-on frames only, by the shoulders and the hips alike: off the side, the front
    # foot is also nearer or further by the stance (the real kneeling stretch K01, turned toward
    # the camera with shoulders at 0.16-0.2 of the trunk but hips at 0.23-0.25, had the front foot
    # lowest in 36 frames). And only with the feet apart across the screen, each foot's columns its own.
    # Capped lower than perspective: one frame must not outvote the model's six (0.12), as one
    # frame where floor and perspective were both wrong did, 15-25 degrees off the side (render
    # 11118: swapped 9% -> 44% at a cap of 0.15). The feet are 0.04-0.13 of the leg apart side-on.
    max_floor_vote: float = 0.05
    # The re-vote is held back only while the floor sides with the output in more than this
    # share of the window's frames (one such frame held a wrong naming for the whole window).
    floor_hold_fraction: float = 0.5
    foot_pad: float = 0.05  # each foot's columns: its heel, ankle and toe, widened by this (of the leg)
    # Side-on: shoulder separation on screen below this share of the trunk length
    # (about 10 degrees off the side for average proportions). Measured: 0.15-0.3 about alike.
    side_on_max_shoulder_ratio: float = 0.2
    # Only legs drawn in proportion vote (shin over thigh within this ratio and its inverse;
    # about 1 in life and on renders, side-on). The kneeling back leg is the reason: the model
    # puts its ankle on top of the flat foot and draws the shin short (52-80 px against 115
    # drawn), which made the near leg look the shorter for the whole first side of a held
    # stretch (render seed 5000: swapped in 50% of frames against 6%). Measured on five
    # replay sets: 0.7-0.9 about alike, 0.65 and below let those shins through again, so
    # the middle of the safe range.
    min_shin_thigh_ratio: float = 0.75
    # Below this mean separation of the distal points (fraction of leg length)
    # the two legs overlap on screen and position cannot tell them apart.
    min_separation: float = 0.12
    # Re-vote: disagreeing with the model in more than ``revote_fraction`` of the frames
    # of the last ``revote_window_s`` (the window at least ``revote_min_fill`` covered)
    # means continuity, not the model, is wrong. A continuity error disagrees in every
    # frame; the model's swap bursts, even dense ones, leave correct frames between
    # them (measured: 64% of a 1.5 s window in the camera-yawed lunge).
    revote_window_s: float = 1.5
    revote_fraction: float = 0.85
    revote_min_fill: float = 0.8
    # A frame whose two namings cost more alike than this ratio (better / worse) is
    # mid-slide: it is labelled by continuity but not used as the next reference.
    # 0.7-0.9 measured alike on held-out renders; at 1.0 every frame is a reference,
    # which lets continuity follow a slide.
    max_ambiguity: float = 0.8
    # No clear frame for this long (a gap in the track, a slide that does not end): the
    # segment starts afresh, as when the legs overlap.
    max_reference_age_s: float = 0.2
    # (2, 4, 2): the last clear frame's chains, resolved left then right.
    _ref: np.ndarray | None = field(default=None, init=False, repr=False)
    _ref_t: float = field(default=-1e9, init=False, repr=False)
    _recent: deque[tuple[float, bool, float]] = field(default_factory=deque, init=False, repr=False)
    _vote: float = field(default=0.0, init=False, repr=False)  # > 0: the evidence favours the tracks' names
    _voted: int = field(default=0, init=False, repr=False)
    _apart_voted: int = field(default=0, init=False, repr=False)
    # Running totals for ``stats`` (not cleared by ``reset``, which starts a new segment).
    _side_view_frames: int = field(default=0, init=False, repr=False)
    _relabelled_frames: int = field(default=0, init=False, repr=False)

    def stats(self) -> LegLabelStats:
        """Side-on frames seen so far, and how many of them had their leg labels exchanged."""
        return LegLabelStats(self._side_view_frames, self._relabelled_frames)

    def reset(self) -> None:
        self._ref, self._vote = None, 0.0
        self._recent.clear()

    def update(self, pose: Pose, time_s: float, near_side: Side | None) -> tuple[Pose, bool]:
        """Return the pose with legs labelled by anatomy, and whether labels were swapped."""
        if near_side is None:
            near_side = _near_side_unless_front(pose)
        if near_side is None:
            # Front view or facing unknown: the model's labels are reliable there.
            self.reset()
            return pose, False
        chains = _leg_chains(pose.xy)
        # The longer leg (seen or not) is the scale for "far apart".
        leg = leg_length(pose, min_visibility=0.0) or 1.0
        # No clear frame lately (a fresh start, a gap in the track, a long slide) or
        # overlapping legs: follow the model; a new segment starts.
        stale = self._ref is None or time_s - self._ref_t > self.max_reference_age_s
        clear = True
        separation = _separation(chains)
        if stale or separation < self.min_separation * leg:
            swapped = False
            self._vote, self._voted, self._apart_voted = 0.0, 0, 0
            self._recent.clear()
        else:
            # The cues vote in the segment's first frames; the model's labels in its first few,
            # and again in its first few with the legs well apart (``model_vote_min_separation``).
            cues_vote = self._voted < self.vote_frames
            apart_votes = (self._apart_voted < self.model_vote_frames
                           and separation >= self.model_vote_min_separation * leg)
            model_votes = apart_votes or (cues_vote and self._voted < self.model_vote_frames)
            # Both cues read the trunk's widths (side-on or not); perspective is only needed
            # while the segment votes, or to check the floor against it.
            widths = trunk_widths(pose.xy)
            floor = self._floor_vote(pose, near_side, leg, widths)
            perspective = self._perspective_vote(pose, near_side, widths) if cues_vote or floor else 0.0
            if floor * perspective < 0.0:
                floor = 0.0  # not against perspective, however weak (see the module's docstring)
            # Continuity: which naming of this frame's chains matches the last clear frame?
            same, crossed = _chain_cost(chains, self._ref), _chain_cost(chains[::-1], self._ref)
            swapped = crossed < same
            clear = min(same, crossed) < self.max_ambiguity * max(same, crossed)
            # The frame's vote: does the naming after continuity make the near leg the longer,
            # and does it agree with the model's labels?
            if cues_vote or model_votes:
                sign = -1.0 if swapped else 1.0
                evidence = (perspective + floor if cues_vote else 0.0) + (self.model_vote if model_votes else 0.0)
                self._vote += sign * evidence
                self._voted += cues_vote
                self._apart_voted += apart_votes
            if self._vote < -1e-9:  # a tie keeps the naming continuity gave
                # The evidence so far names the tracks the other way round.
                swapped = not swapped
                self._vote = -self._vote
            if self._continuity_outvoted(time_s, swapped, -floor if swapped else floor):
                swapped = False
        self._side_view_frames += 1
        self._relabelled_frames += swapped
        resolved = swap_legs(pose) if swapped else pose
        if clear:
            # Swapping the legs swaps the two chains: no need to gather them again from ``resolved``.
            self._ref, self._ref_t = (chains[::-1] if swapped else chains), time_s
        return resolved, swapped

    def _perspective_vote(self, pose: Pose, near_side: Side, widths: tuple[float, float, float]) -> float:
        """> 0 when the chain the model labels ``near_side`` is drawn longer; 0 unless side-on.

        ``widths`` are the pose's ``trunk_widths``.
        """
        xy = pose.xy
        shoulders, _, trunk = widths
        if trunk <= 0.0 or shoulders > self.side_on_max_shoulder_ratio * trunk:
            return 0.0
        near, far = _thigh_shin(xy, near_side), _thigh_shin(xy, other(near_side))
        lo = self.min_shin_thigh_ratio
        if not all(t > 0.0 and lo * t <= s and lo * s <= t for t, s in (near, far)):
            return 0.0  # a leg drawn out of proportion: the model has misplaced a joint
        cap = self.max_length_log_ratio
        return float(np.clip(np.log(sum(near) / sum(far)), -cap, cap))

    def _floor_vote(self, pose: Pose, near_side: Side, leg: float, widths: tuple[float, float, float]) -> float:
        """> 0 when the foot the model labels ``near_side`` reaches lower on the outline; 0 when it cannot tell.

        ``widths`` are the pose's ``trunk_widths``.
        """
        if pose.mask is None:
            return 0.0
        shoulders, hips, trunk = widths
        if trunk <= 0.0 or max(shoulders, hips) > self.side_on_max_shoulder_ratio * trunk:
            return 0.0
        pad = self.foot_pad * leg
        xs = [pose.xy[list(_FOOT[side]), 0] for side in (near_side, other(near_side))]
        spans = [(float(x.min() - pad), float(x.max() + pad)) for x in xs]
        (a0, a1), (b0, b1) = spans
        if a0 <= b1 and b0 <= a1:
            return 0.0  # the feet share columns: either could own the lowest pixel
        near, far = (_lowest_row(pose.mask, lo, hi) for lo, hi in spans)
        if near is None or far is None:
            return 0.0
        cap = self.max_floor_vote
        return float(np.clip((near - far) / leg, -cap, cap))

    def _continuity_outvoted(self, time_s: float, swapped: bool, floor: float) -> bool:
        """Has the output disagreed with the model for most of the recent window? (Then follow the model.)

        Not while the floor sides with the output in most of the window's frames (``floor`` > 0:
        this frame's feet agree with the output's naming): filmed from above, the model can be
        wrong for seconds on end, and then it is the model, not continuity, that is wrong.
        """
        recent = self._recent
        recent.append((time_s, swapped, floor))
        while time_s - recent[0][0] > self.revote_window_s:
            recent.popleft()
        covered = time_s - recent[0][0] >= self.revote_min_fill * self.revote_window_s
        if (swapped and covered and sum(s for _, s, _ in recent) > self.revote_fraction * len(recent)
                and sum(f > 0.0 for _, _, f in recent) <= self.floor_hold_fraction * len(recent)):
            recent.clear()
            return True
        return False


def _near_side_unless_front(pose: Pose) -> Side | None:
    """The near side in a three-quarter view, which the caller leaves undecided (neither side nor front).

    Swaps happen there too (camera 30-40 degrees off the side), and the
    facing direction is still clear from the face.
    """
    if view_of(pose) == "front":
        return None
    return near_side_for(chirality_of(pose))


def _thigh_shin(xy: np.ndarray, side: Side) -> tuple[float, float]:
    """Hip-knee and knee-ankle lengths on screen, in pixels."""
    hip, knee, ankle = LEG[side][:3]
    return float(np.hypot(*(xy[hip] - xy[knee]))), float(np.hypot(*(xy[knee] - xy[ankle])))


def _lowest_row(mask: np.ndarray, x0: float, x1: float, threshold: float = 0.5) -> float | None:
    """The lowest row of the outline (mask over ``threshold``) in columns x0..x1; None if it has none there."""
    lo, hi = max(int(x0), 0), min(int(np.ceil(x1)) + 1, mask.shape[1])
    if lo >= hi:
        return None
    rows = np.flatnonzero((mask[:, lo:hi] > threshold).any(axis=1))
    return float(rows[-1]) if len(rows) else None


def _leg_chains(xy: np.ndarray) -> np.ndarray:
    """Each leg's knee, ankle, heel and toe: (2, 4, 2), left first."""
    return np.stack([xy[_DISTAL["left"]], xy[_DISTAL["right"]]])


def _chain_cost(chains: np.ndarray, prev: np.ndarray) -> float:
    return float(np.linalg.norm(chains - prev, axis=-1).sum())


def _separation(chains: np.ndarray) -> float:
    return float(np.linalg.norm(chains[0] - chains[1], axis=-1).mean())

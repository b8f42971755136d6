"""A limb the model left out: the outline shows body that no drawn bone covers.

In side views of a split stance the model sometimes puts both labelled legs
on the same leg, knee on knee and ankle on ankle, and leaves the other leg
out altogether. On held-out renders of the kneeling hip-flexor stretch it did
so in 7-29% of the frames of four of 48 clips (and in those four only),
flickering in and out over a held position; the frames read the hidden
kneeling leg as a second front leg, its hip 70-100 degrees off, and after
each such run the leg tracking started afresh and could name the legs wrongly
for the rest of the side. More often it draws a leg part of the way to where
it is (a kneeling leg's knee half-way forward, a bent knee on the trunk).
Visibility flags none of it: the model is as sure of those legs as of right ones.

The outline does: the leg left out is still in the landmarker's
segmentation mask, far from every bone the model drew. So the mask is
compared with the drawn skeleton (each bone as a thick line, the trunk
filled, a disc for the head): body left over that is both large and far
from every bone is a limb the model missed. Measured on the raw model
output of held-out renders (lunges, bridges, stretches):

- frames whose two knees and two ankles the model drew together (26
  clips): where the truth's legs were apart, the largest such piece was
  0.05-0.32 of the leg's length squared (median 0.10) and reached 0.10-0.81
  of the leg from the nearest bone (median 0.45); where the legs really were
  together, it was under 0.022 in 95% of frames and reached under 0.18, but
  in a bridge filmed from above whose model legs lay on its trunk (flagged
  too, rightly);
- frames whose model legs were apart (29 clips, 3,681 frames): of the 210
  with such a piece, 205 had a knee or ankle over a fifth of the leg from
  where it was drawn (whichever way the legs were named), about half of the
  395 frames that did.

Such a frame's legs are guesses, so the pipeline leaves them unmeasured
rather than judging form from them (``Pipeline``). A limb left out that
is an arm would leave the legs unmeasured too; on the real clips here no
frame was flagged but where the legs were drawn off the body.

A bone drawn off the body. The check above misses a leg drawn only partly
wrong when the model's foot still covers the limb: in a rendered kneeling
stretch (seed 4010) the kneeling leg's ankle was drawn up in the air, its
shin crossing the gap under the thigh, while the foot ran back along the
real shin; the knee read 45-58 degrees against 106, in one view of every
two. The axis of a limb drawn where it is lies inside the outline, so a
thigh or shin whose middle is mostly off it is a guess: its lower joint
(and the ones below) are left unmeasured in that frame
(``joints_drawn_off``), their points held where the legs were last
trusted, as for a limb left out. On the README's 96 held-out renders,
clips within 5 degrees: stretches 22 -> 24 of 32 (4010 among them),
lunges 23 and bridges 26 unchanged; the worst clip's knee error fell from
12.7 to 6.9 degrees (bridges) and 8.1 to 6.4 (stretches). The cost: 30 of
the 96 clips had fewer frames measured (4 points on average; a bridge
filmed 25 degrees off the side 77% -> 58%). On 174 other renders no clip
crossed 5 degrees either way; the real clips lost 4 knee angles of 404
frames (L01) and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posturecam.landmarks import LEG, SKELETON, L
from posturecam.measures import leg_length
from posturecam.pose import Pose

_HEAD = (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EAR, L.RIGHT_EAR)
_TRUNK = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.RIGHT_HIP, L.LEFT_HIP)


@dataclass(frozen=True)
class OutlineCheck:
    """Settings; lengths are fractions of the longer leg on screen (hip-knee-ankle)."""

    # Half the width of a drawn bone: a thigh is about 0.1 of the leg across either side of its axis.
    bone_half_width: float = 0.12
    # Slivers thinner than this are the body's edge beyond a bone, not a limb.
    min_thickness: float = 0.06
    # A missed limb: a piece of body at least this large (of the leg's length squared) that
    # reaches at least this far from every bone.
    min_area: float = 0.035
    min_reach: float = 0.25
    mask_threshold: float = 0.5
    # The mask is read at this many pixels per 426 of the frame's long side (a quarter of 720p's).
    scale_per_426px: float = 0.75
    # A thigh or shin is drawn off the body when less than this share of its middle (the span,
    # from its upper joint) lies on the outline.
    min_bone_on_outline: float = 0.5
    bone_span: tuple[float, float] = (0.25, 0.75)
    bone_samples: int = 7


def missed_body(pose: Pose, check: OutlineCheck = OutlineCheck(), *,
                at_least: float = 0.0) -> tuple[float, float]:
    """The largest piece of the outline no drawn bone covers: its area and reach, as fractions of the leg.

    (0, 0) without a mask, or when no piece is ``at_least`` this large (of the leg's length
    squared): then the pieces are not sorted out nor their reach measured, which is most of
    the cost (it runs on every side view). About 0.5 ms a frame then, 1.1 ms in
    full, read at a quarter of 720p.
    """
    if pose.mask is None:
        return 0.0, 0.0
    mask = np.squeeze(pose.mask)
    h, w = mask.shape
    s = check.scale_per_426px * 426.0 / max(h, w)
    small = cv2.resize(mask, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_LINEAR)
    body = (small > check.mask_threshold).astype(np.uint8)
    xy = pose.xy * s
    leg = (leg_length(pose, min_visibility=0.0) or 0.0) * s  # guessed legs count: they are what is checked
    if leg <= 0.0:
        return 0.0, 0.0
    drawn = np.zeros_like(body)
    pts = np.round(xy).astype(np.int32)
    thick = max(2, round(2 * check.bone_half_width * leg))
    for a, b in SKELETON:
        cv2.line(drawn, tuple(map(int, pts[a])), tuple(map(int, pts[b])), 1, thick)
    cv2.fillConvexPoly(drawn, cv2.convexHull(pts[list(_TRUNK)]), 1)
    trunk = float(np.hypot(*((xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) - (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP])))) / 2
    head = xy[list(_HEAD)].mean(axis=0)
    cv2.circle(drawn, tuple(map(int, np.round(head))), max(1, round(0.3 * trunk)), 1, -1)
    left = body & (1 - drawn)
    k = max(1, round(check.min_thickness * leg))
    left = cv2.morphologyEx(left, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    smallest = at_least * leg**2
    if cv2.countNonZero(left) < max(smallest, 1.0):
        return 0.0, 0.0
    _, labels, stats, _ = cv2.connectedComponentsWithStats(left)  # at least one piece: pixels are left
    j = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[j, cv2.CC_STAT_AREA] < smallest:
        return 0.0, 0.0
    reach = cv2.distanceTransform(1 - drawn, cv2.DIST_L2, 3)[labels == j].max()
    return float(stats[j, cv2.CC_STAT_AREA]) / leg**2, float(reach) / leg


def joints_drawn_off(pose: Pose, check: OutlineCheck = OutlineCheck()) -> np.ndarray:
    """The leg joints below a thigh or shin the model drew off the body's outline (none without a mask).

    A shin drawn off leaves its ankle, heel and toes unmeasured; a thigh drawn off, its knee too.
    The middle of the bone is read, not its ends: a joint's own bulk and the other limb
    there would vouch for any bone.
    """
    if pose.mask is None:
        return np.empty(0, np.intp)
    mask = np.squeeze(pose.mask)
    h, w = mask.shape
    t = np.linspace(*check.bone_span, check.bone_samples)[:, None]
    off: list[int] = []
    for side in ("left", "right"):
        hip, knee, ankle = LEG[side][:3]
        for upper, lower, below in ((hip, knee, LEG[side][1:]), (knee, ankle, LEG[side][2:])):
            p = np.rint(pose.xy[upper] * (1 - t) + pose.xy[lower] * t).astype(np.intp)
            on = mask[np.clip(p[:, 1], 0, h - 1), np.clip(p[:, 0], 0, w - 1)] > check.mask_threshold
            if on.mean() < check.min_bone_on_outline:
                off.extend(below)
    return np.unique(np.array(off, np.intp))


def limb_left_out(pose: Pose, check: OutlineCheck = OutlineCheck()) -> bool:
    """Whether the outline shows a limb the drawn skeleton leaves out (False without a mask)."""
    if pose.mask is None:
        return False
    area, reach = missed_body(pose, check, at_least=check.min_area)
    return area >= check.min_area and reach >= check.min_reach


# From this share of the frames with a person, the summary says why their leg angles have gaps.
UNSEEN_NOTE_SHARE = 0.05


def unseen_legs_json(unseen_frames: int, frames_with_person: int) -> dict[str, object]:
    """The summary's account of frames whose legs were left unmeasured, with one plain sentence when it matters."""
    share = unseen_frames / frames_with_person if frames_with_person else 0.0
    note = None
    if unseen_frames and share >= UNSEEN_NOTE_SHARE:
        note = (f"In {share:.0%} of the frames the skeleton posturecam tracked did not match your outline in the "
                "video (both legs drawn on one leg, or a leg drawn beside yours or partly off it), so the knee and hip "
                "angles it could not trust there are left empty rather than guessed.")
    return {"frames": unseen_frames, "share": round(share, 3), "note": note}


__all__ = ["UNSEEN_NOTE_SHARE", "OutlineCheck", "joints_drawn_off", "limb_left_out", "missed_body",
           "unseen_legs_json"]

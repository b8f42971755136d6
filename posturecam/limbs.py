"""Knees and hips placed on the body's outline, where the model's landmarks drift.

On side views of bent legs the model's knee landmark often sits off the
joint, toward the front of the knee or down the shin, by up to half the
limb's width; that alone bends a 90-degree knee by 5-8 degrees. The outline
(the landmarker's segmentation mask) shows where the thigh and the shin
actually run: each is a long blob whose axis passes through the joint
centres at both ends. So the knee is moved to where the two axes cross, and
the ankle onto the shin's axis (keeping its distance along it), and the
angles are then measured from those points as usual. Better still, where it
can be fitted: a bent knee's outline turns round the joint on its outer side
(away from both bones) in an arc whose centre is the joint (``knee_on_arc``);
that holds where hands on the thigh rule its axis out. The hip joint lies on
the thigh's axis too: each hip is moved across onto it, and the side view's
hip angles are measured at a hip centre placed on the near thigh's axis
(``hip_centre_on``), where the hidden far hip had pulled them off.

Each axis is fitted to the mask pixels in a band around the model's own
segment, over the middle of the segment only (so the hip's and knee's bulk
does not pull it): the band is cut across into slices, each slice gives the
limb's centre there, and a line goes through those centres, leaving out
slices much wider than the rest (where a hand or the other leg touches the
limb; a principal axis of all the pixels was dragged by them). The band is
re-centred on the fit a few times so a segment the model drew a little off
the limb slides onto it. A leg is left as the model drew it when the fit
cannot be trusted: a landmark it is guessing, too few mask pixels, axes too
close to parallel to cross cleanly, or a knee that would move further than
a fraction of the thigh.

The outline has no depth order, so whatever else lies in a band would
drag the axis toward it. Hence: the near leg is always refined (it is in
front of whatever it overlaps), the far leg only when it is well apart from
the near one and stands clear (background on both sides of it); an arm
reaching into a band (hands on the front thigh in the kneeling stretch)
rules that bone out, and so does the near leg crossing the far one's.
Without the thigh the knee is only set onto the shin's axis. The far leg
crossing the near one shows only past the near limb's edges, over a few
slices, which come out wider than the rest and are dropped. The far leg
lying alongside the near one (both thighs of a bridge filmed from above
the hips) widens its outline on one side only, all along: there the axis is
taken from the outline's edges less the far bone's offset (``beside``).

Measured on renders (``benchmarks/accuracy_sweep.py``): it helps bridges
and kneeling stretches, and since the knee's outer arc lunges too, so
``Pipeline`` uses it for all three by default. Its cost is the segmentation
mask (about 9 ms of CPU a frame at 720p, in the model) and about 2 ms here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from posturecam.geometry import cross2
from posturecam.landmarks import ARM, LEG, L, Side, other
from posturecam.measures import side_view_hip
from posturecam.pose import Pose


@dataclass(frozen=True)
class LimbFit:
    """Settings of the outline fit; fractions are of the segment's length on screen."""

    band_half_width: float = 0.2  # how far either side of the segment a pixel may lie
    # The same for a limb that must stand clear (the far leg): a thick thigh is up to 0.24 of its
    # length across by the hip, so at 0.2 its own outline fell in the clear ring beyond the band and
    # the far thigh was never fitted (rendered stretches: in no frame).
    clear_band_half_width: float = 0.25
    span: tuple[float, float] = (0.2, 0.8)  # the part of the segment used (0 = its top joint)
    iterations: int = 3
    # At least this share of the band must be body (a limb fills about half of it).
    min_fill: float = 0.15
    min_visibility: float = 0.5
    # Below this sine of the angle between thigh and shin the crossing point is ill-defined.
    min_crossing_sine: float = 0.2
    # The knee's outer arc (``knee_on_arc``); lengths are of the shin's length on screen.
    arc_window: float = 0.4  # outline within this distance of the knee is read
    max_arc_knee_deg: float = 130.0  # a straighter knee's outer arc is too short to fit a circle to
    arc_radius: tuple[float, float] = (0.06, 0.3)  # a knee is 0.15 of the shin across; outside this it is not a knee
    max_arc_residual: float = 0.08  # RMS distance of the outline from the circle, of its radius
    max_arc_shift: float = 0.2
    # Another knee nearer than this may own the arc (both knees of a bridge, the far one above the
    # near one when filmed from above): the arc is then not used.
    arc_min_knee_gap: float = 0.8
    arc_iterations: int = 2
    # Outline this close to an arm bone is the arm's, not the knee's (a forearm resting along
    # the thigh up to the knee pulled the circle off the joint; an arm is 0.1 of the shin across).
    arc_arm_clearance: float = 0.1
    max_knee_shift: float = 0.25  # of the thigh's length
    max_hip_shift: float = 0.15  # of the thigh's length (the model's hips were 0.05-0.1 off the axis)
    # The far leg is refined only when its knee and ankle are this far (of the thigh) from the near leg's.
    far_leg_min_separation: float = 0.5
    mask_threshold: float = 0.5
    # Beyond the band, out to this half-width, at most this share of the area may be body
    # (checked for the far leg only: the near one is in front of whatever it overlaps).
    clear_half_width: float = 0.35
    max_clear_fill: float = 0.05
    obstacle_radius: float = 0.1  # half the width of an arm or the other leg, of the segment's length
    # An obstacle reaching only this many slices at either end of the span does not rule the bone
    # out: those slices come out wider than the rest and are dropped. 0 by default (a hand on the
    # hip or thigh reaches further along it than it shows); 1 for bridges (``Pipeline``).
    obstacle_free_end_slices: int = 0
    # Limbs the model is unsure of still count as being in the way: a guessed arm is likely an arm.
    min_obstacle_visibility: float = 0.0
    # The other leg's bone counts as crossing a leg bone above this sine of the angle between them.
    max_parallel_sine: float = 0.26
    # Below it, the other leg's bone lies alongside when its centre is within this distance across
    # (of the segment's length): the two limbs' outlines then merge into one (``beside_offsets``).
    max_beside: float = 0.35
    # The mask is read on a grid this many pixels apart per 426 pixels of the frame's long side
    # (6 px at 720p): a thigh is still 7-12 cells wide, and reading every third pixel measured
    # the same on 30 renders at twice the cost.
    grid_per_426px: float = 2.0
    slices: int = 6  # the span is cut across into this many slices, each giving one centre point
    # A slice wider than this times the median slice is where something else touches the limb.
    max_slice_width_ratio: float = 1.3


Axis = tuple[np.ndarray, np.ndarray]  # a point on the axis, unit direction


@dataclass(frozen=True)
class Outline:
    """The body's pixels, read once per frame on a coarse grid (cell area ``cell`` square pixels)."""

    points: np.ndarray  # (N, 2) float64, frame pixels
    cell: float

    @classmethod
    def from_mask(cls, mask: np.ndarray, fit: LimbFit = LimbFit()) -> Outline:
        mask = mask if mask.ndim == 2 else mask[..., 0]
        step = max(1, round(fit.grid_per_426px * max(mask.shape) / 426))
        ys, xs = np.nonzero(mask[::step, ::step] > fit.mask_threshold)
        return cls(np.stack([xs, ys], axis=1).astype(np.float64) * step, float(step * step))

    def near(self, start: np.ndarray, end: np.ndarray, margin: float) -> np.ndarray:
        """The points in the box around a segment, widened by ``margin`` (one pass; the fit then iterates on few)."""
        lo, hi = np.minimum(start, end) - margin, np.maximum(start, end) + margin
        p = self.points
        return p[(p[:, 0] >= lo[0]) & (p[:, 0] <= hi[0]) & (p[:, 1] >= lo[1]) & (p[:, 1] <= hi[1])]


def _frame(points: np.ndarray, origin: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates along ``d`` and across it, from ``origin``."""
    rel = points - origin
    return rel @ d, rel[:, 0] * -d[1] + rel[:, 1] * d[0]


def _in_band(points: np.ndarray, start: np.ndarray, end: np.ndarray, fit: LimbFit, band: float) -> bool:
    """Whether any of ``points`` (or a limb of the obstacle radius around it) reaches into the band."""
    length = float(np.hypot(*(end - start)))
    along, across = _frame(points, start, (end - start) / length)
    r = fit.obstacle_radius * length
    free = fit.obstacle_free_end_slices * (fit.span[1] - fit.span[0]) / fit.slices * length
    lo, hi = fit.span[0] * length - r + free, fit.span[1] * length + r - free
    return bool(np.any((along > lo) & (along < hi) & (np.abs(across) < band * length + r)))


def limb_axis(outline: Outline, start: np.ndarray, end: np.ndarray, fit: LimbFit = LimbFit(), *,
              obstacles: np.ndarray | None = None, clear: bool = False,
              beside: tuple[float, float] | None = None) -> Axis | None:
    """The axis of the limb the model drew from ``start`` to ``end``, from the outline; None when unsure.

    The direction points from ``start`` toward ``end``; the point is where the axis passes
    ``start`` (its foot of the perpendicular). ``obstacles`` are points of other limbs (the
    arms): if any reaches into the band, the outline there is partly theirs and no axis is
    given. With ``clear``, the limb must have background on both sides. ``beside`` is how
    far across (pixels, at ``start`` and at ``end``) another limb of the same width lies
    alongside, behind this one (``beside_offsets``): each slice's centre is then its
    outline's middle less half that offset.

    Why not the mean of the pixels, as without it: the other limb adds pixels on one side
    of the band only, and the band, re-centred on the fit, settles where it takes in as
    much of them as it loses of the limb's own. On rendered bridges filmed from above,
    the near thigh's axis stayed 0.03-0.07 of its length toward the far thigh from the
    model's start, and 0-0.02 from the true one.
    """
    length = float(np.hypot(*(end - start)))
    if length < 8.0:
        return None
    band = fit.clear_band_half_width if clear else fit.band_half_width
    if obstacles is not None and len(obstacles) and _in_band(obstacles, start, end, fit, band):
        return None
    half = band * length
    lo, hi = fit.span[0] * length, fit.span[1] * length
    b0, b1 = beside if beside is not None else (0.0, 0.0)
    across_lo, across_hi = -half + min(b0, b1, 0.0), half + max(b0, b1, 0.0)
    pts = outline.near(start, end, max(half + max(abs(b0), abs(b1)), fit.clear_half_width * length if clear else 0.0))
    offset_at = None if beside is None else (b0, (b1 - b0) / length)
    origin, d = start.astype(np.float64), (end - start) / length
    min_points = fit.min_fill * (hi - lo) * 2 * half / outline.cell
    for _ in range(fit.iterations):
        along, across = _frame(pts, origin, d)
        sel = (along > lo) & (along < hi) & (across > across_lo) & (across < across_hi)
        if np.count_nonzero(sel) < max(min_points, 5):
            return None
        line = _slice_line(along[sel], across[sel], lo, hi, outline.cell, fit, offset_at)
        if line is None:
            return None
        slope, offset = line
        n = np.array([-d[1], d[0]])
        origin = origin + offset * n
        d = (d + slope * n) / np.hypot(1.0, slope)
        origin = origin + ((start - origin) @ d) * d
    if clear:
        outer = fit.clear_half_width * length
        along, across = _frame(pts, origin, d)
        across = np.abs(across)
        ring = np.count_nonzero((along > lo) & (along < hi) & (across >= half) & (across < outer))
        if ring * outline.cell > fit.max_clear_fill * 2 * (outer - half) * (hi - lo):
            return None
    return origin, d


def _slice_line(along: np.ndarray, across: np.ndarray, lo: float, hi: float, cell: float,
                fit: LimbFit, beside: tuple[float, float] | None = None) -> tuple[float, float] | None:
    """The limb's centre line (across = slope * along + offset) from slices across it.

    Each slice's width is its pixel area over its length; a slice much wider than the
    median is where something else (a hand, the other leg) touches the limb, and is left
    out, so it cannot drag the line the way it drags a principal axis. With another limb
    alongside (``beside``: its offset across at along 0, and its change per pixel along),
    a slice's centre and width come from its outermost pixels, less that limb's share.
    """
    k = fit.slices
    idx = np.minimum(((along - lo) / (hi - lo) * k).astype(int), k - 1)
    count = np.bincount(idx, minlength=k).astype(np.float64)
    ok = count > 0
    if np.count_nonzero(ok) < 3:
        return None
    width = count * cell / ((hi - lo) / k)
    mid_along = np.bincount(idx, weights=along, minlength=k)[ok] / count[ok]
    if beside is None:
        mid_across = np.bincount(idx, weights=across, minlength=k)[ok] / count[ok]
    else:
        top, bottom = np.full(k, -np.inf), np.full(k, np.inf)
        np.maximum.at(top, idx, across)
        np.minimum.at(bottom, idx, across)
        other = beside[0] + beside[1] * mid_along
        mid_across = (top[ok] + bottom[ok] - other) / 2
        width[ok] = top[ok] - bottom[ok] - np.abs(other)
    keep = width[ok] <= fit.max_slice_width_ratio * np.median(width[ok])
    if np.count_nonzero(keep) < 3:
        return None
    x, y = mid_along[keep], mid_across[keep]
    xm, ym = x.mean(), y.mean()
    slope = float((x - xm) @ (y - ym) / max(float((x - xm) @ (x - xm)), 1e-9))
    return slope, float(ym - slope * xm)


def beside_offsets(pose: Pose, bone: tuple[int, int], other_bone: tuple[int, ...],
                   fit: LimbFit = LimbFit()) -> tuple[float, float] | None:
    """How far across ``bone`` (pixels, signed, at its two ends) the other leg's ``other_bone`` lies alongside it.

    None when the other bone crosses at an angle or lies well apart, i.e. when it does not
    merge with this limb into one outline. The model's points for a hidden far leg are a
    guess, but filmed from above a bridge the far thigh shows above the near one, and the
    model placed its midpoint 0.07-0.27 of the thigh off against a true 0.10-0.28.
    """
    a, b = pose.xy[bone[0]], pose.xy[bone[1]]
    oa, ob = pose.xy[other_bone[0]], pose.xy[other_bone[1]]
    length = float(np.hypot(*(b - a)))
    if length == 0.0 or not np.any(ob - oa):
        return None
    d = (b - a) / length
    if _crosses(d, ob - oa, fit):
        return None
    n = np.array([-d[1], d[0]])
    start, end = float((oa - a) @ n), float((ob - b) @ n)
    if abs(start + end) / 2 >= fit.max_beside * length:
        return None
    return start, end


def _crosses(d: np.ndarray, v: np.ndarray, fit: LimbFit) -> bool:
    """Whether a bone along ``v`` crosses one along the unit direction ``d`` at an angle, not lying along it."""
    n = float(np.hypot(*v))
    return n > 0 and abs(cross2(d, v)) / n > fit.max_parallel_sine


def _crossing(a: Axis, b: Axis, min_sine: float) -> np.ndarray | None:
    (p, u), (q, v) = a, b
    sine = u[0] * v[1] - u[1] * v[0]
    if abs(sine) < min_sine:
        return None
    s = ((q - p)[0] * v[1] - (q - p)[1] * v[0]) / sine
    return p + s * u


@dataclass(frozen=True)
class LegRefit:
    """Where the outline puts one leg's joints; ``None`` keeps the model's point."""

    hip: np.ndarray | None = None  # moved across onto the thigh's axis
    knee: np.ndarray | None = None
    ankle: np.ndarray | None = None
    thigh: Axis | None = None  # the thigh's axis, when fitted


def refine_leg(pose: Pose, outline: Outline, side: Side, fit: LimbFit = LimbFit(), *,
               clear: bool = False, arms: np.ndarray | None = None) -> LegRefit | None:
    """Joints of ``side``'s leg placed on its limbs' axes, or None to keep the model's.

    ``arms`` are the points ``arm_points`` gives, when already worked out for this pose.
    """
    hip_i, knee_i, ankle_i = LEG[side][:3]
    if min(pose.visibility[hip_i], pose.visibility[knee_i], pose.visibility[ankle_i]) < fit.min_visibility:
        return None
    hip, knee, ankle = pose.xy[hip_i], pose.xy[knee_i], pose.xy[ankle_i]
    if arms is None:
        arms = arm_points(pose, fit)
    other_leg = LEG[other(side)]
    if clear:  # the far leg: the near one in front of it hides it wherever they cross
        thigh_obstacles = _obstacles(pose, arms, other_leg, hip, knee, fit)
        shin_obstacles = _obstacles(pose, arms, other_leg, knee, ankle, fit)
        thigh_beside = shin_beside = None
    else:
        thigh_obstacles = shin_obstacles = arms
        thigh_beside = beside_offsets(pose, (hip_i, knee_i), other_leg[:2], fit)
        shin_beside = beside_offsets(pose, (knee_i, ankle_i), other_leg[1:3], fit)
    thigh = limb_axis(outline, hip, knee, fit, obstacles=thigh_obstacles, clear=clear, beside=thigh_beside)
    shin = limb_axis(outline, knee, ankle, fit, obstacles=shin_obstacles, clear=clear, beside=shin_beside)
    thigh_len = float(np.hypot(*(knee - hip)))
    # The hip joint lies on the thigh's axis too: only its position along it is unknown.
    new_hip = None if thigh is None else _onto(thigh, hip)
    if new_hip is not None and np.hypot(*(new_hip - hip)) > fit.max_hip_shift * thigh_len:
        new_hip = None
    new_knee = new_ankle = None
    if shin is not None:
        # Without the thigh (hands resting on it in the kneeling stretch) the knee can still be
        # set onto the shin's axis.
        new_knee = _onto(shin, knee) if thigh is None else _crossing(thigh, shin, fit.min_crossing_sine)
        shin_len = float(np.hypot(*(ankle - knee)))
        other_knee = pose.xy[other_leg[1]]
        if (new_knee is not None and pose.mask is not None
                and np.hypot(*(other_knee - knee)) > fit.arc_min_knee_gap * shin_len):
            arc = knee_on_arc(pose.mask, new_knee, shin[1], hip, shin_len, fit, arms=_arm_bones(pose))
            new_knee = new_knee if arc is None else arc
        if new_knee is None or np.hypot(*(new_knee - knee)) > fit.max_knee_shift * thigh_len:
            new_knee = None
        else:
            new_ankle = _onto(shin, ankle)
    if new_hip is None and new_knee is None:
        return None
    return LegRefit(new_hip, new_knee, new_ankle, thigh)


def knee_on_arc(mask: np.ndarray, knee: np.ndarray, down_shin: np.ndarray, hip: np.ndarray, shin_len: float,
                fit: LimbFit = LimbFit(), *, arms: np.ndarray | None = None) -> np.ndarray | None:
    """The centre of the circle the knee's outer outline follows: the joint, or None when no clean arc is there.

    Beyond the joint, away from both the thigh and the shin, a bent knee's outline is
    the knee itself, rounded about the joint. The shin's axis gives the knee's place
    across the shin but not along it, and the model's knee sits off along it (on rendered
    kneeling stretches 3% of the shin too low on the front knee, which opens its angle by
    4 degrees on average); without the thigh's axis (hands resting on it) nothing else
    did. Measured on 48 held-out rendered stretches (``benchmarks/accuracy_sweep.py``):
    clips with every joint within 5 degrees went from 21 to 30, knees' mean error from
    4.3/5.1 to 3.3/4.5 degrees. ``knee`` is the estimate to start from (on the shin's
    axis), ``down_shin`` the unit direction from the knee toward the ankle; the arc is
    taken from the outline on the far side of the knee from both the ankle and ``hip``
    and refitted around each new centre, leaving out the outline along ``arms`` (bones as
    (N, 2, 2) end points).
    """
    m = mask if mask.ndim == 2 else mask[..., 0]
    reach = fit.arc_window * shin_len
    x0, y0 = max(int(knee[0] - reach), 0), max(int(knee[1] - reach), 0)
    x1, y1 = min(int(knee[0] + reach) + 1, m.shape[1]), min(int(knee[1] + reach) + 1, m.shape[0])
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    contours, _ = cv2.findContours((m[y0:y1, x0:x1] > fit.mask_threshold).astype(np.uint8),
                                   cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    pts = np.concatenate([c[:, 0, :] for c in contours]).astype(np.float64)
    # The crop's own edges are not the body's outline.
    inside = (pts[:, 0] > 0) & (pts[:, 1] > 0) & (pts[:, 0] < x1 - x0 - 1) & (pts[:, 1] < y1 - y0 - 1)
    pts = pts[inside] + (x0, y0)
    if arms is not None and len(arms):
        clearance = fit.arc_arm_clearance * shin_len
        nearby = arms[_distance_to_bones(np.asarray(knee, np.float64)[None], arms)[0] < reach + clearance]
        if len(nearby):
            pts = pts[np.min(_distance_to_bones(pts, nearby), axis=1) > clearance]
    centre = np.asarray(knee, np.float64)
    min_cos = np.cos(np.radians(fit.max_arc_knee_deg))
    for _ in range(fit.arc_iterations):
        up_thigh = (hip - centre) / max(float(np.hypot(*(hip - centre))), 1e-9)
        if up_thigh @ down_shin < min_cos:
            return None
        rel = pts - centre
        outer = pts[(np.hypot(rel[:, 0], rel[:, 1]) < reach) & (rel @ down_shin < 0) & (rel @ up_thigh < 0)]
        if len(outer) < 8:
            return None
        circle = _circle(outer)
        if circle is None:
            return None
        centre, radius, rms = circle
        lo, hi = fit.arc_radius
        if not lo * shin_len < radius < hi * shin_len or rms > fit.max_arc_residual * radius:
            return None
    return centre if np.hypot(*(centre - knee)) <= fit.max_arc_shift * shin_len else None


def _distance_to_bones(points: np.ndarray, bones: np.ndarray) -> np.ndarray:
    """Each point's distance to each of ``bones`` (line segments, (N, 2, 2)): shape (points, bones)."""
    a, d = bones[:, 0], bones[:, 1] - bones[:, 0]
    t = np.einsum("pnk,nk->pn", points[:, None, :] - a, d) / np.maximum(np.einsum("nk,nk->n", d, d), 1e-9)
    foot = a + np.clip(t, 0.0, 1.0)[..., None] * d
    return np.hypot(*(points[:, None, :] - foot).transpose(2, 0, 1))


def _arm_bones(pose: Pose) -> np.ndarray:
    return np.array([(pose.xy[a], pose.xy[b]) for a, b in _ARM_BONES])


def _circle(points: np.ndarray) -> tuple[np.ndarray, float, float] | None:
    """Least-squares circle (algebraic fit): centre, radius and RMS distance of the points from it.

    Solved on coordinates about the points' mean, where the 3x3 normal equations are well
    conditioned; cheaper than a general least-squares solver, twice per knee and frame.
    """
    n = len(points)
    mean = points.sum(axis=0) / n
    q = points - mean
    a = np.column_stack([q, np.ones(n)])
    try:
        d, e, f = np.linalg.solve(a.T @ a, a.T @ -(q ** 2).sum(axis=1))
    except np.linalg.LinAlgError:  # all on one line
        return None
    centre = np.array([-d / 2, -e / 2])
    r2 = float(centre @ centre - f)
    if r2 <= 0:
        return None
    centre = centre + mean
    radius = float(np.sqrt(r2))
    res = np.hypot(*(points - centre).T) - radius
    rms = float(np.sqrt(res @ res / n))
    return centre, radius, rms


def _onto(axis: Axis, point: np.ndarray) -> np.ndarray:
    """The foot of the perpendicular from ``point`` to ``axis``."""
    p, u = axis
    return p + ((point - p) @ u) * u


# Upper arm, forearm and hand (wrist to the index and little fingers), both sides.
_ARM_BONES = (
    *((a[i], a[i + 1]) for a in (ARM["left"], ARM["right"]) for i in range(2)),
    (L.LEFT_WRIST, L.LEFT_INDEX), (L.LEFT_WRIST, L.LEFT_PINKY),
    (L.RIGHT_WRIST, L.RIGHT_INDEX), (L.RIGHT_WRIST, L.RIGHT_PINKY),
)


def arm_points(pose: Pose, fit: LimbFit = LimbFit()) -> np.ndarray:
    """Points along both arms and hands: what must not reach into a leg bone's band."""
    return _bone_points(pose, _ARM_BONES, fit.min_obstacle_visibility)


def _bone_points(pose: Pose, bones: tuple[tuple[int, int], ...], min_visibility: float,
                 per_bone: int = 6) -> np.ndarray:
    """Points along ``bones`` where the model sees both ends at least this well."""
    out = []
    t = np.linspace(0.0, 1.0, per_bone)[:, None]
    for a, b in bones:
        if min(pose.visibility[a], pose.visibility[b]) >= min_visibility:
            out.append(pose.xy[a] * (1 - t) + pose.xy[b] * t)
    return np.concatenate(out) if out else np.empty((0, 2))


def _obstacles(pose: Pose, arms: np.ndarray, other_leg: tuple[int, ...], start: np.ndarray, end: np.ndarray,
               fit: LimbFit) -> np.ndarray:
    """What may not reach into the far leg's bone's band: the arms, and the near leg's bones that cross it.

    The near leg is in front: wherever it crosses the far one, the outline there is its own.
    One lying along the same line (both thighs in a bridge) is not counted here: the far leg
    is fitted only when it stands clear of the near one anyway.
    """
    d = (end - start) / max(float(np.hypot(*(end - start))), 1e-9)
    crossing = []
    for a, b in ((other_leg[0], other_leg[1]), (other_leg[1], other_leg[2])):
        if _crosses(d, pose.xy[b] - pose.xy[a], fit):
            crossing.append((a, b))
    legs = _bone_points(pose, tuple(crossing), fit.min_obstacle_visibility)
    return np.concatenate([arms, legs]) if len(legs) else arms


def refine_legs(pose: Pose, near: Side | None, fit: LimbFit = LimbFit()) -> Pose:
    """``pose`` with its leg joints moved onto the outline's limb axes where that can be trusted.

    ``near`` is the person's side nearest the camera (legs already labelled by anatomy); without
    a side view (``None``) or a mask, the pose is returned unchanged. Besides the hips, knees
    and ankles, the pose gets a ``hip_centre`` on the near thigh's axis, where its side view's
    hip angles are measured (see ``hip_centre_on``).
    """
    if pose.mask is None or near is None:
        return pose
    sides: list[Side] = [near]
    far = other(near)
    thigh = float(np.hypot(*(pose.xy[LEG[near][1]] - pose.xy[LEG[near][0]])))
    apart = fit.far_leg_min_separation * thigh
    if all(np.hypot(*(pose.xy[LEG[near][i]] - pose.xy[LEG[far][i]])) > apart for i in (1, 2)):
        sides.append(far)
    outline = Outline.from_mask(pose.mask, fit)
    arms = arm_points(pose, fit)  # the same for both legs
    xy = pose.xy.copy()
    centre = None
    for side in sides:
        refit = refine_leg(pose, outline, side, fit, clear=side != near, arms=arms)
        if refit is None:
            continue
        for i, p in zip(LEG[side][:3], (refit.hip, refit.knee, refit.ankle), strict=True):
            if p is not None:
                xy[i] = p
        if side == near and refit.thigh is not None:
            centre = hip_centre_on(refit.thigh, pose, near, fit)
    if centre is None and np.array_equal(xy, pose.xy):
        return pose
    return replace(pose, xy=xy, hip_centre=centre)


def hip_centre_on(thigh: Axis, pose: Pose, near: Side, fit: LimbFit = LimbFit()) -> np.ndarray | None:
    """The hips' centre moved so that the near hip, as the hip angles place it, lies on the near thigh's axis.

    The hip angles of a side view are measured at the hips' centre, each side offset from it
    like its shoulder (``measures.side_view_hip``). On rendered kneeling stretches and bridges
    the model put the far hip, hidden behind the pelvis, up to 10% of the trunk's length off,
    which moved that centre off the joint: where hip angles failed, by 5-10 degrees. The near hip joint
    lies on the axis of the near thigh, the one limb always in full view, so the centre is
    moved across that axis; its place along the axis is the model's (the near hip's own
    landmark measured worse there).
    """
    vertex = side_view_hip(replace(pose, hip_centre=None), near)
    shift = _onto(thigh, vertex) - vertex
    hip, knee = LEG[near][:2]
    if np.hypot(*shift) > fit.max_hip_shift * float(np.hypot(*(pose.xy[knee] - pose.xy[hip]))):
        return None
    return (pose.xy[L.LEFT_HIP] + pose.xy[L.RIGHT_HIP]) / 2 + shift


__all__ = ["LegRefit", "LimbFit", "Outline", "arm_points", "beside_offsets", "hip_centre_on", "knee_on_arc",
           "limb_axis", "refine_leg", "refine_legs"]

"""Pelvic obliquity from the body's outline (front view), where the hip landmarks fall short.

MediaPipe's hip landmarks barely follow a tilted pelvis: they are placed from
the whole figure, and in a front view they stay near level whatever the
pelvis does. The outline does move: when the pelvis tilts, the flank on the
high side (waist hollow, flare of the hips) rides up and the other side's
drops. This module reads that shift from the segmentation mask.

Method, for a person facing the camera:

1. For every image row from the lower ribs to the upper thigh, walk outward
   from the body's centre line (hip-mid to shoulder-mid) to the first
   background pixel on each side: the torso's flank, or the gap between arm
   and flank. Rows where that edge reaches the arm (elbow/wrist line, from the
   landmarks) are unusable: the arm is touching the torso there.
2. Each side gives a profile: flank distance from the centre line by row.
3. The vertical offset that best lines the two profiles up (least squares,
   sub-pixel) is how far one side sits above the other; divided by the width
   between the flanks it gives the angle of the line joining matching contour
   points, signed positive when the person's left side is higher (the
   convention of ``geometry.line_tilt_deg``).

It returns ``None`` when it cannot tell: not a front view, too few usable
rows (arms resting against the body, as in most relaxed stances), or a poor
fit. Measured on rendered mannequins only; on real people the arms usually
touch the flanks and the function declines.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from posturecam.landmarks import ARM, SIDES, L

# Band of rows searched, as fractions of the trunk length (hip-mid to shoulder-mid, along the image
# vertical) measured from the hip-mid row: negative is above the hips.
BAND_TOP = -0.4
BAND_BOTTOM = 0.12
# Largest vertical offset between the two flanks searched, fraction of trunk length.
MAX_SHIFT = 0.2
# A flank edge closer than this to the arm's inner line (fraction of trunk length) is the arm, not the torso.
ARM_MARGIN = 0.02
# Fraction of the band's rows that must be usable on each side.
MIN_VALID_FRACTION = 0.5
# Hip width over trunk length below which this is not a front view.
MIN_WIDTH_RATIO = 0.3
# Residual of the profile fit (RMS, fraction of trunk length) above which the fit is rejected.
MAX_RESIDUAL = 0.03
MASK_THRESHOLD = 0.5


@dataclass(frozen=True)
class SilhouetteObliquity:
    """The estimate with what it was read from (for overlays and debugging)."""

    angle_deg: float
    shift_px: float  # how far the person's left flank sits above the right one
    width_px: float  # mean distance between the flanks over the rows used
    rows: int  # rows used by the fit
    residual: float  # RMS misfit of the aligned profiles, fraction of trunk length


def pelvic_obliquity_from_silhouette(mask: np.ndarray, xy: np.ndarray, visibility: np.ndarray | None = None,
                                     *, min_visibility: float = 0.3) -> float | None:
    """Pelvic obliquity in degrees (left side higher positive) from the outline, or ``None`` when unsure.

    ``mask`` is the segmentation mask (H, W) in [0, 1] (or bool) in the frame's pixels; ``xy`` the
    (33, 2) BlazePose landmarks in the same pixels; ``visibility`` optional per-landmark visibility.
    """
    r = silhouette_obliquity(mask, xy, visibility, min_visibility=min_visibility)
    return None if r is None else r.angle_deg


def silhouette_obliquity(mask: np.ndarray, xy: np.ndarray, visibility: np.ndarray | None = None,
                         *, min_visibility: float = 0.3) -> SilhouetteObliquity | None:
    """Like ``pelvic_obliquity_from_silhouette`` but with the details of the fit."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[:, :, 0]
    if mask.ndim != 2:
        return None
    need = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_ELBOW, L.RIGHT_ELBOW,
            L.LEFT_WRIST, L.RIGHT_WRIST)
    if visibility is not None and min(float(visibility[i]) for i in need) < min_visibility:
        return None
    xy = np.asarray(xy, dtype=np.float64)
    if not np.all(np.isfinite(xy[list(need)])):
        return None
    h, w = mask.shape
    body = mask > MASK_THRESHOLD if mask.dtype != bool else mask
    sh_mid = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    hip_mid = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    trunk = float(hip_mid[1] - sh_mid[1])
    hip_w = float(abs(xy[L.LEFT_HIP][0] - xy[L.RIGHT_HIP][0]))
    if trunk <= 10.0 or hip_w < MIN_WIDTH_RATIO * trunk:
        return None
    # +1 when the person's left is image right (facing the camera).
    left_x = xy[L.LEFT_HIP][0] + xy[L.LEFT_SHOULDER][0]
    left_sign = 1.0 if left_x > xy[L.RIGHT_HIP][0] + xy[L.RIGHT_SHOULDER][0] else -1.0

    y0 = math.floor(hip_mid[1] + BAND_TOP * trunk)
    y1 = math.ceil(hip_mid[1] + BAND_BOTTOM * trunk)
    if y0 < 0 or y1 >= h:
        return None
    ys = np.arange(y0, y1 + 1)
    # Centre line through hip-mid and shoulder-mid, extended.
    cx = hip_mid[0] + (ys - hip_mid[1]) * (sh_mid[0] - hip_mid[0]) / (sh_mid[1] - hip_mid[1])
    margin = ARM_MARGIN * trunk
    prof: dict[str, np.ndarray] = {}
    for side, sgn in zip(SIDES, (left_sign, -left_sign), strict=True):
        # NaN where the arm does not span the row; below the wrist the forearm's line
        # is extended a little, for the hand hanging on.
        arm_x = _polyline_x(xy[list(ARM[side])], ys)
        d = np.full(len(ys), np.nan)
        for k, y in enumerate(ys):
            c = round(cx[k])
            if not 0 <= c < w or not body[y, c]:
                continue
            row = body[y, c:] if sgn > 0 else body[y, c::-1]
            gaps = np.flatnonzero(~row)
            if len(gaps) == 0:
                continue
            dist = float(gaps[0])
            a = arm_x[k]
            if np.isfinite(a):
                arm_d = (a - cx[k]) * sgn
                if dist >= arm_d - margin:  # reached the arm: it touches the flank on this row
                    continue
            d[k] = dist
        prof[side] = d
    n = len(ys)
    if min(np.isfinite(prof["left"]).sum(), np.isfinite(prof["right"]).sum()) < MIN_VALID_FRACTION * n:
        return None
    return _align(prof["left"], prof["right"], ys, trunk)


def _polyline_x(pts: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """x of a top-to-bottom polyline at each row (NaN outside its vertical span)."""
    out = np.full(len(ys), np.nan)
    for a, b in itertools.pairwise(pts):
        lo, hi = (a, b) if a[1] <= b[1] else (b, a)
        if hi[1] - lo[1] < 1e-6:
            continue
        sel = (ys >= lo[1]) & (ys <= hi[1])
        out[sel] = lo[0] + (ys[sel] - lo[1]) * (hi[0] - lo[0]) / (hi[1] - lo[1])
    # Extend the last segment a little below its end (the hand).
    a, b = pts[-2], pts[-1]
    if b[1] - a[1] > 1e-6:
        sel = np.isnan(out) & (ys > b[1]) & (ys <= b[1] + 0.6 * (b[1] - a[1]))
        out[sel] = b[0] + (ys[sel] - b[1]) * (b[0] - a[0]) / (b[1] - a[1])
    return out


def _align(left: np.ndarray, right: np.ndarray, ys: np.ndarray, trunk: float) -> SilhouetteObliquity | None:
    """Find s (px) with left(y) ~ right(y + s) + c; the left flank is then s px higher."""
    max_s = math.ceil(MAX_SHIFT * trunk)
    shifts = np.arange(-max_s, max_s + 1)
    cost = np.full(len(shifts), np.inf)
    n = len(ys)
    for k, s in enumerate(shifts):
        if s >= 0:
            a, b = left[: n - s], right[s:]
        else:
            a, b = left[-s:], right[: n + s]
        ok = np.isfinite(a) & np.isfinite(b)
        if ok.sum() < max(8, MIN_VALID_FRACTION * n * 0.8):
            continue
        diff = a[ok] - b[ok]
        cost[k] = float(np.mean((diff - diff.mean()) ** 2))
    if not np.isfinite(cost).any():
        return None
    k = int(np.argmin(cost))
    if k == 0 or k == len(shifts) - 1 or not np.isfinite(cost[k - 1]) or not np.isfinite(cost[k + 1]):
        return None  # best at the edge of the search: no clear match
    c0, c1, c2 = cost[k - 1], cost[k], cost[k + 1]
    den = c0 - 2 * c1 + c2
    frac = 0.5 * (c0 - c2) / den if den > 0 else 0.0
    s = float(shifts[k]) + float(np.clip(frac, -0.5, 0.5))
    resid = math.sqrt(max(c1, 0.0)) / trunk
    if resid > MAX_RESIDUAL:
        return None
    both = np.isfinite(left) & np.isfinite(right)
    width = float(np.mean(left[both] + right[both])) if both.any() else float("nan")
    if not width > 0:
        return None
    # left(y) matches right(y + s): the left flank's feature sits s px above the right one's (y grows down).
    ang = math.degrees(math.atan2(s, width))
    return SilhouetteObliquity(angle_deg=ang, shift_px=s, width_px=width, rows=int(both.sum()), residual=resid)


__all__ = ["SilhouetteObliquity", "pelvic_obliquity_from_silhouette", "silhouette_obliquity"]

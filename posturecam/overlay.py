"""Drawing results onto frames: small annotators composed into one overlay.

Each annotator draws one thing (skeleton, joint angles, cue banner, counters,
status line) in place on a BGR image, so live mode and the annotated video
share exactly the same look and a researcher can pick the parts they want.
Sizes scale with the frame height so the cue stays readable from two metres
away on a laptop screen and in a 360p clip alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from posturecam.landmarks import LEG, SKELETON, L, Side
from posturecam.pipeline import FrameResult

Color = tuple[int, int, int]
LEFT_COLOR: Color = (255, 170, 60)  # person's left: blue-ish (BGR)
RIGHT_COLOR: Color = (60, 140, 255)  # person's right: orange
CENTER_COLOR: Color = (235, 235, 235)
FAULT_COLOR: Color = (40, 40, 230)
GOOD_COLOR: Color = (70, 190, 70)
VIEW_COLOR: Color = (0, 200, 240)
FONT = cv2.FONT_HERSHEY_DUPLEX
MIN_VISIBILITY_DRAWN = 0.3


def _scale(image: np.ndarray) -> float:
    return image.shape[0] / 720.0


def _color_of(landmark: L) -> Color:
    name = landmark.name
    return LEFT_COLOR if name.startswith("LEFT") else RIGHT_COLOR if name.startswith("RIGHT") else CENTER_COLOR


# Looked up per joint and bone on every frame, so worked out once from the landmark names.
_SIDE_COLORS: tuple[Color, ...] = tuple(_color_of(lm) for lm in L)


def _side_color(i: int) -> Color:
    return _SIDE_COLORS[i]


def _pt(xy: np.ndarray, offset_x: float = 0.0, mirror_w: int | None = None) -> tuple[int, int]:
    x = float(xy[0])
    if mirror_w is not None:
        x = mirror_w - 1 - x
    return round(x + offset_x), round(float(xy[1]))


def text_box(
    image: np.ndarray, text: str, org: tuple[int, int], scale: float, color: Color, bg: Color = (0, 0, 0)
) -> tuple[int, int]:
    """Text on a dark box, readable over any background. Returns the box's (width, height)."""
    thick = max(1, round(scale * 1.6))
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    pad = int(6 * scale) + 2
    x, y = org
    cv2.rectangle(image, (x, y), (x + tw + 2 * pad, y + th + base + 2 * pad), bg, -1)
    cv2.putText(image, text, (x + pad, y + pad + th), FONT, scale, color, thick, cv2.LINE_AA)
    return tw + 2 * pad, th + base + 2 * pad


class Annotator(Protocol):
    def annotate(self, image: np.ndarray, result: FrameResult, mirror: bool = False) -> None: ...


@dataclass(frozen=True)
class SkeletonAnnotator:
    """Bones colour-coded by the person's own side (left blue, right orange)."""

    thickness: int = 3

    def annotate(self, image: np.ndarray, result: FrameResult, mirror: bool = False) -> None:
        pose = result.pose
        if pose is None:
            return
        w = image.shape[1] if mirror else None
        t = max(2, int(self.thickness * _scale(image)))
        vis = pose.visibility
        for a, b in SKELETON:
            if vis[a] < MIN_VISIBILITY_DRAWN or vis[b] < MIN_VISIBILITY_DRAWN:
                continue
            color = _side_color(b) if _side_color(a) == CENTER_COLOR else _side_color(a)
            cv2.line(image, _pt(pose.xy[a], mirror_w=w), _pt(pose.xy[b], mirror_w=w), color, t, cv2.LINE_AA)
        for i in range(11, 33):
            if vis[i] >= MIN_VISIBILITY_DRAWN:
                cv2.circle(image, _pt(pose.xy[i], mirror_w=w), t + 2, _side_color(i), -1, cv2.LINE_AA)


@dataclass(frozen=True)
class AngleAnnotator:
    """Knee and hip angles written at their joints; trunk lean at the hip centre."""

    names: Sequence[str] = ("knee_deg", "hip_deg")

    def annotate(self, image: np.ndarray, result: FrameResult, mirror: bool = False) -> None:
        pose, m = result.pose, result.measures
        if pose is None or m is None:
            return
        s = _scale(image) * 0.6
        w = image.shape[1] if mirror else None
        joints = {"knee_deg": 1, "hip_deg": 0}
        side: Side
        for side in ("left", "right"):
            for name in self.names:
                v = m.side(name, side)
                if v is None:
                    continue
                x, y = _pt(pose.xy[LEG[side][joints[name]]], mirror_w=w)
                # Near/far joints overlap in side views: push labels apart horizontally.
                dx = int(12 * s) if (side == "left") != mirror else -int(90 * s)
                text_box(image, f"{v:.0f}", (x + dx, y - int(16 * s)), s, _side_color(LEG[side][1]))
        if m.trunk_lean_deg is not None:
            sh = (pose.xy[L.LEFT_SHOULDER] + pose.xy[L.RIGHT_SHOULDER]) / 2
            x, y = _pt(sh, mirror_w=w)
            text_box(image, f"trunk {m.trunk_lean_deg:+.0f}", (x + int(14 * s), y - int(10 * s)), s, CENTER_COLOR)


@dataclass(frozen=True)
class CueAnnotator:
    """One large banner across the bottom: the single cue to act on now."""

    def annotate(self, image: np.ndarray, result: FrameResult, mirror: bool = False) -> None:
        cue = result.state.cue
        if cue is None:
            return
        h, w = image.shape[:2]
        s = _scale(image) * 1.1
        if cue.id.startswith("view."):
            color = VIEW_COLOR
        elif cue.id == "good" or cue.id.endswith(".good"):
            color = GOOD_COLOR
        else:
            color = FAULT_COLOR
        thick = max(2, int(2 * s))
        text = cue.text
        while True:
            (tw, th), base = cv2.getTextSize(text, FONT, s, thick)
            if tw <= w * 0.94 or s < 0.4:
                break
            s *= 0.9
        bar_h = th + base + int(28 * _scale(image))
        y0 = h - bar_h
        band = image[y0:h]
        # Dark grey at 75% over the picture, in place: 0.25 * picture + 0.75 * 20 (no copy of the band).
        cv2.convertScaleAbs(band, dst=band, alpha=0.25, beta=0.75 * 20)
        cv2.rectangle(image, (0, y0), (int(10 * _scale(image)), h), color, -1)
        cv2.putText(
            image, text, ((w - tw) // 2, h - base - int(12 * _scale(image))), FONT, s, color, thick, cv2.LINE_AA
        )


@dataclass(frozen=True)
class CounterAnnotator:
    """Reps per side, or the hold timer against its target, top left."""

    def annotate(self, image: np.ndarray, result: FrameResult, mirror: bool = False) -> None:
        st = result.state
        s = _scale(image) * 0.9
        x, y = int(12 * _scale(image)), int(12 * _scale(image))
        lines: list[tuple[str, Color]] = [(st.exercise.replace("_", " ").title(), CENTER_COLOR)]
        if st.hold is not None or st.hold_target_s is not None:
            held = st.hold or 0.0
            target = st.hold_target_s or 0.0
            who = f" {st.hold_side}" if st.hold_side else ""
            color = GOOD_COLOR if target and held >= target else CENTER_COLOR
            lines.append((f"Hold{who}: {held:4.1f} / {target:.0f} s", color))
            done = ", ".join(f"{k} {v}" for k, v in st.holds_done.items() if v)
            if done:
                lines.append((f"Done: {done}", CENTER_COLOR))
        rc = st.rep_count
        if rc.get("total"):
            if rc.get("left") or rc.get("right"):
                lines.append((f"Reps  L {rc.get('left', 0)}   R {rc.get('right', 0)}", CENTER_COLOR))
            else:
                lines.append((f"Reps  {rc.get('total', 0)}", CENTER_COLOR))
        for text, color in lines:
            _, bh = text_box(image, text, (x, y), s, color)
            y += bh + int(4 * _scale(image))


@dataclass(frozen=True)
class StatusAnnotator:
    """A small status line top right: what the tool thinks it sees."""

    extra: str = ""

    def annotate(self, image: np.ndarray, result: FrameResult, mirror: bool = False) -> None:
        m = result.measures
        parts = [f"{result.time_s:6.1f} s"]
        if m is not None:
            parts.append(f"{m.view or '?'} view")
            if result.state.side:
                parts.append(f"{result.state.side} side")
        else:
            parts.append("no person")
        if self.extra:
            parts.append(self.extra)
        text = "  |  ".join(parts)
        s = _scale(image) * 0.5
        (tw, _), _ = cv2.getTextSize(text, FONT, s, 1)
        text_box(image, text, (image.shape[1] - tw - int(30 * _scale(image)), int(10 * _scale(image))), s, CENTER_COLOR)


DEFAULT_ANNOTATORS: tuple[Annotator, ...] = (
    SkeletonAnnotator(),
    AngleAnnotator(),
    CounterAnnotator(),
    StatusAnnotator(),
    CueAnnotator(),
)


def draw(
    result: FrameResult,
    annotators: Sequence[Annotator] = DEFAULT_ANNOTATORS,
    mirror: bool = False,
    image: np.ndarray | None = None,
) -> np.ndarray:
    """Annotate a frame. Draws on ``image`` if given (no copy), else on a copy of the frame.

    With ``mirror`` the picture is flipped like a mirror but the labels stay
    with the person's own left and right.
    """
    if image is None:
        image = cv2.flip(result.image, 1) if mirror else result.image.copy()
    for a in annotators:
        a.annotate(image, result, mirror)
    return image

"""Ground truth for one rendered frame, measured exactly like posturecam measures.

The angles are computed with ``posturecam.geometry`` on the projected 2D
truth points, so a test comparing the pipeline with the truth compares like
with like (same conventions, same projection), and only the landmark
detection and the pipeline's own logic are under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posturecam import geometry as g
from posturecam.landmarks import NUM_LANDMARKS, L

ANGLE_KEYS = ("left_knee_deg", "right_knee_deg", "left_hip_deg", "right_hip_deg", "trunk_lean_deg",
              "pelvic_obliquity_deg", "shoulder_tilt_deg")


@dataclass
class Truth:
    """Per-frame truth. ``points`` are pixels (x right, y down) in BlazePose order."""

    points: np.ndarray  # (33, 2)
    visible: np.ndarray  # (33,) bool: not hidden by the body
    depth: np.ndarray  # (33,) camera depth in metres
    chirality: int  # +1 facing image right, -1 facing image left, 0 front/back view
    angles: dict[str, float]
    commanded: dict[str, float] = field(default_factory=dict)  # the PoseAngles actually rendered
    t: float = 0.0
    frame: int = 0
    image_size: tuple[int, int] = (1280, 720)

    def point(self, lm: int) -> np.ndarray:
        return self.points[int(lm)]

    def to_json(self) -> dict:
        return {
            "frame": self.frame,
            "t": round(self.t, 4),
            "chirality": self.chirality,
            "angles": {k: (None if v != v else round(v, 3)) for k, v in self.angles.items()},
            "commanded": {k: round(v, 3) for k, v in self.commanded.items()},
            "points": {L(i).name.lower(): [round(float(x), 2), round(float(y), 2)]
                       for i, (x, y) in enumerate(self.points)},
            "visible": {L(i).name.lower(): bool(self.visible[i]) for i in range(NUM_LANDMARKS)},
        }

    @classmethod
    def from_json(cls, d: dict, image_size: tuple[int, int]) -> Truth:
        """The inverse of ``to_json`` (depth is not stored, so it comes back as NaN)."""
        names = [L(i).name.lower() for i in range(NUM_LANDMARKS)]
        return cls(
            points=np.array([d["points"][n] for n in names], dtype=np.float64),
            visible=np.array([d["visible"][n] for n in names], dtype=bool),
            depth=np.full(NUM_LANDMARKS, np.nan),
            chirality=int(d["chirality"]),
            angles={k: (float("nan") if v is None else float(v)) for k, v in d["angles"].items()},
            commanded=dict(d.get("commanded", {})),
            t=float(d["t"]),
            frame=int(d["frame"]),
            image_size=image_size,
        )


def angles_from_points(pts: np.ndarray, chirality: int) -> dict[str, float]:
    """posturecam's angles from a (33,2) array of points by anatomical side."""
    ch = chirality or None
    sh_mid = (pts[L.LEFT_SHOULDER] + pts[L.RIGHT_SHOULDER]) / 2
    hip_mid = (pts[L.LEFT_HIP] + pts[L.RIGHT_HIP]) / 2
    out = {}
    for s in ("left", "right"):
        up = s.upper()
        hip, knee, ankle = pts[L[f"{up}_HIP"]], pts[L[f"{up}_KNEE"]], pts[L[f"{up}_ANKLE"]]
        sh = pts[L[f"{up}_SHOULDER"]]
        out[f"{s}_knee_deg"] = g.knee_angle_deg(hip, knee, ankle, ch)
        out[f"{s}_hip_deg"] = g.hip_angle_deg(sh, hip, knee, ch)
    out["trunk_lean_deg"] = g.lean_from_vertical_deg(hip_mid, sh_mid, ch)
    out["pelvic_obliquity_deg"] = g.line_tilt_deg(pts[L.LEFT_HIP], pts[L.RIGHT_HIP])
    out["shoulder_tilt_deg"] = g.line_tilt_deg(pts[L.LEFT_SHOULDER], pts[L.RIGHT_SHOULDER])
    return {k: out[k] for k in ANGLE_KEYS}

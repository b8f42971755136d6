"""Render one frame (image + truth) or a clip (mp4 + truth json sidecar)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from posturecam.synthetic import draw
from posturecam.synthetic.appearance import Appearance
from posturecam.synthetic.body import Body, Placement, PoseAngles, grounded
from posturecam.synthetic.camera import Camera
from posturecam.synthetic.scene import BodyPainter, landmarks3d
from posturecam.synthetic.truth import Truth, angles_from_points

View = Literal["side", "front", "back"]
Facing = Literal["left", "right"]


# Shared immutable defaults (frozen dataclasses), so signatures stay readable.
DEFAULT_BODY = Body()
DEFAULT_APPEARANCE = Appearance()
DEFAULT_CAMERA = Camera()
DEFAULT_PLACEMENT = Placement()


def heading_for(view: View, facing: Facing = "right") -> float:
    """Body heading for a view from the default camera (yaw 0)."""
    if view == "front":
        return -90.0
    if view == "back":
        return 90.0
    return 0.0 if facing == "right" else 180.0


def chirality_for(heading_deg: float, cam: Camera) -> int:
    """+1 if the body faces image right, -1 image left, 0 when seen from (near) front or back."""
    h = math.radians(heading_deg)
    fwd0 = np.array([math.cos(h), 0.0, math.sin(h)])
    fr = float(fwd0 @ cam.rotation()[0])
    return 0 if abs(fr) < 0.5 else (1 if fr > 0 else -1)


def render(angles: PoseAngles, body: Body = DEFAULT_BODY, appearance: Appearance = DEFAULT_APPEARANCE,
           camera: Camera = DEFAULT_CAMERA, placement: Placement = DEFAULT_PLACEMENT, *,
           t: float = 0.0, frame: int = 0) -> tuple[np.ndarray, Truth]:
    """Draw the grounded body in the room and measure its truth."""
    sk = grounded(angles, body, placement)
    img = draw.background(camera, appearance).copy()
    painter = BodyPainter(sk, body, appearance, camera)
    # Contact shadow: body points dropped to the floor.
    pts = np.array([p for k, p in sk.joints.items() if k != "shoulder_mid"])
    low = pts[:, 1] < 0.35
    if low.any():
        flo = pts[low].copy()
        flo[:, 1] = 0.0
        sh, _ = camera.project(flo)
        draw.soft_shadow(img, sh)
    painter.paint(img)
    lm = landmarks3d(sk, body)
    uv, z = camera.project(lm)
    chir = chirality_for(placement.heading_deg, camera)
    truth = Truth(points=uv, visible=painter.visibility(lm), depth=z, chirality=chir,
                  angles=angles_from_points(uv, chir), commanded=asdict(angles), t=t, frame=frame,
                  image_size=(camera.width, camera.height))
    return img, truth


def frame_camera(samples: list[PoseAngles], body: Body, placement: Placement, camera: Camera,
                 fill: float = 0.75) -> Camera:
    """Aim and distance the camera so every sampled pose fits the frame."""
    pts = np.vstack([landmarks3d(grounded(a, body, placement), body) for a in samples])
    # Pad with the head top and the floor under the feet.
    pad = pts.copy()
    pad[:, 1] = np.maximum(pad[:, 1] + body.head_radius * 1.2, 0)
    flo = pts.copy()
    flo[:, 1] = 0
    return camera.framed(np.vstack([pts, pad, flo]), fill)


def render_still(angles: PoseAngles, body: Body = DEFAULT_BODY, appearance: Appearance = DEFAULT_APPEARANCE,
                 camera: Camera = DEFAULT_CAMERA, *, view: View = "side",
                 facing: Facing = "right") -> tuple[np.ndarray, Truth]:
    """One pose seen from ``view``, the camera aimed and distanced to frame it (as ``render_clip`` does)."""
    place = Placement(heading_deg=heading_for(view, facing))
    return render(angles, body, appearance, frame_camera([angles], body, place, camera), place)


def open_writer(path: Path, fps: float, size: tuple[int, int], codec: str = "mp4v") -> cv2.VideoWriter:
    path.parent.mkdir(parents=True, exist_ok=True)
    for cc in (codec, "mp4v"):
        w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*cc), fps, size)
        if w.isOpened():
            return w
    raise RuntimeError(f"cannot open a video writer for {path}")


def render_clip(motion, seconds: float | None = None, fps: float = 30.0, path: str | Path | None = None, *,
                body: Body = DEFAULT_BODY, appearance: Appearance = DEFAULT_APPEARANCE,
                camera: Camera = DEFAULT_CAMERA,
                view: View = "side", facing: Facing = "right", auto_frame: bool = True,
                placement: Placement | None = None, codec: str = "mp4v", fill: float = 0.75,
                write_truth: bool = True) -> list[Truth]:
    """Render ``motion`` (a ``Motion``) to ``path`` (.mp4) with ``<stem>.truth.json`` beside it.

    Returns the per-frame truth. With ``path=None`` nothing is written (frames
    are still rendered so the truth includes visibility).
    """
    seconds = motion.duration if seconds is None else seconds
    place = placement or Placement(heading_deg=heading_for(view, facing))
    n = max(1, round(seconds * fps))
    times = [i / fps for i in range(n)]
    poses = [motion.pose(t, body) for t in times]
    cam = camera
    if auto_frame:
        cam = frame_camera(poses[:: max(1, n // 40)], body, place, camera, fill)
    writer = open_writer(Path(path), fps, (cam.width, cam.height), codec) if path else None
    truths = []
    for i, (t, a) in enumerate(zip(times, poses, strict=True)):
        img, tr = render(a, body, appearance, cam, place, t=t, frame=i)
        truths.append(tr)
        if writer is not None:
            writer.write(img)
    if writer is not None:
        writer.release()
        if write_truth:
            meta = {
                "motion": motion.metadata(),
                "fps": fps,
                "seconds": seconds,
                "frames": n,
                "view": view,
                "facing": facing if view == "side" else None,
                "heading_deg": place.heading_deg,
                "image_size": [cam.width, cam.height],
                "camera": asdict(cam),
                "body": asdict(body),
                "appearance": asdict(appearance),
                "angle_conventions": "posturecam.geometry on projected 2D truth points",
                "per_frame": [tr.to_json() for tr in truths],
            }
            truth_path(path).write_text(json.dumps(meta, separators=(",", ":")))
    return truths


def truth_path(clip: str | Path) -> Path:
    """``samples/lunge_side.mp4`` -> ``samples/lunge_side.truth.json``."""
    return Path(clip).with_suffix(".truth.json")


def load_truths(clip: str | Path) -> list[Truth]:
    """The per-frame truth written beside ``clip`` by ``render_clip``, for scoring a clip rendered earlier."""
    meta = json.loads(truth_path(clip).read_text())
    size = tuple(meta["image_size"])
    return [Truth.from_json(f, size) for f in meta["per_frame"]]  # type: ignore[arg-type]


__all__ = ["chirality_for", "frame_camera", "heading_for", "load_truths", "render", "render_clip", "render_still",
           "truth_path"]

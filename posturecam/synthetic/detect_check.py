"""Run MediaPipe's PoseLandmarker on renders and compare with the truth.

This is a measuring tool for the renderer (does the real model see our
mannequin, where, and does it swap the legs?), not part of the pipeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posturecam.landmarks import L
from posturecam.synthetic.truth import Truth

MODEL = Path(__file__).resolve().parents[1] / "models" / "pose_landmarker_full.task"


def make_landmarker(video: bool = True):
    import mediapipe as mp  # noqa: F401  (imported for its side effects on the tasks API)
    from mediapipe.tasks.python import BaseOptions, vision

    mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(MODEL)),
                                        running_mode=mode, num_poses=1)
    return vision.PoseLandmarker.create_from_options(opts)


def detect(landmarker, bgr: np.ndarray, timestamp_ms: int | None = None) -> np.ndarray | None:
    """(33,3) pixel x, y and visibility, or None if no person was found."""
    import mediapipe as mp

    img = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    res = landmarker.detect(img) if timestamp_ms is None else landmarker.detect_for_video(img, timestamp_ms)
    if not res.pose_landmarks:
        return None
    h, w = bgr.shape[:2]
    return np.array([[p.x * w, p.y * h, p.visibility] for p in res.pose_landmarks[0]])


@dataclass
class FrameCheck:
    detected: bool
    knee_err_px: float  # mean over both knees, best of same/swapped labels
    hip_err_px: float
    ankle_err_px: float
    swapped: bool  # model's left/right knee labels nearer the truth's opposite sides
    ambiguous: bool  # knees too close together to tell (legs overlap on screen)


def pair_distances(xy: np.ndarray, truth_points: np.ndarray, a: int, b: int) -> tuple[float, float]:
    """Summed pixel distance of a left/right pair to the truth: as labelled, and with the labels exchanged."""
    t = truth_points
    same = np.linalg.norm(xy[a] - t[a]) + np.linalg.norm(xy[b] - t[b])
    cross = np.linalg.norm(xy[a] - t[b]) + np.linalg.norm(xy[b] - t[a])
    return float(same), float(cross)


def check_frame(det: np.ndarray | None, truth: Truth, min_sep_px: float = 12.0) -> FrameCheck:
    if det is None:
        return FrameCheck(False, np.nan, np.nan, np.nan, False, False)
    t, d = truth.points, det[:, :2]

    def err(a: int, b: int) -> float:
        return pair_distances(d, t, a, b)[0] / 2

    lk, rk = L.LEFT_KNEE, L.RIGHT_KNEE
    same, cross = pair_distances(d, t, lk, rk)
    sep = float(np.linalg.norm(t[lk] - t[rk]))
    knee = float(min(same, cross) / 2)  # position error whatever the labels say
    return FrameCheck(True, knee, err(L.LEFT_HIP, L.RIGHT_HIP), err(L.LEFT_ANKLE, L.RIGHT_ANKLE),
                      bool(cross < same), sep < min_sep_px)


def check_clip(clip: str | Path, truths: list[Truth] | None = None) -> dict:
    """Run the model over a clip and summarise detection, landmark error and leg swaps."""
    from posturecam.synthetic.render import truth_path

    if truths is None:
        meta = json.loads(truth_path(clip).read_text())
        truths = [_truth_from_json(f) for f in meta["per_frame"]]
        fps = meta["fps"]
    else:
        fps = 30.0
    cap = cv2.VideoCapture(str(clip))
    lm = make_landmarker(video=True)
    checks = []
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok or i >= len(truths):
            break
        checks.append(check_frame(detect(lm, frame, int(i * 1000 / fps)), truths[i]))
        i += 1
    lm.close()
    return summarise(checks)


def summarise(checks: list[FrameCheck]) -> dict:
    det = [c for c in checks if c.detected]
    clear = [c for c in det if not c.ambiguous]
    return {
        "frames": len(checks),
        "detection_rate": len(det) / max(len(checks), 1),
        "knee_err_px_median": float(np.nanmedian([min(c.knee_err_px, 1e4) for c in det])) if det else None,
        "hip_err_px_median": float(np.nanmedian([c.hip_err_px for c in det])) if det else None,
        "ankle_err_px_median": float(np.nanmedian([c.ankle_err_px for c in det])) if det else None,
        "swap_rate": (sum(c.swapped for c in clear) / len(clear)) if clear else None,
        "swap_frames": [i for i, c in enumerate(checks) if c.detected and not c.ambiguous and c.swapped],
    }


def _truth_from_json(f: dict) -> Truth:
    pts = np.array([f["points"][L(i).name.lower()] for i in range(33)], float)
    vis = np.array([f["visible"][L(i).name.lower()] for i in range(33)], bool)
    return Truth(points=pts, visible=vis, depth=np.zeros(33), chirality=f["chirality"], angles=f["angles"],
                 t=f["t"], frame=f["frame"])

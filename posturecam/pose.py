"""Pose estimation: MediaPipe's PoseLandmarker behind a small, typed facade.

Everything downstream works on ``Pose``: plain numpy arrays in the pixel
coordinates of the frame as the person sees it, whatever rotation was needed
to find them. MediaPipe objects never leak out of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from posturecam.errors import PosturecamError
from posturecam.landmarks import MIRRORED_ORDER, NUM_LANDMARKS, L
from posturecam.model import ModelInfo, resolve_model

Rotation = Literal[0, 90, 180, 270]
# A part of the frame, in its pixels: x0, y0, x1, y1 (exclusive ends).
Box = tuple[int, int, int, int]
ROTATIONS: tuple[Rotation, ...] = (0, 90, 180, 270)
_MIRRORED_INDEX = np.array(MIRRORED_ORDER)
_CV_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame.

    ``xy`` is in pixels of the original (unrotated) frame; ``z`` is
    MediaPipe's relative depth (smaller = nearer the camera, same scale as x
    in normalised units); ``world`` is metres about the hip centre.
    """

    xy: np.ndarray  # (33, 2) float64
    z: np.ndarray  # (33,)
    visibility: np.ndarray  # (33,)
    presence: np.ndarray  # (33,)
    world: np.ndarray  # (33, 3)
    rotation_deg: int = 0
    mask: np.ndarray | None = field(default=None, repr=False)  # (H, W) float32 in [0, 1], original frame
    # Where a side view's hip angles are measured, in pixels, when the outline placed it
    # (``posturecam.limbs``); None: midway between the two hip landmarks.
    hip_centre: np.ndarray | None = None
    mirrored: bool = False  # read from the frame shown to the model mirrored (``OrientedDetector``)
    # The outline showed a limb the model left out, or a leg bone drawn off the body: those
    # knees and feet are held where last trusted and marked unseen (``Pipeline._unmeasured``),
    # though they are in the picture.
    legs_unseen: bool = False

    def centre_of_hips(self) -> np.ndarray:
        """Where a side view's hip angles are measured from: the outline's hip centre, else the hips' midpoint."""
        if self.hip_centre is not None:
            return self.hip_centre
        return (self.xy[L.LEFT_HIP] + self.xy[L.RIGHT_HIP]) / 2

    def with_points(self, index: np.ndarray) -> Pose:
        """The same pose with landmarks re-indexed (used to swap mislabelled legs)."""
        return Pose(
            xy=self.xy[index],
            z=self.z[index],
            visibility=self.visibility[index],
            presence=self.presence[index],
            world=self.world[index],
            rotation_deg=self.rotation_deg,
            mask=self.mask,
            hip_centre=self.hip_centre,
            mirrored=self.mirrored,
            legs_unseen=self.legs_unseen,
        )


def unrotate_points(xy_rot: np.ndarray, rotation_deg: int, width: int, height: int) -> np.ndarray:
    """Map pixel points found in a frame rotated clockwise by ``rotation_deg`` back to the original.

    ``width``/``height`` are the original frame's size.
    """
    x, y = xy_rot[:, 0], xy_rot[:, 1]
    if rotation_deg == 0:
        return xy_rot.copy()
    if rotation_deg == 90:  # rotated frame is (h, w): x' = h-1-y, y' = x
        return np.stack([y, (height - 1) - x], axis=1)
    if rotation_deg == 180:
        return np.stack([(width - 1) - x, (height - 1) - y], axis=1)
    if rotation_deg == 270:  # x' = y, y' = w-1-x
        return np.stack([(width - 1) - y, x], axis=1)
    raise ValueError(f"rotation must be one of {ROTATIONS}")


def rotate_image(image: np.ndarray, rotation_deg: int) -> np.ndarray:
    return image if rotation_deg == 0 else cv2.rotate(image, _CV_ROTATE[rotation_deg])


def unrotate_image(image: np.ndarray, rotation_deg: int) -> np.ndarray:
    return image if rotation_deg == 0 else cv2.rotate(image, _CV_ROTATE[(360 - rotation_deg) % 360])


class PoseEstimator:
    """PoseLandmarker in VIDEO mode (tracking across frames) or IMAGE mode.

    One landmarker is kept per rotation tried (and for mirrored and cropped
    frames), because MediaPipe's tracker carries the previous frame's region
    of interest and would be confused by a frame that suddenly arrives turned
    on its side, or cut down to a part of itself.
    """

    def __init__(
        self,
        model: ModelInfo | str | None = None,
        *,
        video: bool = True,
        with_mask: bool = False,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        self.model = model if isinstance(model, ModelInfo) else resolve_model(model)
        self._video = video
        self._with_mask = with_mask
        self._min_det = min_detection_confidence
        self._min_track = min_tracking_confidence
        self._landmarkers: dict[tuple[int, bool, bool], vision.PoseLandmarker] = {}
        self._last_ts: dict[tuple[int, bool, bool], int] = {}
        # Scratch images reused frame after frame (MediaPipe copies its input): a fresh
        # 2.7 MB array per 720p frame costs page faults on top of the conversion itself.
        self._scratch: dict[tuple[str, tuple[int, ...]], np.ndarray] = {}

    def _buffer(self, kind: str, shape: tuple[int, ...]) -> np.ndarray:
        buf = self._scratch.get((kind, shape))
        if buf is None:
            buf = self._scratch[(kind, shape)] = np.empty(shape, np.uint8)
        return buf

    def _to_rgb(self, image_bgr: np.ndarray, rotation_deg: int, mirrored: bool = False) -> np.ndarray:
        """The frame as MediaPipe wants it (RGB, turned, then mirrored if asked), written into a reused buffer."""
        src = image_bgr
        if rotation_deg:
            h, w = image_bgr.shape[:2]
            shape = (w, h, *image_bgr.shape[2:]) if rotation_deg in (90, 270) else image_bgr.shape
            src = cv2.rotate(image_bgr, _CV_ROTATE[rotation_deg], dst=self._buffer("rot", shape))
        if mirrored:
            src = cv2.flip(src, 1, dst=self._buffer("mirror", src.shape))
        if src.ndim == 2 or src.shape[2] != 3:
            code = cv2.COLOR_GRAY2RGB if src.ndim == 2 else cv2.COLOR_BGRA2RGB
            return cv2.cvtColor(src, code)
        return cv2.cvtColor(src, cv2.COLOR_BGR2RGB, dst=self._buffer("rgb", src.shape))

    def _landmarker(self, key: tuple[int, bool, bool]) -> vision.PoseLandmarker:
        lm = self._landmarkers.get(key)
        if lm is None:
            opts = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(self.model.path)),
                running_mode=vision.RunningMode.VIDEO if self._video else vision.RunningMode.IMAGE,
                num_poses=1,
                min_pose_detection_confidence=self._min_det,
                min_pose_presence_confidence=self._min_det,
                min_tracking_confidence=self._min_track,
                output_segmentation_masks=self._with_mask,
            )
            try:
                lm = vision.PoseLandmarker.create_from_options(opts)
            except (RuntimeError, ValueError) as exc:
                raise PosturecamError(f"could not load pose model {self.model.path}: {exc}") from None
            self._landmarkers[key] = lm
        return lm

    def detect(self, image_bgr: np.ndarray, timestamp_ms: int, rotation_deg: int = 0,
               mirrored: bool = False, crop: Box | None = None) -> Pose | None:
        """Find the person in a BGR frame, optionally cut to ``crop``, turned clockwise by ``rotation_deg``
        and then mirrored.

        Whatever the frame went through, the pose (and its mask) comes back in the original
        frame's pixels and with the person's own left and right.
        """
        full_h, full_w = image_bgr.shape[:2]
        x0 = y0 = 0
        if crop is not None:
            x0, y0, x1, y1 = crop
            image_bgr = image_bgr[y0:y1, x0:x1]
        h, w = image_bgr.shape[:2]
        rgb = self._to_rgb(image_bgr, rotation_deg, mirrored)
        mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)  # copies: the buffer is free again
        key = (rotation_deg, mirrored, crop is not None)
        lm = self._landmarker(key)
        if self._video:
            ts = max(int(timestamp_ms), self._last_ts.get(key, -1) + 1)
            self._last_ts[key] = ts
            result = lm.detect_for_video(mp_image, ts)
        else:
            result = lm.detect(mp_image)
        if not result.pose_landmarks:
            return None
        raw = result.pose_landmarks[0]
        arr = np.array([(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in raw], dtype=np.float64)
        rh, rw = rgb.shape[:2]
        xy_rot = arr[:, :2] * (rw, rh)
        world = np.zeros((NUM_LANDMARKS, 3))
        if result.pose_world_landmarks:
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]], dtype=np.float64)
        mask = None
        if self._with_mask and result.segmentation_masks:
            # A copy: numpy_view() borrows MediaPipe's buffer, which is reused once the
            # result is dropped, and a recorded clip's frame is judged frames later. Made once:
            # by the flip (three times faster than numpy copying a reversed view), the turn,
            # pasting a crop's mask into the whole frame's, or else np.array.
            view = result.segmentation_masks[0].numpy_view()
            mask = unrotate_image(cv2.flip(view, 1).reshape(view.shape) if mirrored else view, rotation_deg)
            if crop is not None:
                full = np.zeros((full_h, full_w), np.float32)
                full[y0:y0 + h, x0:x0 + w] = mask.reshape(h, w)
                mask = full
            elif mask is view:
                mask = np.array(view)
        if mirrored:
            xy_rot[:, 0] = (rw - 1) - xy_rot[:, 0]
            world[:, 0] = -world[:, 0]
        pose = Pose(
            xy=unrotate_points(xy_rot, rotation_deg, w, h) + np.array([x0, y0], np.float64),
            z=arr[:, 2],
            visibility=arr[:, 3],
            presence=arr[:, 4],
            world=world,
            rotation_deg=rotation_deg,
            mask=mask,
            mirrored=mirrored,
        )
        # A mirror image's left hand looks like a right hand, and the model names it so.
        return pose.with_points(_MIRRORED_INDEX) if mirrored else pose

    def close(self) -> None:
        for lm in self._landmarkers.values():
            lm.close()
        self._landmarkers.clear()
        self._scratch.clear()

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

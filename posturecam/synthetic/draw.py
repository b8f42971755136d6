"""Image-space drawing: the room background and shaded primitives.

Shading is cheap on purpose (nested bands for cylinders and spheres, flat
Lambert for mesh faces): the pose model needs shape cues, not realism, and
benchmarks render long 720p clips.
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

from posturecam.synthetic.appearance import BGR, Appearance
from posturecam.synthetic.camera import Camera

AA = cv2.LINE_AA
SHIFT = 4  # sub-pixel bits for OpenCV drawing
SCALE = 1 << SHIFT


def shade(color: BGR | np.ndarray, k: float) -> tuple[int, int, int]:
    b, g, r = (min(255, max(0, int(float(c) * k))) for c in color[:3])
    return (b, g, r)


def _fx(pts: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(pts) * SCALE).astype(np.int32)


@lru_cache(maxsize=8)
def background(camera: Camera, app: Appearance) -> np.ndarray:
    """Room image (floor, wall or horizon) for a static camera; cached per clip."""
    w, h = camera.width, camera.height
    rng = np.random.default_rng(app.seed)
    f = camera.focal_px
    u, v = np.meshgrid((np.arange(w) - w / 2) / f, (np.arange(h) - h / 2) / f)
    rot = camera.rotation()
    dirs = u[..., None] * rot[0] + v[..., None] * rot[1] + rot[2]  # world ray directions
    pos = camera.position()
    big = 1e9
    t_floor = np.where(dirs[..., 1] < -1e-6, -pos[1] / np.minimum(dirs[..., 1], -1e-6), big)
    fwd_h = np.array([rot[2][0], 0.0, rot[2][2]])
    fwd_h /= np.linalg.norm(fwd_h)
    if app.wall_distance_m is not None:
        wall_d = camera.distance_m + app.wall_distance_m
        denom = dirs @ fwd_h
        t_wall = np.where(denom > 1e-6, wall_d / np.maximum(denom, 1e-6), big)
    else:
        t_wall = np.full_like(t_floor, big)
    img = np.zeros((h, w, 3), np.float32)

    # Wall (or sky when there is no wall and the ray misses the floor).
    right_h = np.array([fwd_h[2], 0.0, -fwd_h[0]]) * -1.0
    hit_w = pos + dirs * np.minimum(t_wall, 1e3)[..., None]
    wu = hit_w @ right_h  # horizontal coordinate along the wall
    wy = hit_w[..., 1]
    c1, c2 = np.asarray(app.wall, np.float32), np.asarray(app.wall2, np.float32)
    kind = app.background
    if kind == "gradient" or app.wall_distance_m is None:
        s = np.clip(wy / 3.0, 0, 1)[..., None]
        wall = c1 * (1 - s) + c2 * s
    elif kind == "stripes":
        s = (np.sin(wu * 2 * math.pi / 0.6) > 0)[..., None]
        wall = np.where(s, c1, c2)
    elif kind == "bricks":
        row = np.floor(wy / 0.15)
        off = (row % 2) * 0.15
        mortar = ((wy % 0.15) < 0.015) | (((wu + off) % 0.3) < 0.015)
        wall = np.where(mortar[..., None], c1 * 1.1, c2)
    elif kind == "noise":
        n = rng.random((8, 16)).astype(np.float32)
        n = cv2.resize(n, (64, 32), interpolation=cv2.INTER_CUBIC)
        gx = np.clip(((wu + 8) / 16 * 63), 0, 63).astype(int)
        gy = np.clip((wy / 4 * 31), 0, 31).astype(int)
        s = n[gy, gx][..., None]
        wall = c1 * (1 - s) + c2 * s
    else:
        wall = np.broadcast_to(c1, dirs.shape).astype(np.float32)
    img[:] = wall

    # Floor with tile lines and a slight fall-off with distance.
    floor_mask = t_floor < t_wall
    hit = pos + dirs * np.minimum(t_floor, 1e3)[..., None]
    tile = app.floor_tile_m
    fx, fz = hit[..., 0] / tile, hit[..., 2] / tile
    line_w = np.clip(0.02 * np.minimum(t_floor, 50) / 3, 0.02, 0.5)
    lines = ((fx - np.floor(fx)) < line_w) | ((fz - np.floor(fz)) < line_w)
    floor = np.where(lines[..., None], np.asarray(app.floor_line, np.float32), np.asarray(app.floor, np.float32))
    fade = np.clip(1.0 - np.minimum(t_floor, 50) / 60, 0.75, 1.0)[..., None]
    img = np.where(floor_mask[..., None], floor * fade, img)
    img += rng.normal(0, 2.0, img.shape).astype(np.float32)  # sensor-ish grain
    return np.clip(img, 0, 255).astype(np.uint8)


_BANDS = ((1.0, 0.0), (0.8, 0.35), (0.6, 0.6), (0.4, 0.82), (0.2, 1.0))


def capsule(img: np.ndarray, p0: np.ndarray, p1: np.ndarray, r0: float, r1: float,
            color: BGR, light2d: np.ndarray, amb: float = 0.45, dif: float = 0.75) -> None:
    """Tapered capsule shaded like a lit cylinder with nested bands."""
    x0, y0, x1, y1 = float(p0[0]), float(p0[1]), float(p1[0]), float(p1[1])
    dx, dy = x1 - x0, y1 - y0
    n = math.hypot(dx, dy)
    px, py = (-dy / n, dx / n) if n > 1e-6 else (1.0, 0.0)
    lp = px * float(light2d[0]) + py * float(light2d[1])
    for k, bright in _BANDS:
        o = lp * (1 - k) * 0.9
        ax, ay = x0 + px * o * r0, y0 + py * o * r0
        bx, by = x1 + px * o * r1, y1 + py * o * r1
        rr0, rr1 = max(r0 * k, 0.5), max(r1 * k, 0.5)
        col = shade(color, amb + dif * bright)
        poly = np.array([[ax + px * rr0, ay + py * rr0], [bx + px * rr1, by + py * rr1],
                         [bx - px * rr1, by - py * rr1], [ax - px * rr0, ay - py * rr0]])
        cv2.fillConvexPoly(img, (poly * SCALE).astype(np.int32), col, AA, SHIFT)
        cv2.circle(img, (int(ax * SCALE), int(ay * SCALE)), int(rr0 * SCALE), col, -1, AA, SHIFT)
        cv2.circle(img, (int(bx * SCALE), int(by * SCALE)), int(rr1 * SCALE), col, -1, AA, SHIFT)


def sphere(img: np.ndarray, c: np.ndarray, r: float, color: BGR, light2d: np.ndarray,
           amb: float = 0.45, dif: float = 0.75) -> None:
    for k, bright in ((1.0, 0.0), (0.75, 0.45), (0.5, 0.75), (0.25, 1.0)):
        cc = c + light2d * r * (1 - k) * 0.8
        cv2.circle(img, tuple(_fx(cc)), int(max(r * k, 0.5) * SCALE), shade(color, amb + dif * bright), -1, AA, SHIFT)


def faces(img: np.ndarray, polys: list[np.ndarray], colors: list[tuple[int, int, int]]) -> None:
    for p, c in zip(polys, colors, strict=True):
        cv2.fillConvexPoly(img, _fx(p), c, AA, SHIFT)


def soft_shadow(img: np.ndarray, pts2d: np.ndarray, strength: float = 0.35) -> None:
    """Darken the convex hull of floor-projected body points (a contact shadow)."""
    if len(pts2d) < 3:
        return
    hull = cv2.convexHull(pts2d.astype(np.float32)).reshape(-1, 2)
    x0, y0 = np.floor(hull.min(0)).astype(int) - 12
    x1, y1 = np.ceil(hull.max(0)).astype(int) + 12
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(mask, np.round(hull - [x0, y0]).astype(np.int32), 255, AA)
    mask = cv2.blur(mask, (9, 9))
    roi = img[y0:y1, x0:x1]
    k = (1.0 - strength * mask.astype(np.float32) / 255.0)[..., None]
    img[y0:y1, x0:x1] = (roi * k).astype(np.uint8)

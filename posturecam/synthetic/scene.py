"""Turn a skeleton into depth-sorted shaded primitives, and find its landmarks.

Painter's algorithm: every body part is one primitive with a camera depth;
far parts are drawn first so the near leg really hides the far one. The same
primitive list answers "is this landmark hidden by the body?" for the truth.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from posturecam.landmarks import NUM_LANDMARKS, L
from posturecam.synthetic import draw
from posturecam.synthetic.appearance import Appearance
from posturecam.synthetic.body import Body, Skeleton, limb_radii
from posturecam.synthetic.camera import Camera

SIDES = ("left", "right")


@dataclass
class Part:
    """One drawable body part. ``owns`` names the skeleton joints it is attached to."""

    depth: float
    paint: Callable[[np.ndarray], None]
    owns: frozenset[str]
    # Occlusion proxy in image space: a 2D capsule (a, b, radius) and its nearest depth.
    a: np.ndarray
    b: np.ndarray
    radius: float
    near_depth: float
    hull: np.ndarray | None = None


def _ellipsoid_mesh(n_u: int, n_v: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Unit-sphere vertices (lat/long) and quad indices."""
    verts = []
    for i in range(n_v + 1):
        th = math.pi * i / n_v  # 0 at the top
        for j in range(n_u):
            ph = 2 * math.pi * j / n_u
            verts.append((math.sin(th) * math.cos(ph), math.cos(th), math.sin(th) * math.sin(ph)))
    quads = []
    for i in range(n_v):
        for j in range(n_u):
            a = i * n_u + j
            b = i * n_u + (j + 1) % n_u
            quads.append((a, b, b + n_u, a + n_u))
    return np.array(verts), quads


_SPHERE_V, _SPHERE_Q = _ellipsoid_mesh(14, 10)
_SPHERE_QI = np.array(_SPHERE_Q)
_TORSO_N = 16
_TORSO_COS = np.cos(np.linspace(0, 2 * np.pi, _TORSO_N, endpoint=False))
_TORSO_SIN = np.sin(np.linspace(0, 2 * np.pi, _TORSO_N, endpoint=False))


@lru_cache(maxsize=4)
def _torso_quads(n_rings: int) -> np.ndarray:
    """Side quads between rings, then the top cap and the bottom cap as fans."""
    n = _TORSO_N
    q = [(r * n + k, r * n + (k + 1) % n, (r + 1) * n + (k + 1) % n, (r + 1) * n + k)
         for r in range(n_rings - 1) for k in range(n)]
    top, bottom = n_rings * n, n_rings * n + 1
    q += [((n_rings - 1) * n + k, (n_rings - 1) * n + (k + 1) % n, top, top) for k in range(n)]
    q += [(k, (k + 1) % n, bottom, bottom) for k in range(n)]
    return np.array(q)


def face_points(sk: Skeleton, body: Body) -> dict[int, np.ndarray]:
    """BlazePose face landmarks on the head surface (person's own left/right)."""
    c, f, u, lft = sk.joints["head"], sk.head_forward, sk.head_up, sk.left
    r = body.head_radius

    def p(fw: float, up: float, lat: float) -> np.ndarray:
        return c + f * fw * r + u * up * r + lft * lat * r

    return {
        L.NOSE: p(1.05, -0.12, 0.0),
        L.LEFT_EYE_INNER: p(0.9, 0.18, 0.16), L.RIGHT_EYE_INNER: p(0.9, 0.18, -0.16),
        L.LEFT_EYE: p(0.86, 0.18, 0.31), L.RIGHT_EYE: p(0.86, 0.18, -0.31),
        L.LEFT_EYE_OUTER: p(0.76, 0.18, 0.46), L.RIGHT_EYE_OUTER: p(0.76, 0.18, -0.46),
        L.LEFT_EAR: p(-0.05, 0.02, 0.84), L.RIGHT_EAR: p(-0.05, 0.02, -0.84),
        L.MOUTH_LEFT: p(0.84, -0.5, 0.2), L.MOUTH_RIGHT: p(0.84, -0.5, -0.2),
    }


def landmarks3d(sk: Skeleton, body: Body) -> np.ndarray:
    """(33,3) world positions in BlazePose order."""
    out = np.zeros((NUM_LANDMARKS, 3))
    for i, p in face_points(sk, body).items():
        out[i] = p
    j = sk.joints
    for s in SIDES:
        up = s.upper()
        for name, key in (("SHOULDER", "shoulder"), ("ELBOW", "elbow"), ("WRIST", "wrist"), ("PINKY", "pinky"),
                          ("INDEX", "index"), ("THUMB", "thumb"), ("HIP", "hip"), ("KNEE", "knee"),
                          ("ANKLE", "ankle"), ("HEEL", "heel"), ("FOOT_INDEX", "toe")):
            out[L[f"{up}_{name}"]] = j[f"{s}_{key}"]
    return out


# Which skeleton joints each landmark belongs to (so a limb does not hide its own joint).
def _owner(i: int) -> set[str]:
    name = L(i).name.lower()
    if i <= L.MOUTH_RIGHT:
        return {"head"}
    side = "left" if name.startswith("left") else "right"
    part = name.split("_", 1)[1]
    part = {"foot_index": "toe", "pinky": "hand", "index": "hand", "thumb": "hand"}.get(part, part)
    near = {
        "shoulder": {"shoulder", "elbow", "torso"}, "elbow": {"shoulder", "elbow", "wrist"},
        "wrist": {"elbow", "wrist", "hand"}, "hand": {"wrist", "hand"}, "hip": {"hip", "knee", "torso"},
        "knee": {"hip", "knee", "ankle"}, "ankle": {"knee", "ankle", "heel", "toe"},
        "heel": {"ankle", "heel", "toe"}, "toe": {"ankle", "heel", "toe"},
    }[part]
    return {f"{side}_{n}" if n != "torso" else "torso" for n in near}


_OWNERS = [frozenset(_owner(i)) for i in range(NUM_LANDMARKS)]


class BodyPainter:
    """Builds the parts for one frame and paints them back to front."""

    def __init__(self, sk: Skeleton, body: Body, app: Appearance, cam: Camera):
        self.sk, self.body, self.app, self.cam = sk, body, app, cam
        rot = cam.rotation()
        light = np.asarray(app.light, float)
        self.light = light / np.linalg.norm(light)
        l2 = np.array([self.light @ rot[0], self.light @ rot[1]])
        self.light2d = l2 / max(float(np.linalg.norm(l2)), 1e-6)
        self.rot = rot
        self.cpos = cam.position()
        self.parts: list[Part] = []
        # Far side of the body gets darker limbs (depth cue the model also sees in real video).
        dl = float(cam.to_camera(sk.joints["left_hip"][None])[0, 2])
        dr = float(cam.to_camera(sk.joints["right_hip"][None])[0, 2])
        self.far = "left" if dl > dr + 0.3 * body.hip_width else "right" if dr > dl + 0.3 * body.hip_width else ""
        self._build()

    # -- helpers -------------------------------------------------------------
    def _proj(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.cam.project(np.atleast_2d(pts))

    def _px(self, r: float, depth: float) -> float:
        return r * self.cam.focal_px / max(depth, 1e-3)

    def _col(self, color, side: str = "") -> tuple[int, int, int]:
        k = self.app.far_darken if side and side == self.far else 1.0
        return draw.shade(color, k)

    def _capsule(self, j0: str, j1: str, r0: float, r1: float, color, side: str = "",
                 p0: np.ndarray | None = None, p1: np.ndarray | None = None) -> None:
        a3 = self.sk.joints[j0] if p0 is None else p0
        b3 = self.sk.joints[j1] if p1 is None else p1
        uv, z = self._proj(np.stack([a3, b3]))
        ra, rb = self._px(r0, z[0]), self._px(r1, z[1])
        col = self._col(color, side)
        light2d = self.light2d

        def paint(img: np.ndarray) -> None:
            draw.capsule(img, uv[0], uv[1], ra, rb, col, light2d)

        self.parts.append(Part(float(z.mean()), paint, frozenset({j0, j1}), uv[0], uv[1],
                               max(ra, rb), float(z.min() - max(r0, r1))))

    def _sphere(self, j: str, r: float, color, side: str = "", bias: float = 0.0) -> None:
        uv, z = self._proj(self.sk.joints[j])
        rp = self._px(r, z[0])
        col = self._col(color, side)
        light2d = self.light2d

        def paint(img: np.ndarray) -> None:
            draw.sphere(img, uv[0], rp, col, light2d)

        self.parts.append(Part(float(z[0]) + bias, paint, frozenset({j}), uv[0], uv[0], rp, float(z[0] - r)))

    def _mesh(self, verts: np.ndarray, quads: np.ndarray, colors: np.ndarray, normals: np.ndarray,
              owns: set[str], bias: float, extra: Callable[[np.ndarray], None] | None = None) -> None:
        uv, z = self.cam.project(verts)
        centres = verts[quads].mean(1)
        view = centres - self.cpos
        keep = np.einsum("ij,ij->i", normals, view) < 0
        lam = np.clip(normals @ self.light, 0, 1)
        k = 0.5 + 0.65 * lam
        fz = z[quads].mean(1)
        order = np.argsort(-fz)
        polys = [uv[quads[i]] for i in order if keep[i]]
        shaded = np.clip(colors * k[:, None], 0, 255).astype(np.int32).tolist()
        cols = [tuple(shaded[i]) for i in order if keep[i]]

        def paint(img: np.ndarray) -> None:
            draw.faces(img, polys, cols)
            if extra is not None:
                extra(img)

        hull = cv2.convexHull(uv.astype(np.float32)) if len(polys) else None
        self.parts.append(Part(float(z.mean()) + bias, paint, frozenset(owns), uv.mean(0), uv.mean(0), 0.0,
                               float(z.min()), hull))

    # -- parts ---------------------------------------------------------------
    def _build(self) -> None:
        app, rad = self.app, limb_radii(self.body)
        j = self.sk.joints
        self._torso()
        self._head()
        self._capsule("neck", "head", rad["neck"], rad["neck"], app.skin,
                      p1=j["neck"] + (j["head"] - j["neck"]) * 0.6)
        for s in SIDES:
            sleeve = {"none": 0.0, "short": 0.45, "long": 1.0}[app.sleeves]
            # Upper arm: sleeve part in shirt colour, the rest skin.
            sh, el, wr = j[f"{s}_shoulder"], j[f"{s}_elbow"], j[f"{s}_wrist"]
            if sleeve >= 1.0:
                self._capsule(f"{s}_shoulder", f"{s}_elbow", rad["shoulder"], rad["elbow"], app.shirt, s)
                self._capsule(f"{s}_elbow", f"{s}_wrist", rad["elbow"], rad["wrist"], app.shirt, s)
            else:
                self._capsule(f"{s}_shoulder", f"{s}_elbow", rad["shoulder"] * 0.9, rad["elbow"], app.skin, s)
                self._capsule(f"{s}_elbow", f"{s}_wrist", rad["elbow"], rad["wrist"], app.skin, s)
                if sleeve > 0:
                    self._capsule(f"{s}_shoulder", f"{s}_elbow", rad["shoulder"] * 1.12, rad["shoulder"] * 1.05,
                                  app.shirt, s, p0=sh, p1=sh + (el - sh) * sleeve)
                    self.parts[-1].depth -= 1e-3
            self._capsule(f"{s}_wrist", f"{s}_hand", rad["wrist"], rad["hand"], app.skin, s, p1=j[f"{s}_index"])
            self._sphere(f"{s}_shoulder", rad["shoulder"] * 1.1, app.shirt if sleeve > 0 else app.skin, s)
            # Legs.
            legs = app.skin if app.shorts else app.trousers
            self._sphere(f"{s}_hip", rad["hip"], app.trousers, s, bias=0.02)
            self._capsule(f"{s}_hip", f"{s}_knee", rad["hip"], rad["knee"], app.trousers if not app.shorts else legs, s)
            if app.shorts:
                hp, kn = j[f"{s}_hip"], j[f"{s}_knee"]
                self._capsule(f"{s}_hip", f"{s}_knee", rad["hip"] * 1.08, rad["hip"] * 0.95, app.trousers, s,
                              p0=hp, p1=hp + (kn - hp) * 0.45)
                self.parts[-1].depth -= 1e-3
            self._sphere(f"{s}_knee", rad["knee"], legs, s)
            self._capsule(f"{s}_knee", f"{s}_ankle", rad["knee"] * 0.95, rad["ankle"], legs, s)
            self._sphere(f"{s}_ankle", rad["ankle"] * 1.15, app.shoes, s)
            self._capsule(f"{s}_heel", f"{s}_toe", rad["heel"], rad["toe"], app.shoes, s)
            del sh, el, wr

    def _torso(self) -> None:
        rings = self.sk.torso_rings
        n, nr = _TORSO_N, len(rings)
        cen = np.array([r[0] for r in rings])
        lat = np.array([r[1] for r in rings])
        fr = np.array([r[2] for r in rings])
        w = np.array([r[3] for r in rings])[:, None, None]
        d = np.array([r[4] for r in rings])[:, None, None]
        cs, sn = _TORSO_COS[None, :, None], _TORSO_SIN[None, :, None]
        verts = (cen[:, None] + lat[:, None] * w * cs + fr[:, None] * d * sn).reshape(-1, 3)
        nv = (lat[:, None] * cs / w + fr[:, None] * sn / d).reshape(-1, 3)
        axis = cen[-1] - cen[0]
        axis /= np.linalg.norm(axis)
        verts = np.vstack([verts, cen[-1][None], cen[0][None]])
        nv = np.vstack([nv, axis[None], -axis[None]])
        quads = _torso_quads(nr)
        normals = nv[quads[:, :2]].sum(1) + nv[quads[:, 2:]].sum(1)
        normals[-2 * n:-n] = axis
        normals[-n:] = -axis
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
        colors = np.empty((len(quads), 3))
        colors[:] = self.app.shirt
        colors[: 2 * n] = self.app.trousers
        colors[-n:] = self.app.trousers
        self._mesh(verts, quads, colors, normals,
                   {"torso", "left_hip", "right_hip", "left_shoulder", "right_shoulder", "pelvis", "neck"}, bias=0.03)

    def _head(self) -> None:
        sk, b, app = self.sk, self.body, self.app
        c, f, u, lft = sk.joints["head"], sk.head_forward, sk.head_up, sk.left
        r = b.head_radius
        basis = np.stack([lft * 0.84 * r, u * 1.1 * r, f * 1.0 * r])  # x lat, y up, z front
        verts = c + _SPHERE_V @ basis
        nrm_v = _SPHERE_V / np.array([0.84, 1.1, 1.0]) ** 2
        nrm_v = nrm_v / np.linalg.norm(nrm_v, axis=1, keepdims=True)
        qn = nrm_v[_SPHERE_QI].mean(1)
        world_n = qn @ np.stack([lft, u, f])
        world_n /= np.linalg.norm(world_n, axis=1, keepdims=True)
        up_c, fr_c = qn[:, 1], qn[:, 2]
        if app.hair_style == "bald":
            hair = np.zeros(len(qn), bool)
        else:
            low = -0.55 if app.hair_style == "long" else -0.1
            hair = ((up_c > 0.45) | ((fr_c < -0.15) & (up_c > low)) | ((fr_c < 0.25) & (up_c > 0.2)))
        colors = np.where(hair[:, None], np.asarray(app.hair, float), np.asarray(app.skin, float))
        fp = face_points(sk, b)
        uvs, _ = self.cam.project(np.array(list(fp.values())))
        pts = dict(zip(fp.keys(), uvs, strict=True))
        visible = {k: float(np.dot((p - c), self.cpos - p)) > 0 for k, p in fp.items()}
        rp = self._px(r, float(self.cam.to_camera(c[None])[0, 2]))
        app_skin = np.asarray(app.skin, float)

        def features(img: np.ndarray) -> None:
            th = max(1, int(rp * 0.06))
            for eye in (L.LEFT_EYE, L.RIGHT_EYE):
                if visible[eye]:
                    cv2.circle(img, tuple(draw._fx(pts[eye])), int(rp * 0.13 * draw.SCALE), (235, 235, 235), -1,
                               draw.AA, draw.SHIFT)
                    cv2.circle(img, tuple(draw._fx(pts[eye])), int(rp * 0.08 * draw.SCALE), (40, 30, 25), -1,
                               draw.AA, draw.SHIFT)
                    inner = L.LEFT_EYE_INNER if eye == L.LEFT_EYE else L.RIGHT_EYE_INNER
                    outer = L.LEFT_EYE_OUTER if eye == L.LEFT_EYE else L.RIGHT_EYE_OUTER
                    mouth = (pts[L.MOUTH_LEFT] + pts[L.MOUTH_RIGHT]) / 2
                    brow = (pts[inner] + pts[outer]) / 2 - (pts[eye] - mouth) * 0.25
                    d = (pts[outer] - pts[inner]) * 0.6
                    cv2.line(img, tuple(draw._fx(brow - d)), tuple(draw._fx(brow + d)), draw.shade(app.hair, 0.8),
                             th, draw.AA, draw.SHIFT)
            for ear in (L.LEFT_EAR, L.RIGHT_EAR):
                if visible[ear]:
                    cv2.ellipse(img, (tuple(pts[ear]), (rp * 0.28, rp * 0.42), 0), draw.shade(app_skin, 0.85), -1,
                                draw.AA)
                    cv2.ellipse(img, (tuple(pts[ear]), (rp * 0.14, rp * 0.24), 0), draw.shade(app_skin, 0.6), -1,
                                draw.AA)
            if visible[L.NOSE]:
                cv2.circle(img, tuple(draw._fx(pts[L.NOSE])), int(rp * 0.12 * draw.SCALE), draw.shade(app_skin, 0.8),
                           -1, draw.AA, draw.SHIFT)
            if visible[L.MOUTH_LEFT] or visible[L.MOUTH_RIGHT]:
                cv2.line(img, tuple(draw._fx(pts[L.MOUTH_LEFT])), tuple(draw._fx(pts[L.MOUTH_RIGHT])),
                         (60, 60, 150), max(1, int(rp * 0.08)), draw.AA, draw.SHIFT)

        self._mesh(verts, _SPHERE_QI, colors, world_n, {"head", "neck"}, bias=0.0, extra=features)

    # -- output --------------------------------------------------------------
    def paint(self, img: np.ndarray) -> None:
        for p in sorted(self.parts, key=lambda p: -p.depth):
            p.paint(img)

    def visibility(self, lm3d: np.ndarray) -> np.ndarray:
        """True where a landmark is not hidden by another body part (or the back of the head)."""
        uv, z = self.cam.project(lm3d)
        c = self.sk.joints["head"]
        vis = np.ones(len(lm3d), bool)
        face = slice(0, int(L.MOUTH_RIGHT) + 1)
        vis[face] = np.einsum("ij,ij->i", lm3d[face] - c, self.cpos - lm3d[face]) > -1e-9
        owners = _OWNERS
        for p in self.parts:
            cand = (z - 0.02 > p.near_depth) & vis
            if not cand.any():
                continue
            cand &= np.array([not (p.owns & o) for o in owners])
            if p.hull is not None:
                if "head" in p.owns:
                    cand[face] = False
                if "torso" in p.owns:
                    cand &= z > p.depth + 0.01  # only points well behind the torso's middle
                idx = np.flatnonzero(cand)
                for i in idx:
                    if cv2.pointPolygonTest(p.hull, (float(uv[i, 0]), float(uv[i, 1])), False) > 0:
                        vis[i] = False
            else:
                idx = np.flatnonzero(cand)
                if not len(idx):
                    continue
                ab = p.b - p.a
                t = np.clip((uv[idx] - p.a) @ ab / max(float(ab @ ab), 1e-9), 0, 1)
                dist = np.linalg.norm(uv[idx] - (p.a + t[:, None] * ab), axis=1)
                vis[idx[dist < p.radius * 0.9]] = False
        return vis

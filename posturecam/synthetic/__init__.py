"""Synthetic ground truth: a shaded mannequin in poses with known joint angles.

Used for end-to-end accuracy tests, sample clips and benchmarks. Modules:
``body`` (proportions, angles, forward kinematics), ``camera`` (pinhole),
``appearance`` (colours, room), ``draw``/``scene`` (painting), ``truth``
(angles measured like posturecam measures), ``motions`` (exercises over
time), ``lying`` (bodies on the floor), ``render`` (frames and clips), ``detect_check`` (run MediaPipe on
renders, measure leg swaps).
"""

from posturecam.synthetic.appearance import Appearance
from posturecam.synthetic.body import Body, Placement, PoseAngles
from posturecam.synthetic.camera import Camera
from posturecam.synthetic.lying import KneeToChest, LyingFlat
from posturecam.synthetic.motions import Bridge, HipFlexorStretch, Lunge, Motion, Standing, Static, Sway, random_pose
from posturecam.synthetic.render import frame_camera, heading_for, render, render_clip, render_still, truth_path
from posturecam.synthetic.truth import Truth, angles_from_points

__all__ = [
    "Appearance", "Body", "Bridge", "Camera", "HipFlexorStretch", "KneeToChest", "Lunge", "LyingFlat", "Motion",
    "Placement", "PoseAngles",
    "Standing", "Static", "Sway", "Truth", "angles_from_points", "frame_camera", "heading_for", "random_pose",
    "render", "render_clip", "render_still", "truth_path",
]

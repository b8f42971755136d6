"""posturecam: pose-based coaching for hip-flexor stretches, lunges, glute bridges and posture.

The public API::

    import posturecam
    result = posturecam.analyze_clip("clip.mp4", "out/", exercise="lunge")
    print(result.summary["rep_count"])

    # frame by frame; lookahead=True smooths as analyze does (results lag 0.4 s)
    with posturecam.Pipeline.create("bridge", lookahead=True) as pipe:
        for r in pipe.run(posturecam.VideoReader("clip.mp4")):
            print(r.time_s, r.measures.left_knee_deg if r.measures else None, r.state.cue)

    # live use: one frame in, its result out (causal smoothing, nothing waits)
    with posturecam.Pipeline.create("bridge") as pipe:
        r = pipe.process(frame)
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "AnalysisResult",
    "FrameResult",
    "Measures",
    "Pipeline",
    "Pose",
    "PoseEstimator",
    "PosturecamError",
    "VideoReader",
    "__version__",
    "analyze_clip",
]


def __getattr__(name: str) -> object:
    # Lazy: importing posturecam must not load MediaPipe until it is used.
    import importlib

    where = {
        "AnalysisResult": "posturecam.analysis",
        "analyze_clip": "posturecam.analysis",
        "FrameResult": "posturecam.pipeline",
        "Pipeline": "posturecam.pipeline",
        "Measures": "posturecam.measures",
        "Pose": "posturecam.pose",
        "PoseEstimator": "posturecam.pose",
        "PosturecamError": "posturecam.errors",
        "VideoReader": "posturecam.video",
    }
    if name in where:
        return getattr(importlib.import_module(where[name]), name)
    raise AttributeError(f"module 'posturecam' has no attribute {name!r}")

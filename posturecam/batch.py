"""Analysing several clips, one after another or in parallel, with one progress display.

Separate processes, not threads: each clip gets its own PoseLandmarker and
its own core, and the GIL never serialises the Python parts of the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from posturecam.analysis import AnalysisResult, analyze_clip
from posturecam.errors import PosturecamError


def _out_dir_for(clip: Path, out: Path, many: bool) -> Path:
    return out / clip.stem if many else out


def _run_one(clip: Path, out_dir: Path, kwargs: dict) -> AnalysisResult | PosturecamError:
    try:
        return analyze_clip(clip, out_dir, **kwargs)
    except PosturecamError as exc:
        return exc


def analyze_many(
    clips: Sequence[Path],
    out: Path,
    *,
    jobs: int = 1,
    progress: bool = True,
    **kwargs: object,
) -> list[AnalysisResult | PosturecamError]:
    """Analyse each clip into ``out`` (or ``out/<clip stem>`` when several); errors are returned, not raised."""
    many = len(clips) > 1
    if jobs <= 1 or not many:
        results: list[AnalysisResult | PosturecamError] = []
        for clip in clips:
            bar = tqdm(desc=clip.name, unit="frame", disable=not progress, leave=False, dynamic_ncols=True)
            try:
                results.append(_run_one(clip, _out_dir_for(clip, out, many), {**kwargs, "progress": bar.update}))
            finally:
                bar.close()
        return results
    by_clip: dict[Path, AnalysisResult | PosturecamError] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_run_one, c, _out_dir_for(c, out, many), dict(kwargs)): c for c in clips}
        with tqdm(total=len(clips), desc="clips", unit="clip", disable=not progress, dynamic_ncols=True) as bar:
            for fut in as_completed(futures):
                by_clip[futures[fut]] = fut.result()
                bar.update(1)
    return [by_clip[c] for c in clips]

"""Analysing several clips, one after another or in parallel, with one progress display.

Separate processes, not threads: each clip gets its own PoseLandmarker and
its own core, and the GIL never serialises the Python parts of the pipeline.
Workers are spawned, not forked, because the parent already holds native
threads (tqdm's monitor, OpenCV's pool) that a fork would copy in a broken
state. Every worker reports frames done through one queue, so a session of
forty clips shows one bar in frames, not forty bars or a bar in clips that
sits still for minutes on a long recording.

One clip failing (unreadable, truncated to nothing, a crash in the model)
never stops the others: its error comes back in its place in the results.
Ctrl+C, or ``kill`` sent to the parent alone, asks running workers to stop;
each writes what it measured so far, exactly as a single ``analyze`` does.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
from tqdm import tqdm

from posturecam.analysis import AnalysisResult, analyze_clip, prepare_out_dir
from posturecam.errors import PosturecamError
from posturecam.interrupts import stop_signals
from posturecam.video import VideoReader

Outcome = AnalysisResult | PosturecamError
# Frames a worker batches before reporting progress: keeps queue traffic to a few messages a second.
PROGRESS_EVERY_FRAMES = 10


def configure_process() -> None:
    """Process-wide settings for analysis: OpenCV single-threaded.

    OpenCV's own pool would otherwise spin up for each colour conversion and
    draw call and compete with TFLite's threads for the same two cores; the
    work it parallelises is a millisecond a frame, so one thread loses
    nothing and leaves the cores to the model and the encoder.
    """
    cv2.setNumThreads(1)


def out_dirs_for(clips: Sequence[Path], out: Path) -> list[Path]:
    """``out`` for one clip; ``out/<stem>`` for several, made unique when stems collide.

    ``a/session.mp4`` and ``b/session.mp4`` (or ``session.mp4`` and ``session.mov``)
    must not write into the same folder, or the second would silently overwrite the first.
    """
    if len(clips) <= 1:
        return [out] * len(clips)
    seen: set[str] = set()
    dirs: list[Path] = []
    for clip in clips:
        name = clip.stem
        if name.lower() in seen:
            name = f"{clip.stem}-{clip.suffix.lstrip('.')}" if clip.suffix else clip.stem
            n = 2
            base = name
            while name.lower() in seen:
                name, n = f"{base}-{n}", n + 1
        seen.add(name.lower())
        dirs.append(out / name)
    return dirs


def _error_for(clip: Path, exc: BaseException) -> PosturecamError:
    if isinstance(exc, PosturecamError):
        return exc
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return PosturecamError(f"{clip}: analysis failed: {detail}")


def _run_one(clip: Path, out_dir: Path, kwargs: dict[str, Any]) -> Outcome:
    try:
        return analyze_clip(clip, out_dir, **kwargs)
    except Exception as exc:  # one clip's failure is reported in its place, never fatal to the batch
        return _error_for(clip, exc)


def _probe(clip: Path, out_dir: Path) -> int | PosturecamError:
    """The frames a clip's header promises (0 if it does not say), or why it cannot be analysed at all.

    Done before the progress bar starts, so that a file that is no video, or an output folder
    that cannot be made, gets its one line of error alone, not after a bar that never moved.
    The checks are ``analyze_clip``'s own first steps, in its order.
    """
    try:
        with VideoReader(clip) as reader:
            prepare_out_dir(out_dir)
            return reader.info.frame_count
    except PosturecamError as exc:
        return exc


def _progress_bar(clips: Sequence[Path], total: int, enabled: bool) -> tqdm:
    desc = clips[0].name if len(clips) == 1 else f"{len(clips)} clips"
    # Redirected to a file or a CI log, a bar redrawn ten times a second is noise: one line every few seconds.
    interval_s = 0.1 if sys.stderr.isatty() else 5.0
    return tqdm(total=total or None, desc=desc, unit="frame", disable=not enabled, dynamic_ncols=True,
                smoothing=0.1, mininterval=interval_s)


# --------------------------------------------------------------------------- worker side (own process)

_progress_q: Any = None
_stop: Any = None


def _init_worker(progress_q: Any, stop: Any) -> None:
    """Runs once in each worker. SIGINT is left to the parent, which asks workers to stop
    through ``stop``: a worker killed mid-frame would leave its outputs without a summary."""
    global _progress_q, _stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _progress_q, _stop = progress_q, stop
    configure_process()


def _worker_progress() -> Callable[[int], None]:
    pending = 0

    def report(n: int) -> None:
        nonlocal pending
        pending += n
        if pending >= PROGRESS_EVERY_FRAMES:
            _progress_q.put(pending)
            pending = 0
        if _stop.is_set():
            raise KeyboardInterrupt  # caught by analyze_clip, which then writes what it has

    report.flush = lambda: _progress_q.put(pending) if pending else None  # type: ignore[attr-defined]
    return report


def _run_in_worker(clip: Path, out_dir: Path, kwargs: dict[str, Any]) -> Outcome:
    if _stop.is_set():
        # The pool hands each worker its next clip early, past the parent's cancel(); a clip
        # not begun when Ctrl+C came is reported as not analysed, not as one frame of results.
        return PosturecamError(f"{clip}: not analysed (interrupted)")
    report = _worker_progress()
    try:
        return _run_one(clip, out_dir, {**kwargs, "progress": report})
    finally:
        report.flush()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- parent side


def analyze_many(
    clips: Sequence[Path],
    out: Path,
    *,
    jobs: int = 1,
    progress: bool = True,
    **kwargs: Any,
) -> list[Outcome]:
    """Analyse each clip into ``out`` (or ``out/<clip stem>`` when several); errors are returned, not raised.

    Results come back in the order of ``clips`` whatever order they finish in.
    """
    if not clips:
        return []
    configure_process()
    dirs = out_dirs_for(clips, out)
    probes = [_probe(c, d) for c, d in zip(clips, dirs, strict=True)]
    outcomes: dict[int, Outcome] = {i: p for i, p in enumerate(probes) if isinstance(p, PosturecamError)}
    todo = [i for i in range(len(clips)) if i not in outcomes]
    if todo:
        some, some_dirs = [clips[i] for i in todo], [dirs[i] for i in todo]
        total = sum(p for p in probes if isinstance(p, int))
        jobs = max(1, min(jobs, len(todo)))
        with _progress_bar(some, total, progress) as bar:
            if jobs == 1:
                done = _run_serial(some, some_dirs, bar, kwargs)
            else:
                done = _run_parallel(some, some_dirs, jobs, bar, kwargs)
        outcomes.update(zip(todo, done, strict=True))
    return [outcomes[i] for i in range(len(clips))]


def _run_serial(clips: Sequence[Path], dirs: Sequence[Path], bar: tqdm, kwargs: dict[str, Any]) -> list[Outcome]:
    results: list[Outcome] = []
    for clip, out_dir in zip(clips, dirs, strict=True):
        if len(clips) > 1:
            bar.set_postfix_str(clip.name, refresh=False)
        res = _run_one(clip, out_dir, {**kwargs, "progress": bar.update})
        results.append(res)
        if isinstance(res, AnalysisResult) and res.interrupted:
            # Ctrl+C: this clip kept its partial results; the rest are not started.
            results.extend(PosturecamError(f"{c}: not analysed (interrupted)") for c in clips[len(results) :])
            break
    return results


def _run_parallel(
    clips: Sequence[Path], dirs: Sequence[Path], jobs: int, bar: tqdm, kwargs: dict[str, Any]
) -> list[Outcome]:
    ctx = mp.get_context("spawn")
    progress_q = ctx.Queue()
    stop = ctx.Event()
    by_index: dict[int, Outcome] = {}
    interrupted = False

    def drain(timeout: float) -> None:
        try:
            bar.update(progress_q.get(timeout=timeout))
            while True:
                bar.update(progress_q.get_nowait())
        except queue.Empty:
            pass

    # ``kill`` reaches only this process: without a handler it would die at once and leave
    # the workers analysing on, unseen. Taken like Ctrl+C instead (workers told to stop, each
    # writing what it has), and the results say which signal it was, for the exit code.
    signals: dict[str, str] = {}
    with stop_signals(signals), ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(progress_q, stop)
    ) as pool:
        futures: dict[Future[Outcome], int] = {
            pool.submit(_run_in_worker, clip, out_dir, kwargs): i
            for i, (clip, out_dir) in enumerate(zip(clips, dirs, strict=True))
        }
        pending = set(futures)
        while pending:
            drain(0.2)
            done, pending = wait(pending, timeout=0, return_when=FIRST_COMPLETED)
            for fut in done:
                i = futures[fut]
                by_index[i] = _outcome(fut, clips[i])
                bar.set_postfix_str(f"{len(by_index)}/{len(clips)} done", refresh=False)
            if signals and not interrupted:  # a second Ctrl+C raises KeyboardInterrupt: stop waiting
                interrupted = True
                stop.set()
                for fut in pending:
                    if fut.cancel():
                        i = futures[fut]
                        by_index[i] = PosturecamError(f"{clips[i]}: not analysed (interrupted)")
                pending = {f for f in pending if not f.cancelled()}
        drain(0)
    reason = signals.get("reason")
    return [_stopped_by(by_index[i], reason) for i in range(len(clips))]


def _stopped_by(outcome: Outcome, reason: str | None) -> Outcome:
    """A worker stopped by the parent saw only the parent's request, not which signal prompted it."""
    if reason is not None and isinstance(outcome, AnalysisResult) and outcome.interrupted:
        return replace(outcome, stopped_by=reason)
    return outcome


def _outcome(fut: Future[Outcome], clip: Path) -> Outcome:
    try:
        return fut.result()
    except BrokenProcessPool:
        return PosturecamError(f"{clip}: the analysis stopped unexpectedly (the computer may have run out of memory)")
    except Exception as exc:  # e.g. a result that could not be sent back
        return _error_for(clip, exc)

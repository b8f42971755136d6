"""Ctrl+C and SIGTERM as a request to stop at the next frame boundary.

Why not let KeyboardInterrupt fly: it can land anywhere, for instance
between the smoother and the leg tracker updating, or between a row being
queued and counted. Finishing from that half-updated state can fail or
leave a summary that disagrees with the rows on disk. A flag checked
between frames gives the same quick stop without the half-done frame.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType


@contextmanager
def stop_signals(stop: dict[str, str]) -> Iterator[None]:
    """While inside, SIGINT/SIGTERM set ``stop["reason"]`` ("sigint"/"sigterm") instead of raising.

    A second Ctrl+C raises KeyboardInterrupt at once, in case something hangs.
    A signal the process ignores stays ignored: batch workers leave Ctrl+C to
    their parent, which tells them to stop. Outside the main thread signals
    cannot be caught, so they are left alone.
    """

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        name = "sigint" if signum == signal.SIGINT else "sigterm"
        if stop.get("reason") == "sigint" and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.setdefault("reason", name)

    old: dict[int, object] = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(sig) is signal.SIG_IGN:
                continue
            with suppress(ValueError):  # not the main thread: leave signals alone
                old[sig] = signal.signal(sig, on_signal)
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]

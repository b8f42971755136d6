"""Ctrl+C is taken between frames, a second one stops at once, and ignored signals stay ignored."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from posturecam.interrupts import stop_signals


@pytest.fixture(autouse=True)
def _python_ctrl_c() -> Iterator[None]:
    """Python's own Ctrl+C handler, whatever the runner inherited (in the background SIGINT is ignored)."""
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


def test_first_ctrl_c_asks_to_stop_and_the_second_raises() -> None:
    stop: dict[str, str] = {}
    with stop_signals(stop):
        os.kill(os.getpid(), signal.SIGINT)
        assert stop == {"reason": "sigint"}
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_asks_to_stop_and_the_old_handler_comes_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    stop: dict[str, str] = {}
    with stop_signals(stop):
        os.kill(os.getpid(), signal.SIGTERM)
    assert stop == {"reason": "sigterm"}
    assert signal.getsignal(signal.SIGTERM) == before


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    """Batch workers ignore SIGINT so that only their parent decides when they stop."""
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        stop: dict[str, str] = {}
        with stop_signals(stop):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGINT)
        assert stop == {}
    finally:
        signal.signal(signal.SIGINT, old)

"""Helpers shared by the test servers."""
import os, signal


def exit_on_signals():
    # The Swift fixture may start us with signals blocked (inherited mask); unblock them and
    # exit at once on SIGINT/SIGTERM so that `stop()` never waits on a server that ignores it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *_: os._exit(0))


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)

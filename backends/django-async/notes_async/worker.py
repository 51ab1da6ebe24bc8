"""The gunicorn worker class: uvicorn's, with an event loop per process and the process's share
of DB_POOL_SIZE as its pool (see `django_notes.plan`).

uvloop and httptools, as uvicorn picks them when installed, named here so a missing one is an
error rather than a silent slowdown. No access log and no lifespan protocol (Django has none).
uvicorn stops gracefully on SIGTERM and SIGINT alike.
"""

import signal
import sys
from typing import ClassVar

from uvicorn_worker import UvicornWorker

from django_notes.server import PoolSlot


class NotesUvicornWorker(PoolSlot, UvicornWorker):
    CONFIG_KWARGS: ClassVar[dict] = {
        "loop": "uvloop",
        "http": "httptools",
        "lifespan": "off",
        "access_log": False,
    }

    def init_signals(self) -> None:
        super().init_signals()
        # uvicorn handles these while it serves, then raises the signal again once it has shut
        # down gracefully: exit 0 then, rather than die of the signal (which gunicorn's master
        # logs as an error). Before uvicorn serves, there is nothing in flight to wait for.
        for stop in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop, _exit_cleanly)


def _exit_cleanly(signum, frame) -> None:
    sys.exit(0)

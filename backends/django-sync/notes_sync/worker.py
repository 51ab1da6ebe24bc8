"""The gunicorn worker class: gthread with one thread per pooled database connection.

Each worker process serves up to its pool size of requests at once, one per thread, and each
thread holds at most one connection: the pool never makes a request wait while a thread could
serve it, and the process never opens more connections than its share of DB_POOL_SIZE.

Stopping: SIGINT stops a worker gracefully, like SIGTERM (gunicorn's default for SIGINT is an
immediate exit). gthread's main loop looks at its stop flag once a second; the signal also wakes
it (gunicorn writes every signal to the worker's pipe, which is watched here), so the listening
socket closes at once and in-flight requests finish.
"""

import os
import selectors
import signal
from concurrent.futures import ThreadPoolExecutor

from gunicorn.workers.gthread import ThreadWorker

from django_notes.server import PoolSlot


class NotesThreadWorker(PoolSlot, ThreadWorker):
    def get_thread_pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.app.pool_size)

    def init_signals(self) -> None:
        super().init_signals()
        signal.signal(signal.SIGINT, self.handle_exit)
        self.poller.register(self.PIPE[0], selectors.EVENT_READ, self._drain_signal_pipe)

    def _drain_signal_pipe(self, pipe: int) -> None:
        try:
            while os.read(pipe, 4096):
                pass
        except BlockingIOError:
            pass

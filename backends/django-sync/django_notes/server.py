"""The production server: gunicorn's master in this process, its worker processes forked from it.

`main` does what the Rust backends' `boot` module does around serving: reads the configuration
(one line on stderr and exit 2 on a bad variable), logs the effective DB_POOL_SIZE and WORKERS,
creates the schema (exit 1 when the database never answers), then runs gunicorn's master, so
the process `run.sh` execs is the one that gets SIGTERM. Each worker process configures Django
with its own pool (see `plan`) after the fork: nothing database-related crosses a fork.

Shutdown: SIGTERM and SIGINT both stop gracefully: the master closes the listening socket and
passes SIGTERM to the workers, which finish their in-flight requests; anything still running
after `GRACEFUL_TIMEOUT_S` is killed, so the master exits 0 within 10 s.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

import django
import gunicorn
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from django_notes import database, djsettings, logs
from django_notes.config import Config, ConfigError
from django_notes.plan import Plan

#: Exit code for a missing or malformed environment variable (SPEC section 1).
EXIT_CONFIG = 2
#: Exit code when the server cannot start (database never reachable, port taken).
EXIT_STARTUP = 1
#: How long the workers may finish in-flight requests after SIGTERM (SPEC: exit within 10 s).
GRACEFUL_TIMEOUT_S = 8
#: Idle keep-alive connections are closed after this long. The Rust servers never close them;
#: gunicorn's default of 2 s would race every benchmark user, who waits 1-2 s between requests
#: on its one connection.
KEEPALIVE_S = 75
#: Client connections one worker process holds at once. The Rust servers have no such cap;
#: gunicorn's default of 1000 would leave users of a large run waiting in the listen backlog.
MAX_CLIENT_CONNECTIONS = 100_000

log = logging.getLogger("django_notes")


class NotesApplication(BaseApplication):
    """gunicorn's custom-application interface: our options, and the app each worker loads."""

    def __init__(self, options: dict, config: Config, plan: Plan, urlconf: str, make_app: Callable):
        self._options = options
        self.config = config
        self.plan = plan
        self._urlconf = urlconf
        self._make_app = make_app
        #: This process's pool size, set in each worker before it loads the app (`PoolSlot`).
        self.pool_size = 0
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        djsettings.configure(
            self._urlconf, database.django_database(self.config.database, self.pool_size)
        )
        return self._make_app()

    def run(self) -> None:
        try:
            GracefulArbiter(self).run()
        except RuntimeError as err:
            log.error("cannot start the server: %s", err)
            sys.exit(EXIT_STARTUP)


class GracefulArbiter(Arbiter):
    """gunicorn's master, with SIGINT stopping gracefully like SIGTERM (SPEC section 1);
    gunicorn's own SIGINT is a quick shutdown that drops in-flight requests."""

    def handle_int(self) -> None:
        self.handle_term()


class PoolSlot:
    """Worker-class mixin: sets the process's pool size from the slot the master gave it."""

    slot: int

    def init_process(self) -> None:
        self.app.pool_size = self.app.plan.pool_sizes[self.slot]
        super().init_process()


def main(
    backend: str, server_name: str, worker_class: type, urlconf: str, make_app: Callable
) -> None:
    """Configuration, start-up log line, schema, then gunicorn's master until it stops."""
    logs.setup_master()
    try:
        config = Config.from_env(os.environ)
    except ConfigError as err:
        print(f"{backend} backend: {err}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    plan = Plan.split(config.pool_size, config.workers)
    log.info(
        "starting %s: Django %s, gunicorn %s, %s; host=%s port=%d DB_POOL_SIZE=%d WORKERS=%d "
        "processes=%d pool_sizes=%s",
        backend,
        django.__version__,
        gunicorn.__version__,
        server_name,
        config.host,
        config.port,
        config.pool_size,
        config.workers,
        plan.processes,
        list(plan.pool_sizes),
    )
    try:
        database.prepare(config.database)
    except database.DatabaseNotReady as err:
        log.error("%s", err)
        sys.exit(EXIT_STARTUP)
    NotesApplication(
        _options(backend, config, plan, worker_class), config, plan, urlconf, make_app
    ).run()


def _options(backend: str, config: Config, plan: Plan, worker_class: type) -> dict:
    host = f"[{config.host}]" if ":" in config.host else config.host

    def pre_fork(arbiter, worker) -> None:
        # In the master, before the fork: a new or restarted process takes the free slot.
        worker.slot = plan.free_slot({other.slot for other in arbiter.WORKERS.values()})

    return {
        "bind": [f"{host}:{config.port}"],
        "workers": plan.processes,
        "worker_class": worker_class,
        # gthread sizes its thread pool per process (see notes_sync.worker); this is the largest.
        "threads": max(plan.pool_sizes),
        "worker_connections": MAX_CLIENT_CONNECTIONS,
        "keepalive": KEEPALIVE_S,
        "graceful_timeout": GRACEFUL_TIMEOUT_S,
        "pre_fork": pre_fork,
        "proc_name": backend,
        "loglevel": "info",
    }

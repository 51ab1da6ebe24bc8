"""The database outside the ORM's queries: the schema at start-up, Django's `DATABASES` entry with
its connection pool, and which database errors mean "unavailable" (503) rather than a bug (500).

The constants are those of `backends/common/src/db.rs` and `error.rs`: the same CREATE TABLE
statement under the same advisory lock key, the same 3 s wait for a pooled connection, the same
30 s start-up wait, the same SQLSTATEs counted as unavailable.
"""

from __future__ import annotations

import getpass
import logging
import time

import django.db
import psycopg

from django_notes import errors

#: Serialises concurrent schema creation by several backends; the key of the Rust backends.
SCHEMA_LOCK_KEY = 0x6E6F_7465_735F_6462  # "notes_db"
CREATE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS note ("
    "id BIGSERIAL PRIMARY KEY, "
    "title VARCHAR(100) NOT NULL, "
    "content TEXT NOT NULL)"
)
#: Is the database reachable right now? (`GET /health`)
PING = "SELECT 1"
#: How long a request waits for a pooled connection before it is answered 503 (SPEC: 503
#: within 5 s when the database is down or the pool exhausted).
ACQUIRE_TIMEOUT_S = 3.0
#: How long start-up waits for the database before giving up.
STARTUP_TIMEOUT_S = 30.0
#: libpq's connect timeout, so a connection attempt to an unreachable host cannot hang.
CONNECT_TIMEOUT_S = 5
#: How long the pool retries one failed connection in the background before it gives up and
#: lets the next waiting request try at once. Short, so the backend notices the database is back
#: within a request or two instead of after an exponential back-off of many seconds.
RECONNECT_TIMEOUT_S = 1.0

# SQLSTATEs that mean "the database is not there right now": connection exceptions (class 08),
# the server shutting down or starting (57P01-57P03), too many connections (53300).
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
_LIBPQ_SETTINGS = {
    "dbname": "NAME",
    "user": "USER",
    "password": "PASSWORD",
    "host": "HOST",
    "port": "PORT",
}

log = logging.getLogger("django_notes")


class DatabaseNotReady(Exception):
    """The schema could not be created; `str()` is one line."""


def connect_params(params: dict[str, str]) -> dict[str, str]:
    """`params` with the connect timeout unless the URL set one."""
    return {"connect_timeout": str(CONNECT_TIMEOUT_S), **params}


def prepare(params: dict[str, str]) -> None:
    """Waits (up to `STARTUP_TIMEOUT_S`) until the database answers, then creates the schema."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            _create_schema(params)
            return
        except psycopg.Error as err:
            if not is_unavailable(err) or time.monotonic() >= deadline:
                raise DatabaseNotReady(f"cannot prepare the database: {one_line(err)}") from None
            log.info("waiting for the database: %s", one_line(err))
            time.sleep(0.25)


def _create_schema(params: dict[str, str]) -> None:
    # One transaction: the lock is released at commit, after the table exists.
    with psycopg.connect(**connect_params(params)) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        conn.execute(CREATE_SCHEMA)


def django_database(params: dict[str, str], pool_size: int) -> dict:
    """The `DATABASES["default"]` entry: psycopg 3 with a pool of at most `pool_size` connections.

    Connections are opened on demand (`min_size` 0, like the Rust backends' lazy pool), not
    pinged before use (no health-check query: that would double the round trips we measure;
    `pgbackend` skips connections the server closed without asking it), and returned to the
    pool at the end of each request (`CONN_MAX_AGE` 0 is what pooling requires).
    """
    entry = {setting: params.get(key, "") for key, setting in _LIBPQ_SETTINGS.items()}
    # Without a database name libpq connects to the database named like the user.
    entry["NAME"] = entry["NAME"] or entry["USER"] or getpass.getuser()
    options = {key: value for key, value in params.items() if key not in _LIBPQ_SETTINGS}
    options.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
    options["pool"] = {
        "min_size": 0,
        "max_size": pool_size,
        "timeout": ACQUIRE_TIMEOUT_S,
        "reconnect_timeout": RECONNECT_TIMEOUT_S,
    }
    return {
        "ENGINE": "django_notes.pgbackend",
        **entry,
        "OPTIONS": options,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
    }


def is_unavailable(err: BaseException) -> bool:
    """Lost or refused connections and an exhausted pool: the backend recovers when the
    database does. Any other database error is a bug or a schema problem."""
    cause = err.__cause__ if isinstance(err, django.db.Error) else err
    if cause is None:
        return isinstance(err, (django.db.OperationalError, django.db.InterfaceError))
    if isinstance(cause, psycopg.InterfaceError):
        return True
    if isinstance(cause, psycopg.Error):
        sqlstate = cause.sqlstate
        if sqlstate is None:
            # No answer from a server: refused, lost, timed out (the pool's PoolTimeout too).
            return isinstance(cause, psycopg.OperationalError)
        return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES
    return isinstance(cause, OSError)


def api_error(err: django.db.Error) -> errors.ApiError:
    """Classifies a database error for the client; logs the detail, which the client never sees."""
    if is_unavailable(err):
        log.warning("database unavailable: %s", one_line(err))
        return errors.database_unavailable()
    log.error("database error: %s", one_line(err))
    return errors.internal()


def one_line(err: BaseException) -> str:
    """An error's text on one line (libpq messages span several)."""
    return " ".join(str(err).split()) or type(err).__name__

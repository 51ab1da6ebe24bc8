"""Django's PostgreSQL backend (psycopg 3 with its pool), with one addition: a pooled connection
that the server has closed is never handed to a request.

When PostgreSQL stops or restarts, every idle pooled connection is dead, and each would fail one
request with a 503 before the pool replaces it; with one pool per worker process, a process that
saw no request while the database was away would fail requests long after it is back. Asking the
server (a health-check query) would double the round trips of every request, so the check is
local: an idle connection has nothing to read, and a readable socket means the server closed it
(end of stream, or its FATAL "terminating connection" message). Such a connection goes back to
the pool, which discards it and opens a new one, and the request takes the next.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        pool = self.pool
        if pool is None:
            return connection
        # Bounded: a pool holds at most max_size connections that can all be dead at once.
        for _ in range(pool.max_size):
            if not _closed_by_server(connection):
                return connection
            connection.close()
            pool.putconn(connection)
            connection = super().get_new_connection(conn_params)
        return connection


def _closed_by_server(connection) -> bool:
    if connection.closed:
        return True
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN)
    return bool(poller.poll(0))

"""The notes API of SPEC section 1 on Django, shared by the django-sync and django-async backends.

Everything a client can observe and that does not depend on sync or async serving is decided
here, once, the same way as the Rust backends' `backends/common`: configuration from the
environment (`config`, `cpus`), validation of a new note (`validation`), the error type
(`errors`), response bytes and headers (`replies`), the `note` model (`models`), the schema,
pool and database-error classification (`database`, and `pgbackend`, Django's PostgreSQL backend
with a liveness check on pooled connections), Django settings (`djsettings`), logging (`logs`),
the URL table and method guard (`routes`), and the gunicorn launcher that maps WORKERS and
DB_POOL_SIZE onto processes, threads and pools (`plan`, `server`). A backend package adds its
views (sync or async) and its worker class.
"""

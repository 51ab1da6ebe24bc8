"""Django's PostgreSQL backend with a liveness check on pooled connections (see `base`)."""

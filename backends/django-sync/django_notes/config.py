"""Configuration from the environment: SPEC section 1's names, rules and defaults, the same as the
Rust backends' (`backends/common/src/config.rs`).

Parsing takes a mapping rather than reading `os.environ`, so every rule is testable. A bad value
raises `ConfigError`, whose text is one line naming the variable and what was expected; the
launcher prints it and exits with code 2. An empty value counts as unset.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict

from django_notes.cpus import available_cpus

#: Database connections for the whole backend when DB_POOL_SIZE is not set.
DEFAULT_POOL_SIZE = 20
#: Listening port when PORT is not set.
DEFAULT_PORT = 8000
#: PostgreSQL port when DATABASE_PORT is not set.
DEFAULT_DATABASE_PORT = 5432
#: Listening address when HOST is not set.
DEFAULT_HOST = "0.0.0.0"

# What Rust's `str::parse` accepts for an unsigned integer: an optional `+` and ASCII digits.
_UNSIGNED = re.compile(r"\+?[0-9]+")
_U16_MAX = 2**16 - 1
_U32_MAX = 2**32 - 1
_USIZE_MAX = 2**64 - 1
_POSITIVE = "a whole number of at least 1"
_URL_EXAMPLE = "a URL like postgres://user:password@host:5432/db"


class ConfigError(Exception):
    """A missing or malformed environment variable; `str()` is the one-line message."""


@dataclass(frozen=True)
class Config:
    """Everything a backend reads from its environment."""

    #: libpq connection parameters: host, port, user, password, dbname and any URL options.
    database: dict[str, str]
    #: The listening IP address, normalised (`127.0.0.1`, `::1`).
    host: str
    port: int
    #: Database connections for the whole backend, all processes together.
    pool_size: int
    #: Request-handling processes (see `plan`).
    workers: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Config:
        """Reads the configuration; raises `ConfigError` on the first bad variable."""

        def get(name: str) -> str | None:
            return environ.get(name) or None

        database = _database(get)
        host = _parse(get, "HOST", "an IP address such as 0.0.0.0 or 127.0.0.1", _ip)
        port = _parse(get, "PORT", "a port number 0-65535", _unsigned(_U16_MAX))
        pool_size = _parse(get, "DB_POOL_SIZE", _POSITIVE, _positive(_U32_MAX))
        workers = _parse(get, "WORKERS", _POSITIVE, _positive(_USIZE_MAX))
        return cls(
            database=database,
            host=DEFAULT_HOST if host is None else host,
            port=DEFAULT_PORT if port is None else port,
            pool_size=DEFAULT_POOL_SIZE if pool_size is None else pool_size,
            workers=available_cpus() if workers is None else workers,
        )


def _database(get) -> dict[str, str]:
    url = get("DATABASE_URL")
    if url is not None:
        return parse_database_url(url)
    host = get("DATABASE_HOST")
    if host is None:
        raise ConfigError(
            "DATABASE_URL is not set (nor DATABASE_HOST, DATABASE_USER and DATABASE_NAME): "
            "expected e.g. postgres://user:password@host:5432/db"
        )
    params = {
        "host": host,
        "user": _required(get, "DATABASE_USER", "the database user name"),
        "dbname": _required(get, "DATABASE_NAME", "the database name"),
    }
    port = _parse(get, "DATABASE_PORT", "a port number 1-65535", _unsigned(_U16_MAX))
    params["port"] = str(DEFAULT_DATABASE_PORT if port is None else port)
    password = get("DATABASE_PASSWORD")
    if password is not None:
        params["password"] = password
    return params


def parse_database_url(url: str) -> dict[str, str]:
    """libpq parameters from a `postgres://` or `postgresql://` URL; `ConfigError` otherwise."""
    malformed = ConfigError(
        f"DATABASE_URL={_quote(redact_password(url))} is malformed: expected {_URL_EXAMPLE}"
    )
    scheme, separator, _ = url.partition("://")
    if not separator or scheme not in ("postgres", "postgresql"):
        raise malformed
    try:
        params = conninfo_to_dict(url)
    except psycopg.Error:
        raise malformed from None
    port = params.get("port")
    if port is not None and _unsigned(_U16_MAX)(port) is None:
        raise malformed
    return {key: str(value) for key, value in params.items()}


def redact_password(url: str) -> str:
    """`postgres://u:secret@h/db` becomes `postgres://u:***@h/db`, for error messages."""
    scheme, separator, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def _required(get, name: str, expected: str) -> str:
    value = get(name)
    if value is None:
        raise ConfigError(f"{name} is not set: expected {expected} (or set DATABASE_URL)")
    return value


def _parse(get, name: str, expected: str, convert):
    """`None` when unset, else `convert(value)`; `ConfigError` when that gives `None`."""
    value = get(name)
    if value is None:
        return None
    parsed = convert(value.strip())
    if parsed is None:
        raise ConfigError(f"{name}={_quote(value)} is malformed: expected {expected}")
    return parsed


def _unsigned(maximum: int):
    def convert(text: str) -> int | None:
        if not _UNSIGNED.fullmatch(text):
            return None
        number = int(text)
        return number if number <= maximum else None

    return convert


def _positive(maximum: int):
    unsigned = _unsigned(maximum)

    def convert(text: str) -> int | None:
        number = unsigned(text)
        return number if number is not None and number >= 1 else None

    return convert


def _ip(text: str) -> str | None:
    # Rust's IpAddr has no IPv6 zone (`%eth0`); Python's would accept one.
    if "%" in text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _quote(value: str) -> str:
    """A value in double quotes with escapes, like Rust's `{:?}`, so the message stays one line."""
    return json.dumps(value, ensure_ascii=False)

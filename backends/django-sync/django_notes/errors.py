"""The one API error type: every failure a client can see, with its status code and message.

Mirrors `ApiError` of `backends/common/src/error.rs`: same statuses, same one-line messages. The
body is `{"error":"<message>"}` (see `replies`); database details never reach the client.
"""

from __future__ import annotations

#: `Allow` header of the paths that answer GET only.
ALLOW_GET = "GET"
#: `Allow` header of `/notes/`.
ALLOW_NOTES = "GET, POST"


class ApiError(Exception):
    """A request that cannot be answered with success."""

    def __init__(self, status: int, message: str, allow: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        #: The `Allow` header value, for 405 only.
        self.allow = allow


def unsupported_media_type() -> ApiError:
    return ApiError(415, "Content-Type must be application/json")


def payload_too_large() -> ApiError:
    return ApiError(413, "request body is larger than 65536 bytes")


def bad_json(detail: str) -> ApiError:
    return ApiError(400, detail)


def invalid(message: str) -> ApiError:
    """A 422 for JSON of the wrong shape."""
    return ApiError(422, message)


def not_found() -> ApiError:
    return ApiError(404, "not found")


def method_not_allowed(allow: str) -> ApiError:
    return ApiError(405, "method not allowed", allow)


def database_unavailable() -> ApiError:
    return ApiError(503, "database unavailable")


def internal() -> ApiError:
    return ApiError(500, "internal server error")

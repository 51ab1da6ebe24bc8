"""Django responses with the exact bytes and headers of the Rust backends (`reply.rs`).

JSON is compact, keys in insertion order, non-ASCII written as UTF-8: `json.dumps` with
`ensure_ascii=False` and no spaces escapes exactly what serde_json escapes (`"`, `\\`, the short
escapes `\\b \\f \\n \\r \\t` and other control characters as lower-case `\\u00XX`; DEL, `/`,
U+2028 and U+2029 raw), so the bytes are the same. Every response carries `Content-Length`, and a
HEAD request gets the headers of the GET answer with an empty body, as hyper sends it.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse

from django_notes.errors import ApiError

#: `Content-Type` of the text endpoints.
TEXT_PLAIN = "text/plain; charset=utf-8"
#: `Content-Type` of every JSON body, errors included.
APPLICATION_JSON = "application/json"


def json_bytes(value) -> bytes:
    """Compact JSON, keys in insertion order, non-ASCII as UTF-8: the bytes every backend sends."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def text(request: HttpRequest, body: bytes) -> HttpResponse:
    """A 200 `text/plain` answer."""
    return _response(request, 200, TEXT_PLAIN, body)


def json_value(request: HttpRequest, status: int, value) -> HttpResponse:
    """An `application/json` answer of `value`."""
    return _response(request, status, APPLICATION_JSON, json_bytes(value))


def error(request: HttpRequest, err: ApiError) -> HttpResponse:
    """`{"error":"<message>"}` with the error's status (and `Allow` for 405)."""
    response = _response(request, err.status, APPLICATION_JSON, json_bytes({"error": err.message}))
    if err.allow is not None:
        response["Allow"] = err.allow
    return response


def note(id_: int, title: str, content: str) -> dict:
    """A note as the API shows it: keys in the order id, title, content."""
    return {"id": id_, "title": title, "content": content}


def _response(request: HttpRequest, status: int, content_type: str, body: bytes) -> HttpResponse:
    response = HttpResponse(
        b"" if request.method == "HEAD" else body, status=status, content_type=content_type
    )
    response["Content-Length"] = str(len(body))
    return response

"""Validation of a `POST /notes/` request: SPEC section 1's bad-input rules, in their order.

415 (content type) > 413 (body size) > 400 (not JSON) > 422 (wrong shape), the same decisions as
`backends/common/src/input.rs`. Python's `json` is more lenient than serde_json, so the
differences are closed here: NaN/Infinity, numbers out of the f64 range, lone surrogate escapes
and nesting deeper than 128 levels are all 400. Everything here is pure: bad input is rejected
before any database work.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

from django_notes import errors

#: Largest accepted request body, in raw bytes as received.
MAX_BODY_BYTES = 64 * 1024
#: Deepest accepted JSON nesting (arrays and objects).
MAX_JSON_DEPTH = 128
#: Title length bounds, in Unicode code points (what `VARCHAR(100)` counts).
MIN_TITLE_CHARS = 1
MAX_TITLE_CHARS = 100
#: Longest accepted content, in Unicode code points.
MAX_CONTENT_CHARS = 10_000

# ASCII whitespace as Rust's `trim_ascii` sees it (no vertical tab, unlike `bytes.strip()`).
_ASCII_WHITESPACE = " \t\n\x0c\r"


class Unread(enum.Enum):
    """A body that was not read completely."""

    #: Over `MAX_BODY_BYTES`: reading stopped one byte past the limit.
    TOO_LARGE = "too large"
    #: The client went away or sent a broken chunked encoding.
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class NewNote:
    """A note that passed validation, ready to insert."""

    title: str
    content: str


def classify(raw: bytes) -> bytes | Unread:
    """`raw` as read with a cap of `MAX_BODY_BYTES + 1` bytes: the body, or `TOO_LARGE`."""
    return Unread.TOO_LARGE if len(raw) > MAX_BODY_BYTES else raw


def is_json(content_type: str | None) -> bool:
    """`application/json` in any letter case, optionally with parameters (`; charset=utf-8`).

    `content_type` is the header as the server decoded it (latin-1), so comparing its lower-cased
    ASCII form is exact.
    """
    if content_type is None:
        return False
    essence = content_type.split(";", 1)[0].strip(_ASCII_WHITESPACE)
    return essence.isascii() and essence.lower() == "application/json"


def parse_new_note(content_type: str | None, read_body: Callable[[], bytes | Unread]) -> NewNote:
    """Applies every rule in order; raises `ApiError` on the first that fails. The body is read
    (with `read_body`) only once the content type passed."""
    if not is_json(content_type):
        raise errors.unsupported_media_type()
    body = read_body()
    if body is Unread.TOO_LARGE:
        raise errors.payload_too_large()
    if body is Unread.UNREADABLE:
        raise errors.bad_json("request body could not be read")
    return _note_from_value(parse_json(body))


def parse_json(raw: bytes):
    """The JSON value of `raw`, accepting exactly what serde_json accepts (400 otherwise)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise errors.bad_json(
            f"body is not valid UTF-8: {err.reason} at byte {err.start}"
        ) from None
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_finite_int,
        )
    except RecursionError:
        raise _too_deep() from None
    except ValueError as err:
        # JSONDecodeError, and the ValueErrors of the number hooks (and of int() past 4300 digits).
        raise errors.bad_json(f"body is not valid JSON: {err}") from None
    # Both walks below only matter for bodies that could break a rule, so common notes skip them.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise _too_deep()
    # A surrogate code point can only come from a `\u` escape: the UTF-8 text above has none.
    if b"\\u" in raw and _has_surrogate(value):
        raise errors.bad_json("body is not valid JSON: lone surrogate in a \\u escape")
    return value


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number out of range: {text[:40]}")
    return number


def _finite_int(text: str) -> int:
    number = int(text)
    # serde_json reads integers past 64 bits as f64, which fails once out of the f64 range.
    if number.bit_length() > 64:
        try:
            float(number)
        except OverflowError:
            raise ValueError(f"number out of range: {text[:40]}...") from None
    return number


def _too_deep() -> errors.ApiError:
    return errors.bad_json(f"JSON nests deeper than {MAX_JSON_DEPTH} levels")


def _depth(value) -> int:
    """Nesting depth of arrays and objects (`[]` is 1, a scalar 0), without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest


def _has_surrogate(value) -> bool:
    """Whether any string, key or value, holds a lone UTF-16 surrogate."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not _is_valid_unicode(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _note_from_value(value) -> NewNote:
    if not isinstance(value, dict):
        raise errors.invalid("body must be a JSON object")
    title = _string_field(value, "title")
    content = _string_field(value, "content")
    if not MIN_TITLE_CHARS <= len(title) <= MAX_TITLE_CHARS:
        raise errors.invalid("title must be 1 to 100 characters long")
    if len(content) > MAX_CONTENT_CHARS:
        raise errors.invalid("content must be at most 10000 characters long")
    if "\0" in title or "\0" in content:
        raise errors.invalid("title and content must not contain the NUL character (U+0000)")
    return NewNote(title=title, content=content)


def _string_field(fields: dict, name: str) -> str:
    if name not in fields:
        raise errors.invalid(f"{name} is required")
    value = fields[name]
    if not isinstance(value, str):
        raise errors.invalid(f"{name} must be a string")
    return value

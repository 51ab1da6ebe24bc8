"""The API's views, synchronous: each runs on one gunicorn thread and, for the database paths,
borrows one pooled connection for the length of the request."""

from django.db import Error as DatabaseError
from django.db import connection
from gunicorn.http.errors import ParseException

from django_notes import database, errors, replies, routes, validation
from django_notes.models import Note
from django_notes.routes import GET_METHODS, get_only, method_not_allowed
from django_notes.validation import Unread


@get_only
def root(request):
    return replies.text(request, b"Server is ready")


@get_only
def no_db(request):
    return replies.text(request, b"No db endpoint")


@get_only
def no_db2(request):
    return replies.text(request, b"No db endpoint2")


def not_found(request):
    return routes.not_found(request)


@get_only
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute(database.PING)
    except DatabaseError as err:
        return replies.error(request, database.api_error(err))
    return replies.json_value(request, 200, {"status": "ok"})


def notes(request):
    if request.method in GET_METHODS:
        return _list_notes(request)
    if request.method == "POST":
        return _create_note(request)
    return method_not_allowed(request, errors.ALLOW_NOTES)


def _list_notes(request):
    try:
        rows = list(Note.objects.order_by("-id").values("id", "title", "content")[:100])
    except DatabaseError as err:
        return replies.error(request, database.api_error(err))
    return replies.json_value(request, 200, rows)


def _create_note(request):
    try:
        new = validation.parse_new_note(
            request.META.get("CONTENT_TYPE"), lambda: _read_body(request)
        )
    except errors.ApiError as err:
        return replies.error(request, err)
    try:
        note = Note.objects.create(title=new.title, content=new.content)
    except DatabaseError as err:
        return replies.error(request, database.api_error(err))
    return replies.json_value(request, 201, replies.note(note.id, note.title, note.content))


def _read_body(request) -> bytes | Unread:
    # The server's own stream, not Django's: Django's stops at Content-Length, so it would read a
    # chunked body as empty. One byte past the limit tells "at the limit" from "over it".
    try:
        raw = request.environ["wsgi.input"].read(validation.MAX_BODY_BYTES + 1)
    except (OSError, ParseException):
        return Unread.UNREADABLE
    return validation.classify(raw)

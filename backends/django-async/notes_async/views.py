"""The API's views, asynchronous: they run on the worker's event loop, and each database query
goes through Django's async ORM API (which runs it on a thread with a pooled connection)."""

from asgiref.sync import sync_to_async
from django.db import Error as DatabaseError
from django.db import connection

from django_notes import database, errors, replies, routes, validation
from django_notes.models import Note
from django_notes.routes import GET_METHODS, get_only, method_not_allowed
from django_notes.validation import Unread


@get_only
async def root(request):
    return replies.text(request, b"Server is ready")


@get_only
async def no_db(request):
    return replies.text(request, b"No db endpoint")


@get_only
async def no_db2(request):
    return replies.text(request, b"No db endpoint2")


async def not_found(request):
    return routes.not_found(request)


@get_only
async def health(request):
    try:
        await sync_to_async(_ping)()
    except DatabaseError as err:
        return replies.error(request, database.api_error(err))
    return replies.json_value(request, 200, {"status": "ok"})


def _ping() -> None:
    # Raw SQL has no async API in Django; this is the documented way to run it from async code.
    with connection.cursor() as cursor:
        cursor.execute(database.PING)


async def notes(request):
    if request.method in GET_METHODS:
        return await _list_notes(request)
    if request.method == "POST":
        return await _create_note(request)
    return method_not_allowed(request, errors.ALLOW_NOTES)


async def _list_notes(request):
    query = Note.objects.order_by("-id").values("id", "title", "content")[:100]
    try:
        rows = [row async for row in query]
    except DatabaseError as err:
        return replies.error(request, database.api_error(err))
    return replies.json_value(request, 200, rows)


async def _create_note(request):
    try:
        new = validation.parse_new_note(
            request.META.get("CONTENT_TYPE"), lambda: _read_body(request)
        )
    except errors.ApiError as err:
        return replies.error(request, err)
    try:
        note = await Note.objects.acreate(title=new.title, content=new.content)
    except DatabaseError as err:
        return replies.error(request, database.api_error(err))
    return replies.json_value(request, 201, replies.note(note.id, note.title, note.content))


def _read_body(request) -> bytes | Unread:
    # At most MAX_BODY_BYTES + 1 bytes arrive here (see `asgi`), already in memory.
    try:
        raw = request.read(validation.MAX_BODY_BYTES + 1)
    except OSError:
        return Unread.UNREADABLE
    return validation.classify(raw)

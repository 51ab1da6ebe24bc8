"""The ASGI application: Django's, behind a cap on the request body.

Django's ASGI handler reads the whole body (spooling to disk past 2.5 MB) before any view runs.
The cap passes the first `MAX_BODY_BYTES + 1` bytes and ends the body there, so the view sees
"over the limit" (413) without anything reading further into memory; the rest of an oversized
body is received and dropped while the answer goes out, so the connection stays usable.
"""

from django.core.asgi import get_asgi_application

from django_notes.validation import MAX_BODY_BYTES


def make_app():
    """Sets Django up (settings are configured by then) and returns the capped application."""
    return capped_body(get_asgi_application(), MAX_BODY_BYTES + 1)


def capped_body(app, limit: int):
    """`app` with request bodies cut off after `limit` bytes."""

    async def application(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        received = 0
        ended = False

        async def capped_receive():
            nonlocal received, ended
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return message
                if ended:
                    continue
                chunk = message.get("body", b"")
                room = limit - received
                if len(chunk) >= room:
                    ended = True
                    return {"type": "http.request", "body": chunk[:room], "more_body": False}
                received += len(chunk)
                ended = not message.get("more_body", False)
                return message

        return await app(scope, capped_receive, send)

    return application

"""`python -m notes_async`: the production server (what `run.sh` execs)."""

from django_notes import server
from notes_async.asgi import make_app
from notes_async.worker import NotesUvicornWorker

if __name__ == "__main__":
    server.main("django-async", "uvicorn workers", NotesUvicornWorker, "notes_async.urls", make_app)

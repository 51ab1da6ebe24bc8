"""`python -m notes_sync`: the production server (what `run.sh` execs)."""

from django.core.wsgi import get_wsgi_application

from django_notes import server
from notes_sync.worker import NotesThreadWorker

if __name__ == "__main__":
    server.main(
        "django-sync", "gthread workers", NotesThreadWorker, "notes_sync.urls", get_wsgi_application
    )

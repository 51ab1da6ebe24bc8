"""Django's settings, configured in code in each worker process once its pool size is known.

Production settings: DEBUG off, no middleware (nothing of it applies to a JSON API without
sessions, and CommonMiddleware's APPEND_SLASH redirects are exactly what the API forbids), no
upload size limit of Django's own (the views read the raw body with the 64 KiB + 1 cap), and
the logging of `logs`.
"""

from __future__ import annotations

import secrets

from django.conf import settings

from django_notes import logs


def configure(urlconf: str, database: dict) -> None:
    """Configures Django for the URL module `urlconf` and the `DATABASES["default"]` entry;
    `get_wsgi_application()` / `get_asgi_application()` then set Django up."""
    settings.configure(
        DEBUG=False,
        # Nothing is signed (no sessions, no CSRF, no messages), but Django wants a key.
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=urlconf,
        INSTALLED_APPS=["django_notes"],
        MIDDLEWARE=[],
        APPEND_SLASH=False,
        DATA_UPLOAD_MAX_MEMORY_SIZE=None,
        DATABASES={"default": database},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_I18N=False,
        USE_TZ=True,
        TIME_ZONE="UTC",
        LOGGING_CONFIG="logging.config.dictConfig",
        LOGGING=logs.django_logging(),
    )

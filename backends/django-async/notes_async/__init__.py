"""The django-async backend: the notes API as async Django views (the async ORM API) under
uvicorn workers managed by gunicorn. The shared behaviour lives in `django_notes` (in the
django-sync folder); this package holds the views, the URL module, the ASGI application and the
worker class."""

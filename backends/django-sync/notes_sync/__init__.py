"""The django-sync backend: the notes API as synchronous Django views under gunicorn's threaded
(gthread) workers. The shared behaviour lives in `django_notes`; this package holds the views,
the URL module and the worker class."""

"""The URL table of the API, for sync and async views alike, and the method guard.

Each path also answers without its trailing slash, with the same view (no redirect); any other
path goes to the view module's `not_found`. A known path asked with a method it does not serve
answers 405 with an `Allow` header. HEAD is served by the GET view (the body is dropped in
`replies`), as axum does.
"""

from __future__ import annotations

import functools
from inspect import iscoroutinefunction
from types import ModuleType

from django.urls import path, re_path

from django_notes import errors, replies

#: Methods a GET-only path serves.
GET_METHODS = frozenset({"GET", "HEAD"})


def urlpatterns(views: ModuleType) -> list:
    """Every path of SPEC section 1 to its view in `views`, then everything else to 404."""
    patterns = [path("", views.root), path("health", views.health)]
    for route, view in (
        ("notes/", views.notes),
        ("no_db_endpoint/", views.no_db),
        ("no_db_endpoint2/", views.no_db2),
    ):
        patterns += [path(route, view), path(route.rstrip("/"), view)]
    return [*patterns, re_path(r"", views.not_found)]


def get_only(view):
    """Answers 405 `Allow: GET` to any method but GET and HEAD; keeps `view` sync or async."""
    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def guarded_async(request):
            if request.method in GET_METHODS:
                return await view(request)
            return method_not_allowed(request, errors.ALLOW_GET)

        return guarded_async

    @functools.wraps(view)
    def guarded(request):
        if request.method in GET_METHODS:
            return view(request)
        return method_not_allowed(request, errors.ALLOW_GET)

    return guarded


def method_not_allowed(request, allow: str):
    return replies.error(request, errors.method_not_allowed(allow))


def not_found(request):
    return replies.error(request, errors.not_found())


def bad_request(request, exception=None):
    """Django's `handler400` (a request Django itself refuses), in the API's error shape."""
    return replies.error(request, errors.bad_json("bad request"))


def server_error(request):
    """Django's `handler500`: an unexpected exception, logged by Django with its traceback."""
    return replies.error(request, errors.internal())

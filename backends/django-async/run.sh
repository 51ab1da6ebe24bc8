#!/bin/sh
# Starts the django-async backend in the foreground (the `run` of backend.toml). `exec` hands
# this process to gunicorn's master, so the server is the process that gets SIGTERM. The shared
# package `django_notes` lives in the django-sync folder.
cd "$(dirname "$0")" || exit 1
if [ ! -x .venv/bin/python ]; then
  echo "django-async backend: .venv is missing: run the build of backend.toml first (sh ../django-sync/build.sh)" >&2
  exit 1
fi
PYTHONPATH="$(cd ../django-sync && pwd)"
export PYTHONPATH
exec .venv/bin/python -m notes_async

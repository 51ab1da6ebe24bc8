#!/bin/sh
# Starts the django-sync backend in the foreground (the `run` of backend.toml). `exec` hands this
# process to gunicorn's master, so the server is the process that gets SIGTERM.
cd "$(dirname "$0")" || exit 1
if [ ! -x .venv/bin/python ]; then
  echo "django-sync backend: .venv is missing: run the build of backend.toml first (sh build.sh)" >&2
  exit 1
fi
exec .venv/bin/python -m notes_sync

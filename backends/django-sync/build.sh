#!/bin/sh
# Creates the virtual environment `.venv` of the backend in the current folder from its
# requirements.txt (the `build` of backend.toml; django-async runs this file too). Idempotent
# and quick: nothing is done while the stamp, a hash of the Python interpreter and of every
# requirement file, is unchanged.
set -eu

python="python3"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "build: $python 3.10 or newer is needed for Django 5.2" >&2
  exit 1
fi

# requirements.txt and the files it includes with `-r` (paths relative to this folder).
files="requirements.txt $(sed -n 's/^-r[[:space:]]*//p' requirements.txt)"
# shellcheck disable=SC2086 # $files is a list of paths without spaces
stamp="$({ "$python" -c 'import sys; print(sys.executable, sys.version)'; cat $files; } | sha256sum | cut -d ' ' -f 1)"

if [ -x .venv/bin/python ] && [ "$(cat .venv/.requirements-stamp 2>/dev/null)" = "$stamp" ]; then
  echo "build: .venv is up to date"
  exit 0
fi

rm -rf .venv
"$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --requirement requirements.txt
.venv/bin/python -m pip check --disable-pip-version-check
printf '%s\n' "$stamp" > .venv/.requirements-stamp
echo "build: .venv created from $files"

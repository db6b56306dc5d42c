#!/usr/bin/env bash
# Installs the Python tools the tests drive as real clients and real file writers, idempotently,
# into .local/testenv: every test/python/requirements-*.txt (one file per concern, so adding a
# client or a writer touches one file). Reinstalls only when a requirements file changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$root/.local/testenv"
python=${PYTHON:-python3}

shopt -s nullglob
reqs=("$here"/requirements-*.txt)
if [ ${#reqs[@]} -eq 0 ]; then
  exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$root/.local"
  "$python" -m venv "$venv"
fi
stamp=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$stamp" ]; then
  args=()
  for r in "${reqs[@]}"; do args+=(-r "$r"); done
  echo "test/python/setup.sh: installing $(basename -a "${reqs[@]}" | tr '\n' ' ')into .local/testenv" >&2
  "$venv/bin/pip" install --disable-pip-version-check -q "${args[@]}"
  echo "$stamp" > "$venv/.requirements.sha256"
fi

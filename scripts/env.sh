#!/usr/bin/env bash
# Run a command inside the project's virtual environment, creating or updating it first
# from pyproject.toml + requirements.lock when they changed. Usage: bash scripts/env.sh CMD...
set -euo pipefail
cd "$(dirname "$0")/.."
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="${PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS:-120}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# The compiled modules (setup.py builds them in place) are rebuilt when their source changes or
# one is gone.
stamp=$(cat pyproject.toml requirements.lock setup.py flows/nlp/*.pyx flows/nlp/*.pxd flows/nlp/*.h |
  sha256sum | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.zhnews-stamp 2>/dev/null)" != "$stamp" ] ||
  ! compgen -G "flows/nlp/pkuseg_crf.*.so" >/dev/null ||
  ! compgen -G "flows/nlp/pkuseg_features.*.so" >/dev/null; then
  echo "scripts/env.sh: installing dependencies into .venv (first run takes a few minutes)" >&2
  python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip >&2
  .venv/bin/python -m pip install -q -c requirements.lock -e ".[dev,train]" >&2
  echo "$stamp" > .venv/.zhnews-stamp
fi
export PATH="$PWD/.venv/bin:$PATH"
exec "$@"

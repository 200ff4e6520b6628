#!/usr/bin/env bash
# The Réemploi demo without Docker: builds the French demo database
# "reemploi" if needed, then serves it on http://localhost:8069.
#
#   ./demo.sh                 # build once, then serve (Ctrl+C stops)
#   ./demo.sh --force         # drop the database and build it again
#   ./demo.sh --no-serve      # build only
#   ./demo.sh --db NAME --port 8070 --data-dir DIR
#
# Needs Odoo 18.0 importable by python3 (or ODOO_PATH) and PostgreSQL
# (PGHOST, PGPORT, PGUSER, PGPASSWORD), as ./tests/run.sh; same builder as
# `docker compose up`: demo/build.py.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
    echo "demo.sh: '$python' not found: install Python 3.10+ or set PYTHON=/path/to/python3" >&2
    exit 2
fi

exec "$python" "$here/demo/build.py" --serve "$@"

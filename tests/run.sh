#!/usr/bin/env bash
# Run the Odoo tests of the Réemploi addons on a fresh PostgreSQL database.
#
#   ./tests/run.sh                              # every addon under addons/
#   ./tests/run.sh reemploi_asset,reemploi_market
#
# Environment: PYTHON (default python3), ODOO_PATH, PGHOST, PGPORT, PGUSER,
# PGPASSWORD, KEEP_DB=1, EXTRA_ADDONS_PATH, TEST_TAGS, CHROME_BIN, QUIET=1,
# TEST_TIMEOUT. See tests/run.py for details.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
    echo "run.sh: '$python' not found: install Python 3.10+ or set PYTHON=/path/to/python3" >&2
    exit 2
fi

exec "$python" "$here/run.py" "$@"

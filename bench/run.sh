#!/usr/bin/env bash
# Usage: bench/run.sh [CAPFIX] [run.py options]  (see bench/run.py)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
capfix=${1:-$here/../build/capfix}
shift || true
exec python3 "$here/run.py" "$capfix" "$@"

#!/usr/bin/env bash
# The main job on the embedded default: build the synthetic demo workspace (SQLite) and show it.
# Usage: bash scripts/demo.sh [WORKSPACE]   (default: ./demo-ws)
set -euo pipefail
cd "$(dirname "$0")/.."
ws="${1:-demo-ws}"
bash scripts/setup.sh
.venv/bin/khooshe demo "$ws" --force
.venv/bin/khooshe info "$ws"

#!/usr/bin/env bash
# The main job on the embedded default: build the synthetic demo workspace (SQLite), show its
# contents and write the province plan of Khuzestan (06) as HTML, XLSX and PDF.
# Usage: bash scripts/demo.sh [WORKSPACE] [PLAN_DIR] [PROVINCE]
#        (defaults: ./demo-ws, ./demo-plan, 06)
set -euo pipefail
cd "$(dirname "$0")/.."
ws="${1:-demo-ws}"
out="${2:-demo-plan}"
province="${3:-06}"
bash scripts/system-deps.sh
bash scripts/setup.sh
.venv/bin/khooshe demo "$ws" --force
.venv/bin/khooshe info "$ws"
.venv/bin/khooshe plan "$ws" --province "$province" --out "$out"

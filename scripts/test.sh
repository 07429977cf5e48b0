#!/usr/bin/env bash
# Set up and run the test suite (PostgreSQL tests use the local server's `test` database; the
# browser test drives Debian's chromium).
# Usage: bash scripts/test.sh [PYTEST ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh --browser
bash scripts/setup.sh test
.venv/bin/ruff check src tests benchmarks
.venv/bin/lint-imports   # the layers of PRODUCT.md ([tool.importlinter] in pyproject.toml)
.venv/bin/mypy           # types of src/ ([tool.mypy] in pyproject.toml)
.venv/bin/python -m pytest "$@"

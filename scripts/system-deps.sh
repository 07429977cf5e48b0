#!/usr/bin/env bash
# Debian packages khooshe needs beyond Python: a Persian font for the PDF plan (Noto Naskh/Sans Arabic, in fonts-noto-core) and,
# for the browser tests, Chromium. Installs only what is missing; needs root (or sudo) for that.
# Usage: scripts/system-deps.sh [--browser]
set -euo pipefail
packages=()
dpkg -s fonts-noto-core >/dev/null 2>&1 || packages+=(fonts-noto-core)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || packages+=(chromium)
fi
[ ${#packages[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "khooshe: please install ${packages[*]} (no apt-get here)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "khooshe: not root; please install ${packages[*]} with apt-get" >&2
    exit 0
  fi
fi
echo "khooshe: installing Debian packages: ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

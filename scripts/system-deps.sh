#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when they are missing:
# the PostgreSQL server (the suite runs against PostgreSQL as well as SQLite) and
# Chromium (the browser tests drive Debian's Chromium through Playwright).
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)

if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    SUDO=sudo
  else
    echo "Cannot install ${missing[*]}: run as root, or install them with: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
${SUDO:-} apt-get update -q
${SUDO:-} apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Install Debian's chromium for the browser test (make e2e), if it is not there yet.
# The test drives this system browser through Playwright; it never downloads one of its own.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium is already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Cannot install chromium: apt-get was not found (this script supports Debian and Ubuntu)." >&2
  echo "Install a Chromium build at $CHROMIUM with your system's package manager, then rerun." >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
  echo "Installing chromium needs root: sudo may ask for your password."
else
  echo "Cannot install chromium: not running as root and sudo was not found." >&2
  echo "As root, run: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi

echo "Installing chromium with apt-get (about 30 s)..."
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get finished but $CHROMIUM is still missing." >&2
  echo "On Ubuntu, 'chromium' may be a snap wrapper; install a Debian chromium package instead." >&2
  exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"

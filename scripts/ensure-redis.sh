#!/usr/bin/env bash
# The integration tests start their own redis-server (and a Redis Cluster) on
# free loopback ports; this makes sure the binaries exist. Installs Debian's
# redis-server when missing, as root or through sudo.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  exit 0
fi
echo "redis-server not found: installing Debian's redis-server package" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq redis-server >/dev/null
# The package starts a system-wide instance on 6379; the tests do not use it.
command -v redis-server >/dev/null

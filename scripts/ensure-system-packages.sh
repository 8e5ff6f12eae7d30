#!/usr/bin/env bash
# The integration tests start their own system binaries on free loopback ports:
# redis-server (single node and a Redis Cluster, through redis-cli), HAProxy
# (the multi-instance test's load balancer) and chromium (headless, the IDE
# test); jq runs README's pasted shell examples. This makes sure they exist, and
# installs the missing Debian packages with apt, as root or through sudo.
# Usage: ensure-system-packages.sh [command...]   (default: every command below)
set -euo pipefail

# command -> the Debian package that provides it
declare -A PACKAGE_OF=(
  [redis-server]=redis-server
  [redis-cli]=redis-tools
  [haproxy]=haproxy
  [jq]=jq
  # A font too: chromium recommends it, and without one the IDE screenshot shows no text.
  [chromium]="chromium fonts-liberation"
)

# Debian puts haproxy in /usr/sbin, which a non-root PATH may lack (the tests look there too).
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(redis-server redis-cli haproxy jq chromium)
missing=()
for command in "${wanted[@]}"; do
  package=${PACKAGE_OF[$command]:-}
  [ -n "$package" ] || { echo "ensure-system-packages: no package known for '$command'" >&2; exit 2; }
  have "$command" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
echo "installing Debian packages: $packages" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086 # one word per package
$SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null
# The packages start system-wide services (redis on 6379, haproxy on its default config); the tests use neither.
for command in "${wanted[@]}"; do have "$command" || { echo "still missing: $command" >&2; exit 1; }; done

#!/usr/bin/env bash
# redis-server and redis-cli only (the benchmark's needs); see ensure-system-packages.sh.
exec bash "$(dirname "$0")/ensure-system-packages.sh" redis-server redis-cli

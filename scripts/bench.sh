#!/usr/bin/env bash
# Benchmarks: the on-sale rush against the row-lock baseline (issue 5). Builds Release, makes sure PostgreSQL and
# RabbitMQ are installed, and runs bench/BookMyShow.Bench, which starts its own PostgreSQL and RabbitMQ processes
# (as the tests do), the distributed system (gateway + workers) and the baseline server, runs the scenarios and
# writes a report folder (summary.md, figures.json, SVG plots).
# Usage: scripts/bench.sh [--quick] [--out DIR] [--scenarios hot,sustained,expiry,failover] [more bench options]
#   --quick   small numbers; exits non-zero only when an invariant fails (what CI runs), never on timings.
# Default report folder: bench/reports/<UTC timestamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/install.sh
ensure_rabbitmq_installed
ensure_postgres_installed

configuration=${CONFIGURATION:-Release}
dotnet build bench/BookMyShow.Bench/BookMyShow.Bench.csproj -c "$configuration" -warnaserror -nologo -v quiet
# Thousands of client connections and SSE streams at once (the children inherit the limit).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec dotnet "bench/BookMyShow.Bench/bin/$configuration/net10.0/BookMyShow.Bench.dll" "$@"

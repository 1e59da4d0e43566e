#!/usr/bin/env bash
# The one test command. On a fresh Debian machine with the .NET SDK it installs what the tests need
# (rabbitmq-server; PostgreSQL 15 if absent), builds with warnings as errors and runs every test.
# The tests start their own RabbitMQ and PostgreSQL processes on free ports in temp directories
# (or use BMS_TEST_POSTGRES / BMS_TEST_RABBITMQ when set, or Testcontainers when Docker is reachable).
# Then the benchmarks in their quick mode (scripts/bench.sh --quick), which check invariants only, never timings;
# skipped when extra arguments select tests (BMS_SKIP_BENCH=1 skips it too).
# Usage: scripts/test.sh [--fast] [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Race]
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=${CONFIGURATION:-Release}

# The edit-test loop's tier: unit tests and in-memory harness specs ([Trait("Tier", "Fast")]), no server or process
# started, nothing installed; well under a minute once built. The full command below is what CI runs.
if [ "${1:-}" = "--fast" ]; then
  shift
  dotnet build BookMyShow.sln -c "$configuration" -warnaserror -nologo -v quiet
  exec dotnet test BookMyShow.sln -c "$configuration" --no-build --nologo -m:1 --filter "Tier=Fast" "$@"
fi

. scripts/lib/install.sh
ensure_rabbitmq_installed
ensure_postgres_installed

dotnet build BookMyShow.sln -c "$configuration" -warnaserror -nologo -v quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# One test project at a time: the timing checks (expiry p99, failover) must not share the 2 cores.
dotnet test BookMyShow.sln -c "$configuration" --no-build --nologo -m:1 "$@" 2>&1 | tee "$log" || status=$?

bench_status=skipped
if [ "$#" -eq 0 ] && [ "${BMS_SKIP_BENCH:-0}" != "1" ]; then
  bench_out=$(mktemp -d)
  if CONFIGURATION="$configuration" bash scripts/bench.sh --quick --out "$bench_out"; then bench_status=passed; else bench_status=failed; status=1; fi
fi

# One closing line over all test assemblies.
awk '/(Passed|Failed)!  - Failed:/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Total: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
echo "Bench quick mode (invariants): $bench_status"
exit "$status"

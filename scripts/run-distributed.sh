#!/usr/bin/env bash
# Runs the distributed topology on this machine: local PostgreSQL and RabbitMQ (RabbitMQ installed with apt-get
# when missing), the schema and catalog applied, then one worker and one gateway in the foreground.
# Ctrl+C stops the gateway and worker; `scripts/run-distributed.sh stop` (from any terminal) stops them and PostgreSQL
# and RabbitMQ;
# `scripts/run-distributed.sh reset` stops them and deletes their data (a database made by an older build is refused).
#
# Environment: BMS_HOME (data folder, default ./.local), BMS_HTTP_PORT (default 5080), BMS_PG_PORT (default 55432),
# BMS_AMQP_PORT (default 56720), BMS_WORKERS (worker processes, default 1), BMS_SIGNING_KEY.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/install.sh

home=$(realpath -m "${BMS_HOME:-.local}")
http_port=${BMS_HTTP_PORT:-5080}
pg_port=${BMS_PG_PORT:-55432}
amqp_port=${BMS_AMQP_PORT:-56720}
workers=${BMS_WORKERS:-1}
node="bookmyshow-${amqp_port}@localhost"
pg_user=postgres   # PostgreSQL refuses to run as root; Debian's package made this user.

# Debian's /usr/sbin wrappers switch to the rabbitmq user and its HOME; we run the real scripts with our own.
rabbit_bin=/usr/lib/rabbitmq/bin
rabbit_env() {
  env HOME="$home/rabbitmq" RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$amqp_port" \
      RABBITMQ_DIST_PORT=$((amqp_port + 1)) RABBITMQ_MNESIA_BASE="$home/rabbitmq/mnesia" \
      RABBITMQ_LOG_BASE="$home/rabbitmq/log" RABBITMQ_ENABLED_PLUGINS_FILE="$home/rabbitmq/enabled_plugins" \
      RABBITMQ_CONFIG_FILE="$home/rabbitmq/rabbitmq" "$@"
}

pg() { as_root runuser -u "$pg_user" -- "$(postgres_bin)/$1" "${@:2}"; }

# The gateway and workers of a run in another terminal (the same as Ctrl+C there), by the pids it wrote down; a pid
# is only signalled while it still belongs to a BookMyShow process, so a stale file after a crash is harmless.
stop_servers() {
  [ -f "$home/servers.pid" ] || return 0
  local running=()
  for pid in $(cat "$home/servers.pid"); do
    grep -qa BookMyShow "/proc/$pid/cmdline" 2>/dev/null && kill "$pid" 2>/dev/null && running+=("$pid")
  done
  for _ in $(seq 1 40); do   # at most 20 s for a graceful shutdown, before their database and broker go away
    local alive=0
    for pid in "${running[@]}"; do [ -d "/proc/$pid" ] && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.5
  done
  rm -f "$home/servers.pid"
}

stop_services() {
  stop_servers
  rabbit_env "$rabbit_bin/rabbitmqctl" -n "$node" stop >/dev/null 2>&1 || true
  [ -d "$home/pg" ] && pg pg_ctl -D "$home/pg" -m fast stop >/dev/null 2>&1 || true
}

if [ "${1:-}" = "stop" ]; then
  stop_services
  echo "Stopped the gateway, the workers, PostgreSQL and RabbitMQ of $home."
  exit 0
fi
if [ "${1:-}" = "reset" ]; then
  stop_services
  as_root rm -rf "$home/pg" "$home/rabbitmq"
  echo "Stopped the gateway, the workers, PostgreSQL and RabbitMQ of $home and deleted their data."
  exit 0
fi

ensure_rabbitmq_installed
ensure_postgres_installed
mkdir -p "$home/rabbitmq/log" "$home/rabbitmq/mnesia" "$home/logs"

# PostgreSQL
if [ ! -f "$home/pg/PG_VERSION" ]; then
  mkdir -p "$home/pg"
  as_root chown -R "$pg_user" "$home/pg"
  pg initdb -D "$home/pg" -U bookmyshow --auth=trust >/dev/null
fi
as_root chown "$pg_user" "$home/pg"
if ! pg pg_ctl -D "$home/pg" status >/dev/null 2>&1; then
  pg pg_ctl -D "$home/pg" -l "$home/pg/server.log" -w \
    -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
fi
"$(postgres_bin)/psql" -h 127.0.0.1 -p "$pg_port" -U bookmyshow -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bookmyshow'" | grep -q 1 \
  || "$(postgres_bin)/createdb" -h 127.0.0.1 -p "$pg_port" -U bookmyshow bookmyshow
echo "PostgreSQL on 127.0.0.1:$pg_port"

# RabbitMQ
if [ ! -f "$home/rabbitmq/rabbitmq.conf" ]; then
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "$amqp_port" > "$home/rabbitmq/rabbitmq.conf"
  echo "[]." > "$home/rabbitmq/enabled_plugins"
fi
if ! rabbit_env "$rabbit_bin/rabbitmqctl" -n "$node" status >/dev/null 2>&1; then
  rabbit_env "$rabbit_bin/rabbitmq-server" -detached
fi
# await_startup needs the node to be up already: poll until it answers (at most two minutes).
for i in $(seq 1 120); do
  rabbit_env "$rabbit_bin/rabbitmqctl" -n "$node" await_startup --timeout 60 >/dev/null 2>&1 && break
  [ "$i" -eq 120 ] && { echo "RabbitMQ did not start; see $home/rabbitmq/log" >&2; exit 1; }
  sleep 1
done
echo "RabbitMQ on 127.0.0.1:$amqp_port"

export Gateway__Embedded=false
export Database__Provider=Postgres
export Messaging__Transport=RabbitMq
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Database=bookmyshow;Username=bookmyshow"
export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$amqp_port/"
export Auth__SigningKey="${BMS_SIGNING_KEY:-local-distributed-signing-key-change-me-0123456789}"
export Auth__DevTokens="${Auth__DevTokens:-true}"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"

dotnet build BookMyShow.sln -c Release -nologo -v quiet
if ! dotnet src/Workers/bin/Release/net10.0/BookMyShow.Workers.dll --apply-schema >"$home/logs/schema.log" 2>&1; then
  grep -m1 -A14 "Unhandled exception" "$home/logs/schema.log" >&2 || tail -n 5 "$home/logs/schema.log" >&2
  echo "Applying the schema failed (log: $home/logs/schema.log). If the database was made by an older build," \
       "start over with: scripts/run-distributed.sh reset" >&2
  exit 1
fi
echo "Schema and catalog applied"

# The servers compile the framework's code optimised as well, instead of running its precompiled (ReadyToRun) code
# (ADR 12). Set here, not exported: the build and the schema step are short-lived and would only start slower.
server_jit=(env DOTNET_ReadyToRun=0)

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -f "$home/servers.pid"; }
trap cleanup EXIT INT TERM
for i in $(seq 1 "$workers"); do
  (cd src/Workers/bin/Release/net10.0 && exec "${server_jit[@]}" dotnet BookMyShow.Workers.dll) >"$home/logs/worker-$i.log" 2>&1 &
  pids+=($!)
done
(cd src/Gateway/bin/Release/net10.0 && ASPNETCORE_URLS="http://127.0.0.1:$http_port" exec "${server_jit[@]}" dotnet BookMyShow.Gateway.dll) >"$home/logs/gateway.log" 2>&1 &
pids+=($!)
echo "${pids[@]}" > "$home/servers.pid"   # for `scripts/run-distributed.sh stop` from another terminal
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$http_port/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
echo "Gateway on http://127.0.0.1:$http_port ($workers worker(s)); logs in $home/logs. Ctrl+C to stop."
wait

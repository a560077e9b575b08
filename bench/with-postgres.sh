#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL (durable settings: fsync on) on a free loopback port.
# Its connection string is in $BENCH_POSTGRES, e.g.:
#   bench/with-postgres.sh bash -c 'dotnet run -c Release --project bench/IoTRoutes.Bench -- --database PostgreSql --connection-string "$BENCH_POSTGRES;Database=bench" --repeat 3 --record'
# (each IoTRoutes process gets a database of its own: bench_<random>)
set -euo pipefail
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=$(mktemp -d /tmp/iotroutes-bench-pg.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1
as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
trap 'as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1; rm -rf "$PG_DIR"' EXIT
export BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres"
"$@"

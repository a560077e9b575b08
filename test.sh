#!/usr/bin/env bash
# Runs the whole IoTRoutes test suite on a fresh Debian machine:
# installs what the tests need (chromium, mosquitto-clients, mosquitto, postgresql, fonts-dejavu-core, python3-aiosmtpd, vsftpd,
# openssh-server), starts a throwaway PostgreSQL server on a free loopback port, runs every test project and ends with
# one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"

log() { printf '==> %s\n' "$*" >&2; }

install_missing() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
  # The external broker of the MQTT bridge tests (docs/decisions/communicators-mqtt-bridge.md).
  [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  id postgres >/dev/null 2>&1 || missing+=(postgresql)
  # PDF reports draw their text with a system font (docs/architecture.md, Jobs: Report).
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  # The SMTP communicator's tests run a real SMTP server (aiosmtpd) with Debian's python3.
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
  # The file-transfer communicator tests start their own vsftpd and sshd on free loopback ports.
  [ -x /usr/sbin/vsftpd ] || missing+=(vsftpd)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    # No package may start its service here (vsftpd on port 21, sshd on 22, PostgreSQL on 5432): the tests run their
    # own. A policy-rc.d that answers 101 is Debian's way to say so; it is removed again if we added it.
    local policy=/usr/sbin/policy-rc.d added_policy=""
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && added_policy=1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ -n "$added_policy" ]; then $sudo rm -f "$policy"; fi
  fi
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( (RANDOM % 20000) + 40000 ))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  return 1
}

PG_DIR=""
PG_BIN=""
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PG_DIR=$(mktemp -d /tmp/iotroutes-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
  local port; port=$(free_port) || { log "no free port for PostgreSQL"; return 1; }
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  export IOTROUTES_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres"
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$PG_DIR"
  fi
}
trap stop_postgres EXIT

install_missing
start_postgres || { echo "0 passed, 1 failed"; exit 1; }

RESULTS=$(mktemp -d /tmp/iotroutes-results.XXXXXX)
log "building"
if ! dotnet build IoTRoutes.sln -c Release -nologo -v q >"$RESULTS/build.log" 2>&1; then
  grep -E "error|Error" "$RESULTS/build.log" | tail -n 40
  echo "0 passed, 1 failed"; exit 1
fi

log "testing"
dotnet test IoTRoutes.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$RESULTS"
test_exit=$?

passed=0; failed=0; skipped=0; found=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  found=$((found + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  e=$(get error); t=$(get timeout); a=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
if [ "$failed" -gt 0 ]; then
  # Say why: the messages of failed tests and of run-level errors (such as a class cleanup failure).
  log "failure details"
  for trx in "$RESULTS"/*.trx; do
    [ -f "$trx" ] && grep -A6 -E '<ErrorInfo>|<RunInfo ' "$trx" | sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' | head -n 80 >&2
  done
fi
rm -rf "$RESULTS"

if [ "$found" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a crashed test host counts as a failure
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

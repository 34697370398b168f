#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and CI: Debian's postgresql on 127.0.0.1, on a free port.
#
#   scripts/postgres-server.sh            install postgresql if missing (apt-get), make a
#                                         cluster in a temporary folder, start it, print
#                                         postgresql://bill_async:PASSWORD@127.0.0.1:PORT/bill_async
#   scripts/postgres-server.sh stop URL   stop the server that "start" printed URL for, and
#                                         remove its cluster
#
# PostgreSQL will not run as root: when run as root, the cluster belongs to Debian's "postgres"
# user and the server runs as it. fsync is off (a throwaway). Its files live in
# ${TMPDIR:-/tmp}/bill_async-postgres-PORT/. Messages go to stderr; stdout is only the URL.
set -euo pipefail

say() { echo "postgres-server.sh: $*" >&2; }

state_dir() { echo "${TMPDIR:-/tmp}/bill_async-postgres-$1"; }

bin_dir() {  # Debian keeps each version's server programs out of PATH
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

install() {
  bin_dir >/dev/null && return 0
  say "PostgreSQL is not installed: installing Debian's postgresql with apt-get"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { say "need root (or sudo) to apt-get install"; exit 1; }
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || { say "no apt-get here: install postgresql yourself"; exit 1; }
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  # The package's own cluster is not wanted: ours is made in a temporary folder.
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/bill_async.conf >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
}

as_owner() {  # run a server program as the cluster's owner: "postgres" when we are root
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local python
  python=$(command -v python3 || command -v python) || { say "python3 is needed to find a port"; exit 1; }
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  install
  local bin port dir password
  bin=$(bin_dir)
  password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    dir=$(state_dir "$port")
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    printf '%s\n' "$password" >"$dir/password"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/password"
    as_owner "$bin/initdb" -D "$dir/data" -U bill_async --pwfile="$dir/password" \
      --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      say "initdb failed"; tail -n 5 "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
      start >/dev/null 2>&1; then
      PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$port" -U bill_async -d postgres -q \
        -c "CREATE DATABASE bill_async" >&2
      echo "postgresql://bill_async:$password@127.0.0.1:$port/bill_async"
      return 0
    fi
    say "PostgreSQL did not start on port $port (another process took it?); trying another"
    [ -f "$dir/server.log" ] && tail -n 5 "$dir/server.log" >&2
    rm -rf "$dir"
  done
  say "could not start PostgreSQL"
  exit 1
}

stop() {
  local url=${1:?usage: postgres-server.sh stop postgresql://...@127.0.0.1:PORT/bill_async}
  local port=${url##*:}
  port=${port%%/*}
  local dir bin
  dir=$(state_dir "$port")
  bin=$(bin_dir || true)
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) say "usage: $0 [start | stop URL]"; exit 2 ;;
esac

#!/usr/bin/env bash
# A throwaway Redis for tests and CI: Debian's redis-server on 127.0.0.1, on a free port.
#
#   scripts/redis-server.sh            install redis-server if missing (apt-get), start it
#                                      daemonized, print redis://127.0.0.1:PORT/0 on stdout
#   scripts/redis-server.sh stop URL   stop the server that "start" printed URL for
#
# Nothing is saved to disk (no RDB, no AOF). Its pid file and log live in
# ${TMPDIR:-/tmp}/bill_async-redis-PORT/, removed by "stop". Messages go to stderr; stdout is
# only the URL.
set -euo pipefail

say() { echo "redis-server.sh: $*" >&2; }

state_dir() { echo "${TMPDIR:-/tmp}/bill_async-redis-$1"; }

pings() {  # PORT: true once the server answers PING
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ]
  else
    local reply=""
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    read -r -t 1 reply <&3 || true
    exec 3<&- 3>&-
    [ "${reply%$'\r'}" = "+PONG" ]
  fi
}

install() {
  command -v redis-server >/dev/null 2>&1 && return 0
  say "redis-server is not installed: installing Debian's redis-server with apt-get"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { say "need root (or sudo) to apt-get install"; exit 1; }
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || { say "no apt-get here: install redis-server yourself"; exit 1; }
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >&2
}

free_port() {
  local python
  python=$(command -v python3 || command -v python) || { say "python3 is needed to find a port"; exit 1; }
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  install
  local port dir
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    dir=$(state_dir "$port")
    mkdir -p "$dir"
    if redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2; then
      for _ in $(seq 1 100); do
        if pings "$port"; then
          echo "redis://127.0.0.1:$port/0"
          return 0
        fi
        sleep 0.05
      done
    fi
    say "redis-server did not start on port $port (another process took it?); trying another"
    [ -f "$dir/redis.log" ] && tail -n 5 "$dir/redis.log" >&2
    rm -rf "$dir"
  done
  say "could not start redis-server"
  exit 1
}

stop() {
  local url=${1:?usage: redis-server.sh stop redis://127.0.0.1:PORT/0}
  local port=${url##*:}
  port=${port%%/*}
  local dir pid
  dir=$(state_dir "$port")
  if [ -f "$dir/redis.pid" ]; then
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do  # gone within 5 s, or left to itself
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
  fi
  rm -rf "$dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) say "usage: $0 [start | stop URL]"; exit 2 ;;
esac

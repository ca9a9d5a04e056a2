#!/usr/bin/env bash
# A MariaDB primary (127.0.0.1:3316) and its replica (127.0.0.1:3317) on this machine, for
# development and the `cluster` tests, from the same server files production uses:
# config/mariadb/60-onestop.cnf, then primary.cnf / replica.cnf, then a few local overrides
# (ports, paths, a small buffer pool). Data under var/cluster/mariadb/{primary,replica}/.
#
#   scripts/cluster/mariadb.sh up       initialise (once), start both, set up GTID replication,
#                                       time zones, the application's user and databases; idempotent
#   scripts/cluster/mariadb.sh down     stop both (the data stays; `up` starts them again; after
#                                       editing config/mariadb/*.cnf, `down` then `up`)
#   scripts/cluster/mariadb.sh status   each server's state, the replica's threads, GTID positions and lag
#   scripts/cluster/mariadb.sh env      the DB_* variables for Django (eval "$(… env)")
#   scripts/cluster/mariadb.sh sql primary|replica [SQL]   an administrator's client on one server
#
# Ports: CLUSTER_PRIMARY_PORT (3316), CLUSTER_REPLICA_PORT (3317). Databases: DB_NAME (the site's,
# scripts/site-env.sh) and CLUSTER_DATABASES (extra, space-separated). The application's user is
# `onestop`@`127.0.0.1`; its password and replication's are generated once into
# var/cluster/mariadb/secrets.env (mode 600). To start afresh: `down`, then rm -rf var/cluster/mariadb.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
. scripts/site-env.sh

BASE="${CLUSTER_DIR:-$ROOT/var/cluster}/mariadb"
PRIMARY_PORT="${CLUSTER_PRIMARY_PORT:-3316}"
REPLICA_PORT="${CLUSTER_REPLICA_PORT:-3317}"
APP_USER=onestop
REPL_USER=replication
DATABASES="$DB_NAME ${CLUSTER_DATABASES:-}"
SECRETS="$BASE/secrets.env"

log() { printf '\033[1;34m[cluster/mariadb]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[cluster/mariadb]\033[0m %s\n' "$*" >&2; exit 1; }

port_of() { [[ "$1" == primary ]] && echo "$PRIMARY_PORT" || echo "$REPLICA_PORT"; }
sock_of() { echo "$BASE/$1/mariadbd.sock"; }
pid_of() { cat "$BASE/$1/mariadbd.pid" 2>/dev/null || true; }
running() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
# The administrator (root over the instance's own socket, unix_socket authentication).
sql() { local who="$1"; shift; mariadb --no-defaults -uroot -S "$(sock_of "$who")" --default-character-set=utf8mb4 "$@"; }
q() { sql "$1" -N -B -e "$2"; }

secrets() {
  mkdir -p "$BASE"
  if [[ ! -s "$SECRETS" ]]; then
    (umask 077 && {
      echo "APP_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
      echo "REPL_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    } >"$SECRETS")
  fi
  . "$SECRETS"
}

# The instance's option file: the production files, then what differs on a shared development box.
write_cnf() {
  local who="$1" dir="$BASE/$1"
  mkdir -p "$dir/data" "$dir/tmp"
  cat >"$dir/my.cnf" <<EOF
# Written by scripts/cluster/mariadb.sh; edit config/mariadb/*.cnf instead.
!include $ROOT/config/mariadb/60-onestop.cnf
!include $ROOT/config/mariadb/$who.cnf

[mariadbd]
port = $(port_of "$who")
socket = $dir/mariadbd.sock
pid-file = $dir/mariadbd.pid
datadir = $dir/data
# Its own temporary directory: at start mariadbd deletes every #sql* file in its tmpdir, which in
# the shared /tmp would pull the temporary tables from under the machine's other MariaDB.
tmpdir = $dir/tmp
log-error = $dir/error.log
slow_query_log_file = $dir/slow.log
# A development machine shared with others: a small buffer pool and redo log, few connections.
innodb_buffer_pool_size = 128M
innodb_log_file_size = 48M
innodb_flush_method = fsync
max_connections = 60
$([[ "$(id -u)" == 0 ]] && echo "user = root")
EOF
}

start() {
  local who="$1" dir="$BASE/$1"
  write_cnf "$who"
  if [[ ! -d "$dir/data/mysql" ]]; then
    log "$who: mariadb-install-db"
    mariadb-install-db --defaults-file="$dir/my.cnf" --auth-root-authentication-method=socket \
      --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; die "$who: install failed"; }
  fi
  if running "$who"; then
    log "$who: running (pid $(pid_of "$who"), port $(port_of "$who"))"
    return
  fi
  if ss -ltn "sport = :$(port_of "$who")" | grep -q LISTEN; then
    die "$who: port $(port_of "$who") is taken by another process"
  fi
  log "$who: starting on 127.0.0.1:$(port_of "$who")"
  setsid mariadbd --defaults-file="$dir/my.cnf" >>"$dir/error.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    if mariadb-admin --no-defaults -uroot -S "$(sock_of "$who")" ping >/dev/null 2>&1; then return; fi
    sleep 0.5
  done
  tail -20 "$dir/error.log" >&2
  die "$who: did not start"
}

stop() {
  local who="$1" pid
  pid="$(pid_of "$who")"
  if ! running "$who"; then
    log "$who: not running"
    return
  fi
  log "$who: stopping (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  die "$who: pid $pid did not stop"
}

setup_primary() {
  # Everything here goes to the binary log, so the replica receives it from GTID 0-1-1 on.
  if [[ "$(q primary 'SELECT COUNT(*) FROM mysql.time_zone_name')" == 0 ]]; then
    log "primary: loading time-zone tables"
    mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | sql primary mysql
  fi
  sql primary <<EOF
CREATE USER IF NOT EXISTS '$REPL_USER'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO '$REPL_USER'@'127.0.0.1';
CREATE USER IF NOT EXISTS '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD';
ALTER USER '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD';
-- The site's databases, and the test databases pytest-django creates for the cluster tests.
GRANT ALL PRIVILEGES ON \`onestop\\_%\`.* TO '$APP_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`test\\_onestop\\_%\`.* TO '$APP_USER'@'127.0.0.1';
EOF
  local db
  for db in $DATABASES; do
    sql primary -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci"
  done
}

setup_replica() {
  if [[ -z "$(q replica 'SHOW SLAVE STATUS')" ]]; then
    log "replica: following the primary by GTID"
    # A fresh replica starts from the primary's first transaction (its binary log is complete
    # since the primary was initialised by this script). An existing server needs a copy first
    # (config/README.md "Replica").
    sql replica <<EOF
SET GLOBAL gtid_slave_pos = '';
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PRIMARY_PORT, MASTER_USER='$REPL_USER',
  MASTER_PASSWORD='$REPL_PASSWORD', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=2;
EOF
  fi
  sql replica -e "START SLAVE"
  # Wait until the replica has applied what the primary has written so far.
  local target
  target="$(q primary 'SELECT @@gtid_binlog_pos')"
  for _ in $(seq 1 120); do
    if [[ "$(q replica "SELECT MASTER_GTID_WAIT('$target', 0)")" == 0 ]]; then
      log "replica: in step at $target"
      return
    fi
    sleep 0.5
  done
  status
  die "replica: not in step with the primary after a minute"
}

status() {
  local who
  for who in primary replica; do
    if running "$who"; then
      echo "$who: running, pid $(pid_of "$who"), 127.0.0.1:$(port_of "$who"), gtid_current_pos $(q "$who" 'SELECT @@gtid_current_pos'), read_only $(q "$who" 'SELECT @@read_only')"
    else
      echo "$who: stopped"
    fi
  done
  running replica || return 0
  sql replica -e "SHOW SLAVE STATUS\G" | grep -E '^ *(Slave_IO_Running|Slave_SQL_Running|Seconds_Behind_Master|SQL_Delay|Gtid_IO_Pos|Last_IO_Error|Last_SQL_Error):' || echo "replica: replication not configured"
  # The lag the application measures: the age of the heartbeat row on the replica (core.dbrouting).
  local db
  for db in $(q replica "SELECT TABLE_SCHEMA FROM information_schema.TABLES WHERE TABLE_NAME = 'core_replicaheartbeat'"); do
    echo "heartbeat lag ($db): $(q replica "SELECT COALESCE(TIMESTAMPDIFF(MICROSECOND, beat, UTC_TIMESTAMP(6)) / 1e6, 'no beat') FROM \`$db\`.core_replicaheartbeat WHERE id = 1") s"
  done
}

case "${1:-}" in
  up)
    secrets
    start primary
    setup_primary
    start replica
    setup_replica
    status
    ;;
  down)
    stop replica
    stop primary
    ;;
  status) status ;;
  env)
    secrets
    cat <<EOF
export DB_HOST=127.0.0.1 DB_PORT=$PRIMARY_PORT DB_USER=$APP_USER DB_PASSWORD=$APP_PASSWORD DB_NAME=$DB_NAME
export DB_REPLICA_HOST=127.0.0.1 DB_REPLICA_PORT=$REPLICA_PORT
EOF
    ;;
  sql)
    [[ "${2:-}" == primary || "${2:-}" == replica ]] || die "usage: $0 sql primary|replica [SQL]"
    who="$2"
    shift 2
    if [[ $# -gt 0 ]]; then sql "$who" -e "$*"; else sql "$who"; fi
    ;;
  *) die "usage: $0 up|down|status|env|sql primary|replica [SQL]" ;;
esac

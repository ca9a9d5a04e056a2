#!/usr/bin/env bash
# The production topology on one machine, all on 127.0.0.1 (config/README.md "Cluster"):
#   nginx :8100 → gunicorn nodes :8101 and :8102 (production settings)
#   Redis master :6380 + replica :6381 (AOF), Sentinels :26380-26382 watching master "onestop"
#   RQ workers, one group per queue, and the one RQ cron scheduler, all through Sentinel
#   MariaDB: scripts/cluster/mariadb.sh (primary :3316, replica :3317) when it exists, otherwise
#   the system MariaDB on :3306 with a database of its own (onestop_cluster)
#   stand-ins for the mail server (:8103) and the SMS gateway (:8104), so workers send nowhere
#
#   scripts/cluster.sh up       start what is not running (migrates; loads the site on a new database)
#   scripts/cluster.sh down     stop everything, Redis and database data kept
#   scripts/cluster.sh status   each part up/down, the upstream nodes, the master per Sentinel, queues
#   scripts/cluster.sh deploy   rolling deploy of this checkout's code: preflight, migrate, patches,
#                               static files, then one node at a time out of nginx, restarted, back;
#                               then the workers group by group and cron (config/README.md "Rolling deploy")
#
# State under var/cluster/: run/*.pid, logs/*.log|.out, redis/ (data and the configs Sentinel
# rewrites), nginx/ (rendered config), data/ (ONESTOP_VAR_DIR: static and uploaded files), env (the
# app's environment: `set -a; . var/cluster/env; set +a` before a manage.py command for the cluster).
# Tunable: CLUSTER_WORKERS ("default=2 notifications=1 reports=1": processes per queue),
# CLUSTER_WEB_WORKERS (gunicorn workers per node, 2), CLUSTER_DB_NAME (onestop_cluster), ONESTOP_SITE,
# CLUSTER_MARIADB_SCRIPT ("" runs the nodes on the system MariaDB, without a replica: the mixed load
# test on the bench database, `CLUSTER_MARIADB_SCRIPT= CLUSTER_DB_NAME=onestop_tayninh_bench`),
# CLUSTER_EXTRA_ENV (KEY=VALUE lines added to var/cluster/env, e.g. the failure drills' short leases).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO_DIR=$PWD

CLUSTER_DIR="$REPO_DIR/var/cluster"
RUN_DIR="$CLUSTER_DIR/run"
LOG_DIR="$CLUSTER_DIR/logs"
REDIS_DIR="$CLUSTER_DIR/redis"
NGINX_DIR="$CLUSTER_DIR/nginx"
DATA_DIR="$CLUSTER_DIR/data"
ENV_FILE="$CLUSTER_DIR/env"

HOST=127.0.0.1
NGINX_PORT=8100
WEB_PORTS=(8101 8102)
SMTP_PORT=8103
SMS_PORT=8104
REDIS_MASTER_PORT=6380
REDIS_REPLICA_PORT=6381
SENTINEL_PORTS=(26380 26381 26382)
MASTER_NAME=onestop
REDIS_DB=15
QUEUES=(default notifications reports)
CLUSTER_WORKERS="${CLUSTER_WORKERS:-default=2 notifications=1 reports=1}"
CLUSTER_WEB_WORKERS="${CLUSTER_WEB_WORKERS:-2}"
MARIADB_SCRIPT="${CLUSTER_MARIADB_SCRIPT-scripts/cluster/mariadb.sh}"

PY="$REPO_DIR/.venv/bin/python"
MANAGE=("$PY" apps/onestop_tayninh/manage.py)
# The workers run at the niceness production's unit gives them: jobs yield the CPU to requests.
WORKER_NICE=$(sed -n 's/^Nice=//p' config/systemd/onestop-worker@.service)

log() { printf '\033[1;34m[cluster]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[cluster]\033[0m %s\n' "$*" >&2; exit 1; }

# --- processes: one pid file each under run/ -------------------------------------------------------

pid_of() { [[ -s "$RUN_DIR/$1.pid" ]] && cat "$RUN_DIR/$1.pid"; }
running() {
  local pid
  pid=$(pid_of "$1") || return 1
  kill -0 "$pid" 2>/dev/null
}

# start NAME COMMAND...: in the background in a session of its own (so `down` can end the
# process's children too), its output in logs/NAME.out, its pid in run/NAME.pid.
start() {
  local name=$1
  shift
  if running "$name"; then return 0; fi
  echo "=== $(date '+%F %T') start: $*" >>"$LOG_DIR/$name.out"
  ONESTOP_LOG_FILE="$LOG_DIR/$name.log" setsid "$@" >>"$LOG_DIR/$name.out" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

# supervise NAME COMMAND...: as `start`, in a loop that starts COMMAND again 2 s after it exits, as
# systemd's Restart= does in production. RQ's cron scheduler exits when Redis refuses a connection
# (the seconds between a master's death and the Sentinels' failover); so may a worker.
supervise() {
  local name=$1
  shift
  start "$name" bash -c 'while true; do "$@"; echo "=== $(date "+%F %T") exited ($?), restarting in 2 s"; sleep 2; done' \
    "$name" "$@"
}

# restarts NAME: how many times `supervise` restarted it since `up` started it (from its output).
restarts() { awk '/^=== .* start: /{n=0} /restarting in 2 s$/{n++} END{print n+0}' "$LOG_DIR/$1.out" 2>/dev/null; }

# stop NAME [SECONDS]: TERM to the process group (a supervising loop and its command, a gunicorn
# master and its workers), then KILL to what is left after SECONDS (default 15).
stop() {
  local name=$1 wait=${2:-15} pid
  pid=$(pid_of "$name") || return 0
  alive() { kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; }
  if alive; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq $((wait * 10))); do alive || break; sleep 0.1; done
    if alive; then
      log "$name không dừng sau ${wait} giây: buộc dừng"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$RUN_DIR/$name.pid"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$what không sẵn sàng sau $seconds giây; xem $LOG_DIR/"
}

http_ok() { curl -fs -m 3 -o /dev/null "$1"; }
# Any HTTP answer: /healthz says 503 until an RQ worker has registered.
http_answers() { [[ "$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$1")" != 000 ]]; }
redis_ping() { [[ "$(redis-cli -h $HOST -p "$1" ping 2>/dev/null)" == PONG ]]; }

# render TEMPLATE OUTPUT KEY=VALUE...: @KEY@ replaced by VALUE (values may hold newlines).
render() {
  local template=$1 output=$2
  shift 2
  "$PY" - "$template" "$output" "$@" <<'PY'
import sys
template, output, *pairs = sys.argv[1:]
text = open(template, encoding="utf-8").read()
for pair in pairs:
    key, _, value = pair.partition("=")
    text = text.replace(f"@{key}@", value)
open(output, "w", encoding="utf-8").write(text)
PY
}

# --- the parts ---------------------------------------------------------------------------------------

# workers_of QUEUE: the number of processes for QUEUE in CLUSTER_WORKERS (0 if absent).
workers_of() {
  local entry
  for entry in $CLUSTER_WORKERS; do
    if [[ "${entry%%=*}" == "$1" ]]; then echo "${entry#*=}"; return; fi
  done
  echo 0
}

worker_names() {
  local queue i
  for queue in "${QUEUES[@]}"; do
    for ((i = 1; i <= $(workers_of "$queue"); i++)); do echo "worker-$queue-$i"; done
  done
}

database_up() {
  if [[ -f "$MARIADB_SCRIPT" ]]; then
    log "MariaDB: $MARIADB_SCRIPT up"
    # It creates the database (DB_NAME) and grants it to its application user.
    DB_NAME="${CLUSTER_DB_NAME:-onestop_cluster}" bash "$MARIADB_SCRIPT" up
  fi
}

# The database settings the app nodes get: the cluster's primary and replica when their script
# exists (with its application user, from `mariadb.sh env`), otherwise the system MariaDB as root.
database_env() {
  local exports
  DB_NAME="${CLUSTER_DB_NAME:-onestop_cluster}"
  DB_USER="${DB_USER:-root}"
  DB_PASSWORD="${DB_PASSWORD:-}"
  if [[ -f "$MARIADB_SCRIPT" ]]; then
    DB_HOST=127.0.0.1 DB_PORT=3316 DB_REPLICA_HOST=127.0.0.1 DB_REPLICA_PORT=3317
    if exports=$(DB_NAME="$DB_NAME" bash "$MARIADB_SCRIPT" env 2>/dev/null) && [[ "$exports" == *DB_HOST=* ]]; then
      eval "$exports"
    fi
  else
    DB_HOST=127.0.0.1 DB_PORT=3306 DB_REPLICA_HOST="" DB_REPLICA_PORT=""
  fi
}

mariadb_cli() {
  MYSQL_PWD="$DB_PASSWORD" mariadb -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" "$@"
}

redis_up() {
  local port role
  for port in "$REDIS_MASTER_PORT" "$REDIS_REPLICA_PORT"; do
    mkdir -p "$REDIS_DIR/$port"
    # Rendered once: after a failover Sentinel has rewritten who replicates whom, and that stays.
    if [[ ! -f "$REDIS_DIR/$port/redis.conf" ]]; then
      role=""
      [[ "$port" == "$REDIS_REPLICA_PORT" ]] && role="replicaof $HOST $REDIS_MASTER_PORT"
      render config/redis/cluster-redis.conf.in "$REDIS_DIR/$port/redis.conf" \
        REPO_DIR="$REPO_DIR" PORT="$port" DATA_DIR="$REDIS_DIR/$port" RUN_DIR="$RUN_DIR" LOG_DIR="$LOG_DIR" \
        REPLICAOF_LINE="$role"
    fi
    if ! redis_ping "$port"; then
      log "Redis :$port"
      redis-server "$REDIS_DIR/$port/redis.conf"
    fi
  done
  for port in "$REDIS_MASTER_PORT" "$REDIS_REPLICA_PORT"; do wait_for 20 "Redis :$port" redis_ping "$port"; done
  for port in "${SENTINEL_PORTS[@]}"; do
    mkdir -p "$REDIS_DIR/sentinel-$port"
    if [[ ! -f "$REDIS_DIR/sentinel-$port/sentinel.conf" ]]; then
      render config/redis/cluster-sentinel.conf.in "$REDIS_DIR/sentinel-$port/sentinel.conf" \
        PORT="$port" DATA_DIR="$REDIS_DIR/sentinel-$port" RUN_DIR="$RUN_DIR" LOG_DIR="$LOG_DIR" \
        MASTER_NAME="$MASTER_NAME" MASTER_PORT="$REDIS_MASTER_PORT"
    fi
    if ! redis_ping "$port"; then
      log "Sentinel :$port"
      redis-server "$REDIS_DIR/sentinel-$port/sentinel.conf" --sentinel
    fi
  done
  for port in "${SENTINEL_PORTS[@]}"; do
    wait_for 20 "Sentinel :$port" redis-cli -h $HOST -p "$port" sentinel get-master-addr-by-name "$MASTER_NAME"
  done
}

redis_down() {
  local port
  # The Sentinels first, so that stopping the master starts no failover.
  for port in "${SENTINEL_PORTS[@]}"; do stop "sentinel-$port" 10 & done
  wait
  # TERM: Redis flushes the AOF (and writes its RDB snapshot) before it exits.
  for port in "$REDIS_REPLICA_PORT" "$REDIS_MASTER_PORT"; do stop "redis-$port" 30 & done
  wait
}

write_env() {
  local secret_file="$CLUSTER_DIR/secret_key" sentinels="" port
  if [[ ! -s "$secret_file" ]]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(64))' >"$secret_file")
  fi
  for port in "${SENTINEL_PORTS[@]}"; do sentinels+="${sentinels:+,}$HOST:$port"; done
  database_env
  . scripts/site-env.sh >/dev/null  # ONESTOP_SITE (its DB_NAME and REDIS_URL are replaced below)
  (
    umask 077
    cat >"$ENV_FILE" <<ENV
# Written by scripts/cluster.sh up: the environment of the cluster's app processes.
DJANGO_SETTINGS_MODULE=onestop_tayninh.conf.production
DJANGO_SECRET_KEY=$(cat "$secret_file")
DJANGO_ALLOWED_HOSTS=$HOST,localhost
DJANGO_CSRF_TRUSTED_ORIGINS=http://$HOST:$NGINX_PORT,http://localhost:$NGINX_PORT
# Plain HTTP on loopback: no redirect to https, no HSTS (production keeps both).
DJANGO_SECURE_SSL_REDIRECT=false
DJANGO_HSTS_SECONDS=0
ONESTOP_SITE=$ONESTOP_SITE
ONESTOP_SITE_URL=http://$HOST:$NGINX_PORT
ONESTOP_VAR_DIR=$DATA_DIR
CLAMD_SOCKET=${CLAMD_SOCKET:-$REPO_DIR/var/clamav/clamd.sock}
DB_NAME=$DB_NAME
DB_USER=$DB_USER
DB_PASSWORD=$DB_PASSWORD
DB_HOST=$DB_HOST
DB_PORT=$DB_PORT
${DB_REPLICA_HOST:+DB_REPLICA_HOST=$DB_REPLICA_HOST}
${DB_REPLICA_PORT:+DB_REPLICA_PORT=$DB_REPLICA_PORT}
REDIS_URL=redis://$HOST:$REDIS_MASTER_PORT/$REDIS_DB
REDIS_SENTINELS=$sentinels
REDIS_SENTINEL_MASTER=$MASTER_NAME
EMAIL_HOST=$HOST
EMAIL_PORT=$SMTP_PORT
SMS_GATEWAY_URL=http://$HOST:$SMS_PORT/sms
XDG_CACHE_HOME=$CLUSTER_DIR/cache
${CLUSTER_EXTRA_ENV:+# CLUSTER_EXTRA_ENV}
${CLUSTER_EXTRA_ENV:-}
ENV
  )
}

load_env() {
  [[ -f "$ENV_FILE" ]] || return 1
  set -a
  . "$ENV_FILE"
  set +a
}

database_prepare() {
  # load_site and the demo data run once per database: on a new one, or when a first `up` stopped
  # half-way (the mark is written last; load_site is idempotent, so running it again is safe).
  local loaded="$CLUSTER_DIR/site-loaded-$DB_HOST-$DB_PORT-$DB_NAME" tables
  [[ -f "$MARIADB_SCRIPT" ]] || mariadb_cli -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci"
  tables=$(mariadb_cli -N -e "SELECT COUNT(*) FROM information_schema.tables
    WHERE table_schema = '$DB_NAME' AND table_name = 'django_migrations'")
  [[ "$tables" == "0" ]] && rm -f "$loaded"
  manage migrate --noinput -v 0
  if [[ ! -f "$loaded" ]]; then
    log "CSDL mới $DB_NAME: nạp site $ONESTOP_SITE và dữ liệu minh họa (như make demo-data)"
    manage load_site "$ONESTOP_SITE"
    manage make_demo_certificates
    manage recompute_indicators
    touch "$loaded"
  fi
  manage collectstatic --noinput -v 0
}

manage() { ONESTOP_LOG_FILE="$LOG_DIR/manage.log" "${MANAGE[@]}" "$@" >>"$LOG_DIR/manage.out"; }

# clamd answers on CLAMD_SOCKET (scripts/setup.sh starts the development one): load_site refuses
# the procedures' sample files without it, and so would the app every upload.
clamd_check() {
  "$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1]); s.sendall(b"zPING\0")
sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)' "$CLAMD_SOCKET" 2>/dev/null \
    || die "clamd không trả lời tại $CLAMD_SOCKET: chạy scripts/setup.sh hoặc đặt CLAMD_SOCKET"
}

# start_web N: gunicorn node N (1-based) on WEB_PORTS[N-1].
start_web() {
  local n=$1
  start "web-$n" .venv/bin/gunicorn -c config/gunicorn.conf.py --bind "$HOST:${WEB_PORTS[$((n - 1))]}" \
    --workers "$CLUSTER_WEB_WORKERS" --name "onestop-web-$n" \
    --access-logfile "$LOG_DIR/web-$n.access.log" --error-logfile "-"
}

web_up() {
  local i port
  for i in "${!WEB_PORTS[@]}"; do start_web $((i + 1)); done
  for port in "${WEB_PORTS[@]}"; do wait_for 60 "gunicorn :$port" http_answers "http://$HOST:$port/healthz"; done
}

# start_worker QUEUE N: the Nth worker of QUEUE. Each worker also runs RQ's scheduler for jobs
# enqueued "at"/"in" a time on its queue; RQ lets one of them act at a time.
start_worker() { supervise "worker-$1-$2" nice -n "${WORKER_NICE:-0}" "${MANAGE[@]}" rqworker "$1" --with-scheduler; }

# Exactly one cron scheduler per deployment, or each periodic job is enqueued once per scheduler.
start_cron() { supervise cron "${MANAGE[@]}" rqcron onestop_tayninh.core.cron; }

workers_up() {
  local queue i
  for queue in "${QUEUES[@]}"; do
    for ((i = 1; i <= $(workers_of "$queue"); i++)); do start_worker "$queue" "$i"; done
  done
  start_cron
}

# nginx_render [PORT]: the nginx config, with the node on PORT marked `down` (out of rotation: nginx
# sends it no new request), then `nginx -t`.
nginx_render() {
  local drain=${1:-} servers="" port user_line=""
  mkdir -p "$NGINX_DIR"
  for port in "${WEB_PORTS[@]}"; do
    servers+="        server $HOST:$port max_fails=2 fail_timeout=10s;"$'\n'
  done
  [[ -n "$drain" ]] && servers=${servers/"$HOST:$drain max_fails"/"$HOST:$drain down max_fails"}
  # Started as root, nginx's workers would run as "nobody", who may not read var/cluster/data/static.
  [[ $EUID -eq 0 ]] && user_line="user root;"
  render config/nginx/cluster.conf.in "$NGINX_DIR/nginx.conf" \
    NGINX_DIR="$NGINX_DIR" RUN_DIR="$RUN_DIR" LOG_DIR="$LOG_DIR" VAR_DIR="$DATA_DIR" USER_LINE="$user_line" \
    LISTEN="$HOST:$NGINX_PORT" UPSTREAM_SERVERS="${servers%$'\n'}"
  nginx -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" 2>>"$LOG_DIR/nginx.out" \
    || die "Cấu hình nginx không hợp lệ; xem $LOG_DIR/nginx.out"
}

nginx_up() {
  nginx_render
  if running nginx; then
    kill -HUP "$(pid_of nginx)"
  else
    nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" 2>>"$LOG_DIR/nginx.out"
  fi
  wait_for 20 "nginx :$NGINX_PORT" http_ok "http://$HOST:$NGINX_PORT/healthz"
}

cmd_up() {
  local started=$SECONDS
  command -v nginx >/dev/null || die "Chưa cài nginx: chạy scripts/setup.sh (với quyền root)"
  command -v redis-server >/dev/null || die "Chưa cài redis-server: chạy scripts/setup.sh (với quyền root)"
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$REDIS_DIR" "$DATA_DIR"
  database_up
  redis_up
  write_env
  load_env
  clamd_check
  database_prepare
  start smtp-sink "$PY" scripts/smtp_sink.py --port "$SMTP_PORT" --dir "$CLUSTER_DIR/mail"
  start sms-gateway "$PY" scripts/fake_sms_gateway.py --port "$SMS_PORT" --dir "$CLUSTER_DIR/sms"
  workers_up
  web_up
  nginx_up
  log "Cụm đã chạy sau $((SECONDS - started)) giây: http://$HOST:$NGINX_PORT/ (scripts/cluster.sh status)"
}

cmd_down() {
  local started=$SECONDS name
  stop nginx 10
  # Workers finish the job in hand (warm shutdown); gunicorn its requests in hand.
  for name in web-1 web-2 $(worker_names) cron smtp-sink sms-gateway; do stop "$name" 30 & done
  wait
  redis_down
  if [[ -f "$MARIADB_SCRIPT" ]]; then bash "$MARIADB_SCRIPT" down; fi
  log "Cụm đã dừng sau $((SECONDS - started)) giây (dữ liệu Redis và CSDL được giữ)"
}

cmd_status() {
  local name port state role master i
  local LC_ALL=C.UTF-8  # printf pads by characters, not bytes
  row() { printf '  %-24s %s\n' "$1" "$2"; }
  state_of() {
    local count
    if running "$1"; then
      count=$(restarts "$1")
      echo "chạy (pid $(pid_of "$1"))${count:+$([[ $count != 0 ]] && echo ", đã khởi động lại $count lần")}"
    else
      echo "DỪNG"
    fi
  }
  echo "Tiến trình:"
  for name in nginx web-1 web-2 $(worker_names) cron smtp-sink sms-gateway; do row "$name" "$(state_of "$name")"; done
  echo "nginx :$NGINX_PORT → upstream onestop_web:"
  if http_ok "http://$HOST:$NGINX_PORT/healthz"; then row "nginx :$NGINX_PORT" "trả lời"; else row "nginx :$NGINX_PORT" "KHÔNG trả lời"; fi
  for i in "${!WEB_PORTS[@]}"; do
    port=${WEB_PORTS[$i]}
    if http_ok "http://$HOST:$port/healthz"; then state="trả lời /healthz"; else state="KHÔNG trả lời"; fi
    row "web-$((i + 1)) $HOST:$port" "$state"
  done
  echo "Redis:"
  for port in "$REDIS_MASTER_PORT" "$REDIS_REPLICA_PORT"; do
    role=$(redis-cli -h $HOST -p "$port" info replication 2>/dev/null | tr -d '\r' | sed -n 's/^role://p')
    row "redis :$port" "${role:-DỪNG}"
  done
  master=""
  for port in "${SENTINEL_PORTS[@]}"; do
    state=$(redis-cli -h $HOST -p "$port" sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | paste -sd: -)
    if [[ -n "$state" ]]; then row "sentinel :$port" "master $MASTER_NAME = $state"; else row "sentinel :$port" "DỪNG"; fi
    [[ -z "$master" && -n "$state" ]] && master=$state
  done
  echo "Hàng đợi RQ (Redis database $REDIS_DB${master:+ trên $master}):"
  if [[ -n "$master" ]]; then
    for name in "${QUEUES[@]}"; do
      row "$name" "$(redis-cli -h "${master%%:*}" -p "${master##*:}" -n $REDIS_DB llen "rq:queue:$name") việc chờ"
    done
    row "worker đăng ký" "$(redis-cli -h "${master%%:*}" -p "${master##*:}" -n $REDIS_DB scard rq:workers)"
  else
    row "(không có master)" ""
  fi
  echo "MariaDB:"
  database_env
  if [[ -f "$MARIADB_SCRIPT" ]]; then
    bash "$MARIADB_SCRIPT" status || true
  else
    if mariadb_cli -N -e "SELECT 1" >/dev/null 2>&1; then state="trả lời"; else state="KHÔNG trả lời"; fi
    row "mariadb :$DB_PORT ($DB_NAME)" "$state (MariaDB hệ thống; chưa có $MARIADB_SCRIPT)"
  fi
}

# --- deploy: a rolling deploy that keeps serving (config/README.md "Rolling deploy") ----------------

# How long the deploy waits for nginx's old workers to finish the requests they hold (proxy_read_timeout
# is 70 s, so a request to a node is over by then), and for a worker's job in hand at its warm shutdown
# (onestop-worker@'s TimeoutStopSec) before it is killed, as systemd would.
DEPLOY_DRAIN_SECONDS="${DEPLOY_DRAIN_SECONDS:-75}"
DEPLOY_WORKER_STOP_SECONDS="${DEPLOY_WORKER_STOP_SECONDS:-620}"
# How long a restarted node has to answer /healthz before the deploy stops (and leaves it out).
DEPLOY_NODE_START_SECONDS="${DEPLOY_NODE_START_SECONDS:-60}"

DEPLOY_STEP=""     # the step under way, "vi / en", named in the message if the deploy stops
DEPLOY_SCHEMA=""   # set once `migrate` started: the schema may be the new one
DEPLOY_DRAINED=""  # the node (N) out of nginx's rotation, if any
DEPLOY_STOPPED=""  # set once that node's gunicorn was stopped: it cannot go back as it was
DEPLOY_DONE=()     # the nodes already serving the new code
DEPLOY_STARTED=$SECONDS

deploy_step() {
  DEPLOY_STEP=$1
  : >"$LOG_DIR/deploy-step.out"
  log "[$((SECONDS - DEPLOY_STARTED)) s] $1"
}

# deploy_run COMMAND...: one command of the step, its output kept in logs/deploy.out (and shown if it fails).
deploy_run() {
  local status=0
  ONESTOP_LOG_FILE="$LOG_DIR/manage.log" "$@" >"$LOG_DIR/deploy-step.out" 2>&1 || status=$?
  { echo "=== $(date '+%F %T') $*"; cat "$LOG_DIR/deploy-step.out"; } >>"$LOG_DIR/deploy.out"
  return $status
}

# The message when any step fails (set -e, die, Ctrl-C): what stopped, and which nodes serve what.
deploy_stopped() {
  local status=$? n
  trap - EXIT
  [[ $status == 0 ]] && return 0
  {
    printf '\033[1;31m[deploy]\033[0m TRIỂN KHAI DỪNG LẠI / DEPLOY STOPPED: %s\n' "$DEPLOY_STEP"
    if [[ -s "$LOG_DIR/deploy-step.out" ]]; then
      echo "  Kết quả của lệnh cuối (toàn bộ trong / everything in $LOG_DIR/deploy.out):"
      tail -n 20 "$LOG_DIR/deploy-step.out" | sed 's/^/  | /'
    fi
    if [[ -n "$DEPLOY_DRAINED" && -z "$DEPLOY_STOPPED" ]]; then
      # Its gunicorn was never stopped: it serves the old code as before, so it goes back.
      nginx_reload "" || true
      echo "  web-$DEPLOY_DRAINED chưa bị khởi động lại: đã đưa lại vào nginx. / web-$DEPLOY_DRAINED was not restarted: back in nginx's rotation."
      DEPLOY_DRAINED=""
    fi
    if [[ -n "$DEPLOY_DRAINED" ]]; then
      echo "  web-$DEPLOY_DRAINED đã khởi động lại với mã mới nhưng không khỏe: để ngoài nginx (xem $LOG_DIR/web-$DEPLOY_DRAINED.out)."
      echo "  web-$DEPLOY_DRAINED was restarted on the new code but is not healthy: left out of nginx's rotation."
    fi
    for n in $(seq ${#WEB_PORTS[@]}); do
      [[ "$n" == "$DEPLOY_DRAINED" ]] && continue
      if ! http_ok "http://$HOST:${WEB_PORTS[$((n - 1))]}/healthz"; then
        echo "  web-$n: KHÔNG trả lời /healthz (không do lần triển khai này) / not answering /healthz (not this deploy's doing)"
      elif [[ " ${DEPLOY_DONE[*]} " == *" $n "* ]]; then
        echo "  web-$n: đang phục vụ, mã mới / serving, new code"
      else
        echo "  web-$n: đang phục vụ như trước, mã cũ / serving as before, old code"
      fi
    done
    for n in $(worker_names) cron; do
      running "$n" || echo "  $n: DỪNG / stopped (scripts/cluster.sh up khởi động lại / starts it again)"
    done
    if [[ -n "$DEPLOY_SCHEMA" ]]; then
      echo "  Migration đã chạy (có thể một phần): mã cũ vẫn chạy được vì migration phải tương thích ngược."
      echo "  Migrations ran (perhaps partly): the old code still runs, as migrations must be backward compatible."
    else
      echo "  Cơ sở dữ liệu chưa thay đổi. / The database was not changed."
    fi
    echo "  Sửa lỗi rồi chạy lại scripts/cluster.sh deploy (các bước đã xong chạy lại không sao)."
    echo "  Fix the cause and run scripts/cluster.sh deploy again (the steps already done are safe to repeat)."
  } >&2
  exit "$status"
}

# nginx_reload [PORT]: nginx's config with the node on PORT out of rotation (or every node in), then a
# graceful reload; returns once each worker of the old config has exited, having finished the requests
# it held, so no request is still on its way to or from the node taken out.
nginx_reload() {
  local master old pid left
  nginx_render "${1:-}"
  master=$(pid_of nginx)
  old=$(pgrep -P "$master" | tr '\n' ' ')
  kill -HUP "$master"
  for _ in $(seq $((DEPLOY_DRAIN_SECONDS * 10))); do
    left=""
    for pid in $old; do kill -0 "$pid" 2>/dev/null && left+=" $pid"; done
    [[ -z "$left" ]] && return 0
    sleep 0.1
  done
  # Only a slow client is left (the node's answer is sent after proxy_read_timeout at the latest).
  log "nginx: worker cũ$left vẫn còn sau ${DEPLOY_DRAIN_SECONDS} giây; tiếp tục / old workers still there, going on"
}

# redis_master_cli ARG...: redis-cli on the master the Sentinels name, the app's database.
redis_master_cli() {
  local port address=""
  for port in "${SENTINEL_PORTS[@]}"; do
    address=$(redis-cli -h $HOST -p "$port" sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null | paste -sd: -)
    [[ -n "$address" ]] && break
  done
  [[ -n "$address" ]] || return 1
  redis-cli -h "${address%%:*}" -p "${address##*:}" -n "$REDIS_DB" "$@"
}

# child_of NAME: the command a `supervise` loop runs now.
child_of() { pgrep -P "$(pid_of "$1")" | head -1; }

# worker_registered NAME: the worker's current process is registered in RQ (it listens on its queue).
worker_registered() {
  local pid key queue=${1#worker-}
  queue=${queue%-*}
  pid=$(child_of "$1") || return 1
  [[ -n "$pid" ]] || return 1
  for key in $(redis_master_cli smembers "rq:workers:$queue"); do
    [[ "$(redis_master_cli hget "$key" pid)" == "$pid" ]] && return 0
  done
  return 1
}

cron_registered_since() {  # cron_registered_since EPOCH: a cron scheduler registered or beat since then
  local score
  for score in $(redis_master_cli zrange rq:cron_schedulers 0 -1 withscores | awk 'NR % 2 == 0'); do
    awk -v s="$score" -v t="$1" 'BEGIN { exit !(s >= t) }' && return 0
  done
  return 1
}

# deploy_wait SECONDS WHAT COMMAND...: as wait_for, failing the step (not dying) with a bilingual message.
deploy_wait() {
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$what: không đạt sau $seconds giây / not reached after $seconds s" >>"$LOG_DIR/deploy-step.out"
  return 1
}

# roll_node N: node N out of nginx's rotation, drained, restarted, healthy, back in.
roll_node() {
  local n=$1 port=${WEB_PORTS[$(($1 - 1))]} other old_pid
  deploy_step "Node web-$n (:$port): rút khỏi nginx, khởi động lại / out of nginx's rotation, restart"
  for other in "${WEB_PORTS[@]}"; do
    [[ "$other" == "$port" ]] && continue
    # Taking a node out while the others do not answer would stop the service.
    deploy_wait 10 "node :$other /healthz" http_ok "http://$HOST:$other/healthz"
  done
  old_pid=$(pid_of "web-$n")
  DEPLOY_DRAINED=$n
  nginx_reload "$port"
  # TERM is gunicorn's graceful shutdown: each worker finishes the request in hand (graceful_timeout
  # 30 s). A new master rather than HUP: it also takes a new gunicorn, Python or gunicorn.conf.py.
  DEPLOY_STOPPED=1
  stop "web-$n" 40
  start_web "$n"
  deploy_wait "$DEPLOY_NODE_START_SECONDS" "web-$n /healthz" http_ok "http://$HOST:$port/healthz"
  # The first request of each worker loads the URLs and templates: paid here, not by a visitor.
  deploy_wait 30 "web-$n /" http_ok "http://$HOST:$port/"
  nginx_reload ""
  DEPLOY_DRAINED="" DEPLOY_STOPPED=""
  DEPLOY_DONE+=("$n")
  log "[$((SECONDS - DEPLOY_STARTED)) s] web-$n: pid $old_pid → $(pid_of "web-$n"), lại trong nginx / back in nginx's rotation"
}

restart_workers() {
  local queue i count started stopping
  for queue in "${QUEUES[@]}"; do
    count=$(workers_of "$queue")
    ((count > 0)) || continue
    deploy_step "Worker nhóm $queue ($count): dừng êm (xong việc đang làm), khởi động lại / worker group $queue: warm shutdown, restart"
    # TERM: RQ's warm shutdown, the job in hand finishes first (its work horse, in a process group of
    # its own, does not get the signal); the queue's jobs wait in Redis meanwhile.
    stopping=()
    for ((i = 1; i <= count; i++)); do
      stop "worker-$queue-$i" "$DEPLOY_WORKER_STOP_SECONDS" &
      stopping+=($!)
    done
    # These only: a bare `wait` would also wait for the gunicorn nodes this shell started.
    wait "${stopping[@]}"
    for ((i = 1; i <= count; i++)); do start_worker "$queue" "$i"; done
    for ((i = 1; i <= count; i++)); do
      deploy_wait 90 "worker-$queue-$i đăng ký với RQ / registered with RQ" worker_registered "worker-$queue-$i"
    done
  done
  deploy_step "RQ cron: khởi động lại / restart"
  started=$(date +%s)
  stop cron 30
  start_cron
  deploy_wait 90 "cron đăng ký với RQ / registered with RQ" cron_registered_since "$started"
}

cmd_deploy() {
  local n port
  trap deploy_stopped EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$LOG_DIR"
  echo "=== $(date '+%F %T') deploy" >>"$LOG_DIR/deploy.out"

  deploy_step "Kiểm tra cụm đang chạy / checking the cluster runs"
  [[ -f "$ENV_FILE" ]] || die "Cụm chưa chạy: scripts/cluster.sh up trước / the cluster is not up: run scripts/cluster.sh up first"
  running nginx || die "nginx không chạy: scripts/cluster.sh up trước / nginx is not running: run scripts/cluster.sh up first"
  for n in $(seq ${#WEB_PORTS[@]}); do
    port=${WEB_PORTS[$((n - 1))]}
    # Rolling needs every node serving: with one down, taking out the other would stop the service.
    running "web-$n" && http_ok "http://$HOST:$port/healthz" \
      || die "web-$n (:$port) không phục vụ: scripts/cluster.sh up trước / web-$n does not serve: run scripts/cluster.sh up first"
  done
  write_env
  load_env

  deploy_step "Kiểm tra trước: manage.py check --deploy / preflight: check --deploy"
  deploy_run "${MANAGE[@]}" check --deploy
  deploy_step "Kiểm tra trước: không thiếu migration / preflight: makemigrations --check"
  deploy_run "${MANAGE[@]}" makemigrations --check --dry-run
  deploy_step "Kiểm tra trước: chạy thử bản vá dữ liệu / preflight: apply_patches dry run"
  deploy_run "${MANAGE[@]}" apply_patches

  deploy_step "Migration (một lần, trên CSDL chính) / migrate (once, on the primary)"
  DEPLOY_SCHEMA=1
  deploy_run "${MANAGE[@]}" migrate --noinput
  deploy_step "Áp dụng bản vá dữ liệu / apply_patches --apply"
  deploy_run "${MANAGE[@]}" apply_patches --apply
  # Without --clear: the old code's pages name the old hashed files, which must stay until every node runs the new code.
  deploy_step "Tệp tĩnh / collectstatic"
  deploy_run "${MANAGE[@]}" collectstatic --noinput

  for n in $(seq ${#WEB_PORTS[@]}); do roll_node "$n"; done
  restart_workers

  DEPLOY_STEP=""
  log "[$((SECONDS - DEPLOY_STARTED)) s] Triển khai xong / deployed: web-1..web-${#WEB_PORTS[@]}, worker, cron chạy mã mới / run the new code"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  deploy) cmd_deploy ;;
  *) echo "Cách dùng: $0 up|down|status|deploy" >&2; exit 2 ;;
esac

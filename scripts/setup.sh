#!/usr/bin/env bash
# Idempotent set-up for a Debian 12 machine, as root: Debian packages, MariaDB and
# Redis running, the databases, the virtual environment. A second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/site-env.sh  # ONESTOP_SITE, and its own DB_NAME (README "Sites")
VENV=.venv

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages: install only what is missing.
PACKAGES=(
  python3 python3-venv python3-dev build-essential pkg-config default-libmysqlclient-dev
  mariadb-server mariadb-client mariadb-backup redis-server tzdata libmagic1
  libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core poppler-utils zbar-tools libzbar0
  tesseract-ocr tesseract-ocr-vie
  chromium clamav-daemon curl graphviz gettext
  nginx
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "Cài gói Debian còn thiếu: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. MariaDB and Redis: start them if they are not answering.
if ! mariadb-admin --protocol=socket -uroot ping >/dev/null 2>&1; then
  log "Khởi động MariaDB"
  install -d -o mysql -g mysql /run/mysqld
  service mariadb start >/dev/null 2>&1 || start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 60); do mariadb-admin --protocol=socket -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  log "Khởi động Redis"
  install -d /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/onestop.log
  for _ in $(seq 40); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.25; done
fi

# 3. Time-zone tables (CONVERT_TZ and Django's date truncation in Asia/Ho_Chi_Minh need them).
if [[ "$(mariadb -uroot -N -e 'SELECT COUNT(*) FROM mysql.time_zone_name')" == "0" ]]; then
  log "Nạp bảng múi giờ vào MariaDB"
  mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | mariadb -uroot mysql
fi

# 4. The database of the site being set up (each site has its own, scripts/site-env.sh; the test
#    database is made by pytest with the same settings): utf8mb4 with the accent-insensitive UCA 14
#    collation (see README "Database").
for db in "$DB_NAME"; do
  mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci"
done

# 5. The virtual environment, reinstalled only when the lock file changes.
if [[ ! -x "$VENV/bin/python" ]]; then
  log "Tạo môi trường ảo $VENV"
  /usr/bin/python3 -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  log "Cài thư viện Python theo requirements.txt"
  "$VENV/bin/pip" install -q --disable-pip-version-check --require-hashes -r requirements.txt
  echo "$want" >"$stamp"
fi

# 5b. Our Vietnamese catalogues (the admin strings Django's own lacks: django.po for pages, djangojs.po
#     for the admin's scripts), compiled when they changed.
for po in apps/onestop_tayninh/onestop_tayninh/locale/*/LC_MESSAGES/*.po; do
  mo="${po%.po}.mo"
  if [[ ! -f "$mo" || "$po" -nt "$mo" ]]; then
    log "Biên dịch bản dịch $po"
    msgfmt --check-format -o "$mo" "$po"
  fi
done

# 6. clamd, the virus scanner for uploads (onestop_tayninh.security.antivirus): our own instance
#    with the repository's test signatures (config/clamav/), socket var/clamav/clamd.sock, started
#    only if it does not answer. With CLAMD_SOCKET pointing elsewhere (production: Debian's
#    clamav-daemon), nothing is started here.
VAR_DIR="${ONESTOP_VAR_DIR:-$PWD/var}"
CLAMAV_DIR="$VAR_DIR/clamav"
OWN_SOCKET="$CLAMAV_DIR/clamd.sock"
clamd_ping() {
  /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(sys.argv[1]); s.sendall(b"zPING\0")
sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)' "$1" 2>/dev/null
}
clamd_send() {
  /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\0")
print(s.recv(256).rstrip(b"\0").decode())' "$1" "$2"
}
if [[ -n "${CLAMD_SOCKET:-}" && "${CLAMD_SOCKET}" != "$OWN_SOCKET" ]]; then
  clamd_ping "$CLAMD_SOCKET" || log "Cảnh báo: clamd tại $CLAMD_SOCKET không trả lời; tệp tải lên sẽ bị từ chối"
else
  clamd_user=""
  if [[ $EUID -eq 0 ]] && id clamav >/dev/null 2>&1; then
    install -d -m 755 -o clamav -g clamav "$CLAMAV_DIR" "$CLAMAV_DIR/db"
    # clamd drops root for the clamav account when that account can reach the directory.
    if runuser -u clamav -- test -x "$CLAMAV_DIR"; then clamd_user="User clamav"; fi
  else
    install -d -m 755 "$CLAMAV_DIR" "$CLAMAV_DIR/db"
  fi
  changed=0
  conf_new="$(sed -e "s|@VAR_DIR@|$VAR_DIR|g; s|@USER_LINE@|$clamd_user|" config/clamav/clamd.conf.in)"
  if [[ ! -f "$CLAMAV_DIR/clamd.conf" || "$(cat "$CLAMAV_DIR/clamd.conf")" != "$conf_new" ]]; then
    printf '%s\n' "$conf_new" >"$CLAMAV_DIR/clamd.conf"
    changed=1
  fi
  for sig in config/clamav/db/*; do
    if ! cmp -s "$sig" "$CLAMAV_DIR/db/$(basename "$sig")"; then
      install -m 644 "$sig" "$CLAMAV_DIR/db/"
      changed=1
    fi
  done
  if clamd_ping "$OWN_SOCKET"; then
    if ((changed)); then
      log "Nạp lại chữ ký virus cho clamd"
      clamd_send "$OWN_SOCKET" zRELOAD >/dev/null
    fi
  else
    log "Khởi động clamd (quét virus tệp tải lên)"
    clamd --config-file="$CLAMAV_DIR/clamd.conf"
    for _ in $(seq 60); do clamd_ping "$OWN_SOCKET" && break; sleep 0.5; done
    clamd_ping "$OWN_SOCKET" || { log "clamd không khởi động được, xem $CLAMAV_DIR/clamd.log"; exit 1; }
  fi
fi

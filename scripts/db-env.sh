# Shared by backup.sh and restore.sh (sourced): database connection from the same variables
# the Django settings read (.env.example), and a private client option file so that the
# password never appears on a command line.
VAR_DIR="${ONESTOP_VAR_DIR:-$PWD/var}"
FILES_DIR="${FILES_DIR:-$VAR_DIR/files}"
. scripts/site-env.sh  # DB_NAME: the database of ONESTOP_SITE unless set
DB_USER="${DB_USER:-root}"
DB_PASSWORD="${DB_PASSWORD:-}"
DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-3306}"

DB_CNF="$(mktemp)"
trap 'rm -f "$DB_CNF"' EXIT
chmod 600 "$DB_CNF"
{
  echo "[client]"
  echo "user=$DB_USER"
  [[ -n "$DB_PASSWORD" ]] && echo "password=$DB_PASSWORD"
  if [[ "$DB_HOST" == "localhost" ]]; then echo "protocol=socket"; else echo "host=$DB_HOST"; echo "port=$DB_PORT"; fi
  echo "default-character-set=utf8mb4"
} >"$DB_CNF"

log() { printf '\033[1;34m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*"; }
die() { printf '\033[1;31m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }

#!/usr/bin/env bash
# make backup: a consistent MariaDB dump, a tar of the uploaded files and a SHA-256 manifest,
# in var/backups/<UTC timestamp>/ (BACKUP_ROOT to put them elsewhere).
#
#   db.sql.gz       mariadb-dump --single-transaction --routines --triggers --events of DB_NAME
#   files.tar.gz    FILES_DIR (default var/files), paths relative to it
#   files.sha256    the SHA-256 of every file inside FILES_DIR, checked again after a restore
#   SHA256SUMS      the SHA-256 of the three files above; restore.sh refuses a backup that fails it
#   info.txt        when, which database, which code version, where the files live (files_store)
#
# The database is read inside one transaction, so the dump is consistent while the system runs.
# Files are copied after the dump: a file uploaded meanwhile is in the tar but not in the
# database, never the reverse. Backups hold citizens' personal data: they are created mode 0700
# and must be stored encrypted off the server.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -n "${ONESTOP_ENV_FILE:-}" ]] && { set -a; . "$ONESTOP_ENV_FILE"; set +a; }
. scripts/db-env.sh

BACKUP_ROOT="${BACKUP_ROOT:-$VAR_DIR/backups}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dest="$BACKUP_ROOT/$stamp"
work="$dest.partial"
[[ -e "$dest" ]] && die "$dest đã tồn tại"
umask 077
mkdir -p "$work"
trap 'rm -f "$DB_CNF"; rm -rf "$work"' EXIT

log "Sao lưu CSDL $DB_NAME"
mariadb-dump --defaults-extra-file="$DB_CNF" --single-transaction --quick --routines --triggers --events \
  --hex-blob --default-character-set=utf8mb4 "$DB_NAME" | gzip -6 >"$work/db.sql.gz"

# Files on S3-compatible object storage (ONESTOP_S3_BUCKET) are not copied here: the store keeps
# them with versioning and replication of its own (config/README.md §10). What is on the disk
# (nothing, in that setting) is still archived, so restore.sh reads every backup the same way.
files_store="$FILES_DIR"
if [[ -n "${ONESTOP_S3_BUCKET:-}" ]]; then
  files_store="s3://$ONESTOP_S3_BUCKET/${ONESTOP_S3_PREFIX:-}"
  log "Tệp nằm trên kho S3 $files_store: không chép vào bản sao lưu này; kho S3 tự giữ phiên bản và nhân bản (config/README.md §10)"
fi
log "Sao lưu tệp $FILES_DIR"
mkdir -p "$FILES_DIR"
(cd "$FILES_DIR" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$work/files.sha256"
tar -C "$FILES_DIR" --numeric-owner -czf "$work/files.tar.gz" .

{
  echo "created_utc=$stamp"
  echo "database=$DB_NAME"
  echo "files_dir=$FILES_DIR"
  echo "files_store=$files_store"
  echo "files=$(wc -l <"$work/files.sha256")"
  echo "code_version=$(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "mariadb=$(mariadb --defaults-extra-file="$DB_CNF" -N -e 'SELECT VERSION()')"
} >"$work/info.txt"
(cd "$work" && sha256sum db.sql.gz files.tar.gz files.sha256 info.txt >SHA256SUMS)

mv "$work" "$dest"
trap 'rm -f "$DB_CNF"' EXIT
log "Xong: $dest"
echo "$dest"

#!/usr/bin/env bash
# make restore BACKUP=var/backups/<timestamp>: check the backup's checksums, then restore the
# database into DB_NAME (or RESTORE_DB_NAME) and the files into FILES_DIR (or RESTORE_FILES_DIR).
#
# Refuses to overwrite a database that has tables, or a non-empty files directory, unless
# RESTORE_FORCE=1; the files directory being replaced is kept beside it as
# <dir>.before-restore-<timestamp>. Stop the web and worker services before restoring production.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -n "${ONESTOP_ENV_FILE:-}" ]] && { set -a; . "$ONESTOP_ENV_FILE"; set +a; }
. scripts/db-env.sh

BACKUP="${BACKUP:-${1:-}}"
[[ -n "$BACKUP" ]] || die "Cách dùng: make restore BACKUP=var/backups/<thời điểm>"
BACKUP="$(realpath "$BACKUP")"
[[ -f "$BACKUP/SHA256SUMS" ]] || die "$BACKUP không phải một bản sao lưu (thiếu SHA256SUMS)"
TARGET_DB="${RESTORE_DB_NAME:-$DB_NAME}"
TARGET_FILES="${RESTORE_FILES_DIR:-$FILES_DIR}"
[[ "$TARGET_DB" =~ ^[A-Za-z0-9_]+$ ]] || die "Tên CSDL không hợp lệ: $TARGET_DB"

log "Kiểm tra mã băm của bản sao lưu $BACKUP"
(cd "$BACKUP" && sha256sum --quiet --strict -c SHA256SUMS) || die "Bản sao lưu bị hỏng hoặc bị sửa: mã băm không khớp"

mysql() { mariadb --defaults-extra-file="$DB_CNF" "$@"; }
tables="$(mysql -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$TARGET_DB'")"
if [[ "$tables" != "0" && "${RESTORE_FORCE:-0}" != "1" ]]; then
  die "CSDL $TARGET_DB đang có $tables bảng; đặt RESTORE_FORCE=1 để ghi đè"
fi
if [[ -d "$TARGET_FILES" && -n "$(ls -A "$TARGET_FILES")" && "${RESTORE_FORCE:-0}" != "1" ]]; then
  die "Thư mục $TARGET_FILES không rỗng; đặt RESTORE_FORCE=1 để thay thế"
fi

# Files first, into a staging directory, verified file by file before anything is replaced.
mkdir -p "$(dirname "$TARGET_FILES")"
stage="$(mktemp -d "$(dirname "$TARGET_FILES")/.restore-XXXXXX")"
chmod 750 "$stage"
trap 'rm -f "$DB_CNF"; rm -rf "$stage"' EXIT
tar -C "$stage" --numeric-owner -xzf "$BACKUP/files.tar.gz"
if [[ -s "$BACKUP/files.sha256" ]]; then
  (cd "$stage" && sha256sum --quiet --strict -c "$BACKUP/files.sha256") \
    || die "Tệp giải nén không khớp files.sha256"
fi

log "Khôi phục CSDL vào $TARGET_DB"
mysql -e "DROP DATABASE IF EXISTS \`$TARGET_DB\`; CREATE DATABASE \`$TARGET_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci"
gunzip -c "$BACKUP/db.sql.gz" | mysql "$TARGET_DB"

store="$(sed -n 's/^files_store=//p' "$BACKUP/info.txt")"
if [[ "$store" == s3://* ]]; then
  log "Tệp của bản sao lưu này nằm trên kho S3 $store, không có trong bản sao lưu: khôi phục từ phiên bản của kho S3 (config/README.md §10)"
fi
log "Khôi phục tệp vào $TARGET_FILES"
if [[ -e "$TARGET_FILES" ]]; then
  mv "$TARGET_FILES" "$TARGET_FILES.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
fi
mv "$stage" "$TARGET_FILES"
trap 'rm -f "$DB_CNF"' EXIT
log "Xong: CSDL $TARGET_DB, tệp $TARGET_FILES"

#!/usr/bin/env bash
# Runs the web server, an RQ worker and the RQ cron scheduler together in the
# foreground; Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
MANAGE=(.venv/bin/python apps/onestop_tayninh/manage.py)
ADDRESS="${ONESTOP_ADDRESS:-127.0.0.1:8000}"
# Links in the e-mails and SMS the workers send point at this server unless told otherwise.
export ONESTOP_SITE_URL="${ONESTOP_SITE_URL:-http://$ADDRESS}"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Đang dừng các tiến trình…"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# Local stand-ins for the mail server and the SMS gateway: nothing leaves the machine; every
# message the workers send lands under var/mail/ (.eml) and var/sms/messages.jsonl.
.venv/bin/python scripts/smtp_sink.py --port "${EMAIL_PORT:-1025}" --dir var/mail & pids+=($!)
.venv/bin/python scripts/fake_sms_gateway.py --port 1026 --dir var/sms & pids+=($!)
"${MANAGE[@]}" rqworker default notifications reports --with-scheduler & pids+=($!)
"${MANAGE[@]}" rqcron onestop_tayninh.core.cron & pids+=($!)
"${MANAGE[@]}" runserver "$ADDRESS" --noreload & pids+=($!)

sleep 2
cat <<MSG

  Hệ thống một cửa điện tử Tây Ninh đang chạy: http://$ADDRESS/
  Bàn làm việc cán bộ:                         http://$ADDRESS/desk/
  Tình trạng hệ thống:                         http://$ADDRESS/healthz
  Thư điện tử đã gửi (hộp thư giả lập):        var/mail/*.eml   (SMTP 127.0.0.1:${EMAIL_PORT:-1025})
  Tin nhắn SMS đã gửi (cổng SMS giả lập):      var/sms/messages.jsonl   (http://127.0.0.1:1026/count)

  Tài khoản minh họa (mật khẩu chung: ${DEMO_PASSWORD:-TayNinh@2026}):
$("${MANAGE[@]}" demo_logins)

  Công dân minh họa trên Cổng dịch vụ công (http://$ADDRESS/tai-khoan/dang-nhap/):
    0901234567 (Nguyễn Thị Lan, CCCD 072190001111), cùng mật khẩu trên.

  Lần đăng nhập đầu tiên của mỗi cán bộ: quét mã QR bằng ứng dụng xác thực (xác thực hai lớp).
  Để xem thử không cần điện thoại: ONESTOP_ENFORCE_2FA=false make run

  Nhấn Ctrl-C để dừng.
MSG
wait -n "${pids[@]}"

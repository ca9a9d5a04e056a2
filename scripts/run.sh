#!/usr/bin/env bash
# Runs the web server, an RQ worker, the RQ cron scheduler, the SMTP sink and the fake SMS gateway
# together; Ctrl-C stops them all. Their logs go to files under var/log/ so that the last thing on
# the screen is the banner of addresses and demo logins:
#   var/log/<process>.log   the process's log, one JSON object per line (ONESTOP_LOG_FILE)
#   var/log/<process>.out   anything it printed outside logging (start-up lines, a crash at start)
# PORT (8000), or ONESTOP_ADDRESS (127.0.0.1:8000), moves the web server; EMAIL_PORT (1025) and
# SMS_PORT (1026) the two stand-ins; VNEID_PORT (1027) the stand-in national e-ID (fake_vneid.py);
# VNPAY_PORT (1028) the stand-in VNPay gateway (fake_vnpay.py); ZALO_PORT (1029) the stand-in Zalo OA
# (fake_zalo.py), whose home page is a chat in which the tester plays a citizen; DVCQG_PORT (1030) the
# stand-in National Public Service Portal (fake_dvcqg.py).
set -euo pipefail
cd "$(dirname "$0")/.."
MANAGE=(.venv/bin/python apps/onestop_tayninh/manage.py)
. scripts/site-env.sh  # the site (SITE / ONESTOP_SITE), its database and its Redis database
ADDRESS="${ONESTOP_ADDRESS:-127.0.0.1:${PORT:-8000}}"
EMAIL_PORT="${EMAIL_PORT:-1025}"
SMS_PORT="${SMS_PORT:-1026}"
VNEID_PORT="${VNEID_PORT:-1027}"
VNPAY_PORT="${VNPAY_PORT:-1028}"
ZALO_PORT="${ZALO_PORT:-1029}"
DVCQG_PORT="${DVCQG_PORT:-1030}"
LOG_DIR=var/log
# Links in the e-mails and SMS the workers send point at this server unless told otherwise.
export ONESTOP_SITE_URL="${ONESTOP_SITE_URL:-http://$ADDRESS}"
export EMAIL_PORT
export SMS_GATEWAY_URL="${SMS_GATEWAY_URL:-http://127.0.0.1:$SMS_PORT/sms}"
# VNeID login and identity verification against the local stand-in, unless a deployment set its own.
export ONESTOP_LOGIN_PROVIDERS="${ONESTOP_LOGIN_PROVIDERS:-vneid}"
export ONESTOP_VNEID_CLIENT_ID="${ONESTOP_VNEID_CLIENT_ID:-onestop-dev}"
export ONESTOP_VNEID_CLIENT_SECRET="${ONESTOP_VNEID_CLIENT_SECRET:-dev-secret}"
export ONESTOP_VNEID_METADATA_URL="${ONESTOP_VNEID_METADATA_URL:-http://127.0.0.1:$VNEID_PORT/.well-known/openid-configuration}"
# VNPay payments against the local stand-in, unless a deployment set its own merchant and addresses.
export ONESTOP_VNPAY_TMN_CODE="${ONESTOP_VNPAY_TMN_CODE:-ONESTOP1}"
export ONESTOP_VNPAY_SECRET="${ONESTOP_VNPAY_SECRET:-dev-vnpay-secret}"
export ONESTOP_VNPAY_PAY_URL="${ONESTOP_VNPAY_PAY_URL:-http://127.0.0.1:$VNPAY_PORT/paymentv2/vpcpay.html}"
export ONESTOP_VNPAY_API_URL="${ONESTOP_VNPAY_API_URL:-http://127.0.0.1:$VNPAY_PORT/merchant_webapi/api/transaction}"
# The Zalo OA (webhook, sending, ZNS) against the local stand-in, unless a deployment set its own.
export ONESTOP_ZALO_APP_ID="${ONESTOP_ZALO_APP_ID:-dev-zalo-app}"
export ONESTOP_ZALO_OA_SECRET="${ONESTOP_ZALO_OA_SECRET:-dev-oa-secret}"
export ONESTOP_ZALO_APP_SECRET="${ONESTOP_ZALO_APP_SECRET:-dev-app-secret}"
ZALO_STANDIN="http://127.0.0.1:$ZALO_PORT"
export ONESTOP_ZALO_API_URL="${ONESTOP_ZALO_API_URL:-$ZALO_STANDIN}"
export ONESTOP_ZALO_OAUTH_URL="${ONESTOP_ZALO_OAUTH_URL:-$ZALO_STANDIN}"
export ONESTOP_ZALO_ZNS_URL="${ONESTOP_ZALO_ZNS_URL:-$ZALO_STANDIN}"
# The national sync (dossier changes, catalogue changes) against the local stand-in, unless a deployment
# set its own portal and credentials.
export ONESTOP_DVCQG_URL="${ONESTOP_DVCQG_URL:-http://127.0.0.1:$DVCQG_PORT}"
export ONESTOP_DVCQG_CLIENT_ID="${ONESTOP_DVCQG_CLIENT_ID:-onestop-tayninh-dev}"
export ONESTOP_DVCQG_SECRET="${ONESTOP_DVCQG_SECRET:-dev-dvcqg-secret}"
# The stand-in accepts this refresh token once; the system spends it on its first message.
ZALO_REFRESH_TOKEN=dev-refresh-token
mkdir -p "$LOG_DIR"

pids=()
cleanup() {
  local status=$?
  trap - INT TERM EXIT
  echo; echo "Đang dừng các tiến trình…"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  exit "$status"
}
trap cleanup INT TERM EXIT

# start NAME COMMAND...: run in the background, its log in var/log/NAME.log, its output in NAME.out.
start() {
  local name=$1
  shift
  echo "=== $(date '+%F %T') $*" >>"$LOG_DIR/$name.out"
  ONESTOP_LOG_FILE="$LOG_DIR/$name.log" "$@" >>"$LOG_DIR/$name.out" 2>&1 &
  pids+=($!)
}

# Local stand-ins for the mail server and the SMS gateway: nothing leaves the machine; every
# message the workers send lands under var/mail/ (.eml) and var/sms/messages.jsonl.
start smtp-sink .venv/bin/python scripts/smtp_sink.py --port "$EMAIL_PORT" --dir var/mail
start sms-gateway .venv/bin/python scripts/fake_sms_gateway.py --port "$SMS_PORT" --dir var/sms
start vneid .venv/bin/python scripts/fake_vneid.py --port "$VNEID_PORT" \
  --client-id "$ONESTOP_VNEID_CLIENT_ID" --client-secret "$ONESTOP_VNEID_CLIENT_SECRET"
# The stand-in gateway sends its IPN to this server, as VNPay would to the deployment's public address.
start vnpay .venv/bin/python scripts/fake_vnpay.py --port "$VNPAY_PORT" \
  --tmn-code "$ONESTOP_VNPAY_TMN_CODE" --secret "$ONESTOP_VNPAY_SECRET" \
  --ipn-url "http://$ADDRESS/thanh-toan/ipn/vnpay/" --dir var/vnpay
# The stand-in Zalo posts the citizen's events to this server's webhook, as Zalo would.
start zalo .venv/bin/python scripts/fake_zalo.py --port "$ZALO_PORT" \
  --app-id "$ONESTOP_ZALO_APP_ID" --oa-secret "$ONESTOP_ZALO_OA_SECRET" --app-secret "$ONESTOP_ZALO_APP_SECRET" \
  --webhook-url "http://$ADDRESS/zalo/webhook/" --initial-refresh-token "$ZALO_REFRESH_TOKEN" \
  --zns-template tb-ho-so=ma_ho_so,noi_dung
# The stand-in national portal takes the dossier changes and publishes procedure changes (/_control/…).
start dvcqg .venv/bin/python scripts/fake_dvcqg.py --port "$DVCQG_PORT" \
  --client-id "$ONESTOP_DVCQG_CLIENT_ID" --secret "$ONESTOP_DVCQG_SECRET"
# Prometheus metrics as in production (config/README.md §11): the worker and the web each keep their
# files in a directory of their own under var/metrics, emptied here; /metrics on the web merges them.
METRICS_DIR=var/metrics
rm -rf "$METRICS_DIR" && mkdir -p "$METRICS_DIR/web" "$METRICS_DIR/worker-1"
export ONESTOP_METRICS_DIR="$PWD/$METRICS_DIR"
start worker env PROMETHEUS_MULTIPROC_DIR="$PWD/$METRICS_DIR/worker-1" \
  "${MANAGE[@]}" rqworker default notifications reports --with-scheduler
start cron "${MANAGE[@]}" rqcron onestop_tayninh.core.cron
start web env PROMETHEUS_MULTIPROC_DIR="$PWD/$METRICS_DIR/web" "${MANAGE[@]}" runserver "$ADDRESS" --noreload

# The banner only once the site answers; a process that died meanwhile is named with its log.
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://$ADDRESS/healthz" 2>/dev/null && break
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "Một tiến trình đã dừng khi khởi động. Xem $LOG_DIR/*.out và $LOG_DIR/*.log:" >&2
      tail -n 5 "$LOG_DIR"/*.out >&2
      exit 1
    fi
  done
  sleep 0.5
done
logins=$(ONESTOP_LOG_FILE="$LOG_DIR/manage.log" "${MANAGE[@]}" demo_logins)
# A fresh stand-in knows only its initial refresh token: store it, replacing the last run's pair
# (only when the system talks to the stand-in, never to a deployment's real OA).
if [ "$ONESTOP_ZALO_API_URL" = "$ZALO_STANDIN" ]; then
  ONESTOP_LOG_FILE="$LOG_DIR/manage.log" "${MANAGE[@]}" zalo_token_seed --refresh-token "$ZALO_REFRESH_TOKEN" >/dev/null
fi

cat <<MSG

  Hệ thống một cửa điện tử Tây Ninh đang chạy: http://$ADDRESS/
  Site:                                        $ONESTOP_SITE (CSDL $DB_NAME, Redis $REDIS_URL)
  Bàn làm việc cán bộ:                         http://$ADDRESS/desk/
  Tình trạng hệ thống:                         http://$ADDRESS/healthz
  Thư điện tử đã gửi (hộp thư giả lập):        var/mail/*.eml   (SMTP 127.0.0.1:$EMAIL_PORT)
  Tin nhắn SMS đã gửi (cổng SMS giả lập):      var/sms/messages.jsonl   (http://127.0.0.1:$SMS_PORT/count)
  VNeID giả lập (đăng nhập, xác minh CCCD):    http://127.0.0.1:$VNEID_PORT/   (nhập CCCD bất kỳ)
  VNPay giả lập (thanh toán phí, lệ phí):      http://127.0.0.1:$VNPAY_PORT/   (giao dịch gần đây; không có tiền thật)
  Zalo OA giả lập (trò chuyện như công dân):    http://127.0.0.1:$ZALO_PORT/
  Cổng DVC quốc gia giả lập (đồng bộ hồ sơ):   http://127.0.0.1:$DVCQG_PORT/_control/state
  Nhật ký (log) của từng tiến trình:           $LOG_DIR/{web,worker,cron}.log (JSON, mỗi dòng một sự kiện,
                                               có request_id), $LOG_DIR/*.out (in ra khi khởi động)
                                               Xem trực tiếp: tail -f $LOG_DIR/web.log $LOG_DIR/worker.log

  Tài khoản minh họa (mật khẩu chung: ${DEMO_PASSWORD:-TayNinh@2026}):
$logins

  Công dân minh họa trên Cổng dịch vụ công (http://$ADDRESS/tai-khoan/dang-nhap/):
    0901234567 (Nguyễn Thị Lan, CCCD 072190001111), cùng mật khẩu trên.

  Lần đăng nhập đầu tiên của mỗi cán bộ: quét mã QR bằng ứng dụng xác thực (xác thực hai lớp).
  Để xem thử không cần điện thoại: ONESTOP_ENFORCE_2FA=false make run

  Nhấn Ctrl-C để dừng.
MSG
set +e
wait -n "${pids[@]}"
echo "Một tiến trình đã dừng; xem $LOG_DIR/. Dừng các tiến trình còn lại." >&2

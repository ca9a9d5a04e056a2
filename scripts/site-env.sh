# Sourced by the Makefile's recipes and the scripts: the site `make` runs and the databases it uses.
#   ONESTOP_SITE  the site (sites/<name>/): tayninh-2025 by default (Tây Ninh since 1 July 2025),
#                 or tayninh (the seed's three tiers); `make run SITE=tayninh` sets it.
#   DB_NAME       its MariaDB database, onestop_<site> with "-" as "_" (onestop_tayninh_2025,
#                 onestop_tayninh): the two sites reuse unit codes for different units, so they
#                 never share one (README "Sites"); conf/env.py's site_database_name is the same rule.
#   REDIS_URL     its Redis database (queues, cache): 0 for tayninh-2025, 1 for tayninh, 2 for any
#                 other, so two sites run side by side never take each other's jobs.
# A value already set in the environment (an ONESTOP_ENV_FILE, a production env file) wins.
ONESTOP_SITE="${ONESTOP_SITE:-tayninh-2025}"
site_slug="${ONESTOP_SITE//[^A-Za-z0-9]/_}"
DB_NAME="${DB_NAME:-onestop_${site_slug}}"
case "$ONESTOP_SITE" in
  tayninh-2025) site_redis_db=0 ;;
  tayninh) site_redis_db=1 ;;
  *) site_redis_db=2 ;;
esac
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/$site_redis_db}"
export ONESTOP_SITE DB_NAME REDIS_URL
unset site_slug site_redis_db

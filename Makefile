# onestop_tayninh — the targets a person would guess. Every target sets up what it needs first.
SHELL := /bin/bash
PY := .venv/bin/python
MANAGE := $(PY) apps/onestop_tayninh/manage.py
# The site: tayninh-2025 (Tây Ninh since 1 July 2025, two tiers; the default) or tayninh (the
# seed's three tiers), e.g. `make run SITE=tayninh`. Each site has its own database and Redis
# database, chosen by scripts/site-env.sh (README "Sites"), which the scripts source themselves and
# WITH_SITE sources for manage.py; DB_NAME or REDIS_URL set by hand (or in ONESTOP_ENV_FILE) win.
SITE ?= $(or $(ONESTOP_SITE),tayninh-2025)
WITH_SITE := export ONESTOP_SITE=$(SITE) && . scripts/site-env.sh &&

.PHONY: setup migrate demo-data run test lint format bench backup restore drills

setup:
	@ONESTOP_SITE=$(SITE) bash scripts/setup.sh

# Then the data patches not yet applied to this database (patches/README.md); quiet when there are none.
migrate: setup
	@$(WITH_SITE) $(MANAGE) migrate --noinput -v 0
	@$(WITH_SITE) $(MANAGE) apply_patches --apply -v 0

demo-data: migrate
	@$(WITH_SITE) $(MANAGE) load_site $(SITE)
	@$(WITH_SITE) $(MANAGE) make_demo_certificates
	@$(WITH_SITE) $(MANAGE) recompute_indicators

run: demo-data
	@ONESTOP_SITE=$(SITE) bash scripts/run.sh

# ruff; mypy over the modules listed in pyproject.toml ([tool.mypy] files, a list that only grows);
# the import contracts in .importlinter. None of them needs the database.
lint: setup
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/mypy
	@PYTHONPATH=apps/onestop_tayninh .venv/bin/lint-imports

format: setup
	@.venv/bin/ruff check --fix .
	@.venv/bin/ruff format .

# Two workers that take tests from each other at the end (--dist worksteal): with the default
# distribution one worker could be left with a run of browser journeys while the other sat idle.
test: lint
	@DJANGO_SETTINGS_MODULE=onestop_tayninh.conf.test $(MANAGE) makemigrations --check --dry-run -v 1
	@.venv/bin/pytest -n 2 --dist worksteal

# The failure drills (README "Diễn tập sự cố / Failure drills"): the cluster under load, one failure each;
# many minutes. Each drill takes /tmp/onestop-cluster.lock itself, so do not wrap this in flock(1).
# One drill: make drills DRILLS="-k web_node".
drills: setup
	@.venv/bin/pytest -p no:xdist -m drills tests/drills $(DRILLS)

bench: demo-data
	@$(WITH_SITE) $(PY) -m bench $(BENCH)

# Database dump + uploaded files + SHA-256 manifest into var/backups/<timestamp>/ (README "Bảo mật / Security").
backup:
	@ONESTOP_SITE=$(SITE) bash scripts/backup.sh

# make restore BACKUP=var/backups/<timestamp> [RESTORE_DB_NAME=...] [RESTORE_FORCE=1]
restore:
	@ONESTOP_SITE=$(SITE) BACKUP="$(BACKUP)" bash scripts/restore.sh

# onestop_tayninh — the targets a person would guess. Every target sets up what it needs first.
SHELL := /bin/bash
PY := .venv/bin/python
MANAGE := $(PY) apps/onestop_tayninh/manage.py
SITE ?= tayninh

.PHONY: setup migrate demo-data run test lint format bench backup restore

setup:
	@bash scripts/setup.sh

migrate: setup
	@$(MANAGE) migrate --noinput -v 0

demo-data: migrate
	@$(MANAGE) load_site $(SITE)

run: demo-data
	@bash scripts/run.sh

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

test: lint
	@DJANGO_SETTINGS_MODULE=onestop_tayninh.conf.test $(MANAGE) makemigrations --check --dry-run -v 1
	@.venv/bin/pytest

bench: demo-data
	@$(PY) -m bench $(BENCH)

# Database dump + uploaded files + SHA-256 manifest into var/backups/<timestamp>/ (README "Bảo mật / Security").
backup:
	@bash scripts/backup.sh

# make restore BACKUP=var/backups/<timestamp> [RESTORE_DB_NAME=...] [RESTORE_FORCE=1]
restore:
	@BACKUP="$(BACKUP)" bash scripts/restore.sh

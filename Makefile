# The README's two commands are `make run` and `make test`. Everything is installed into .venv
# and node_modules by the targets themselves, so they work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run test setup lint format worker beat migrate seed check clean messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# Zero setup: SQLite under var/, tasks in-process, demo data, http://127.0.0.1:8000
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST)

# Every test. With DATABASE_URL / REDIS_URL set (as .ci/run does) the integration tests run
# against PostgreSQL and Redis; browser tests need Debian's chromium.
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

migrate: setup
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

worker: setup
	$(VENV)/bin/celery -A danvan_portal worker -Q celery,reports --loglevel=info

beat: setup
	$(VENV)/bin/celery -A danvan_portal beat --loglevel=info

messages: setup
	$(PY) manage.py makemessages -l vi -l en --ignore=.venv --ignore=node_modules --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

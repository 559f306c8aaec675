# The portal's two everyday commands: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint up down clean messages

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## run: create the virtualenv, install, migrate, seed the demo data, serve http://127.0.0.1:8000
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole test suite (SQLite unless DATABASE_URL is set): checks, lint, format, layers, types, pytest
test: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -q $(PYTEST_ARGS)

## messages: refresh the English catalogue from the code and templates, then compile (needs GNU gettext)
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --no-location \
		--ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*' --ignore 'deploy/*'
	$(BIN)/python manage.py compilemessages -l en -l zh_Hans --ignore '.venv/*'

## up: the production-shaped stack on loopback (PostgreSQL, Redis, gunicorn, Celery worker and beat)
up: install
	deploy/stack.sh up

## down: stop what `make up` started
down:
	deploy/stack.sh down

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var

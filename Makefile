# The two commands: `make run` (serve the demo) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= studyhub

.PHONY: run test bench loadtest lint format messages setup migrate demo check-deploy clean

run: demo
	@echo ""
	@echo "StudyHub is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "Demo logins (password: $(DEMO_PASSWORD)): staff, secretary, member, outsider"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

bench: migrate
	$(BIN)/python bench/run.py

# gunicorn (2 workers, production settings) on PostgreSQL under wrk; see bench/loadtest.py.
loadtest: setup
	$(BIN)/python bench/loadtest.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Needs GNU gettext; the compiled .mo files are committed so setup never does.
messages: setup
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=static/vendor --ignore=tests --ignore=bench
	$(MANAGE) compilemessages --ignore=.venv

setup: $(VENV)/.installed static/vendor/.copied

migrate: setup
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo --password "$(DEMO_PASSWORD)"

check-deploy: setup
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(60))') \
		$(MANAGE) check --deploy --fail-level WARNING

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Front-end packages come from npm and are copied into the static tree, never from a CDN.
static/vendor/.copied: node_modules/.package-lock.json
	rm -rf static/vendor
	mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/chart.js static/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp node_modules/chart.js/dist/chart.umd.min.js* static/vendor/chart.js/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	@touch $@

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3

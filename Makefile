# The two commands: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run phone serve worker test check lint demo migrate bench faults browser servers load-tool clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.test-installed: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

migrate: $(BIN)/.installed
	$(BIN)/flask db-upgrade

# The development server, and beside it the reminders' sender, stopped with it (Ctrl-C). REMINDERS=off serves
# without the sender: a restore drill, which must never remind real phones.
REMINDERS ?= on
run: migrate
	@if [ "$(REMINDERS)" = "off" ]; then exec $(BIN)/flask run --host 127.0.0.1 --port $(PORT); fi; \
	  $(BIN)/flask reminders-send & sender=$$!; \
	  trap 'kill -TERM $$sender 2>/dev/null; wait $$sender 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# A real phone on the same Wi-Fi: HTTPS on this machine's address on the local network, a QR code of it, and a
# certificate made for it under instance/phone/ (phone.py). PHONE_HOST=192.168.1.20 and PHONE_PORT=5443 choose
# the address; PHONE_CERT=cert.pem PHONE_KEY=key.pem give a certificate the phone already trusts.
phone: migrate
	$(BIN)/python phone.py

demo: migrate
	$(BIN)/flask demo

# Production: gunicorn with threaded workers behind one reverse proxy (see docs/deploy.md).
serve: migrate
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# The reminders' sender: due reminders sent by Web Push, looked for every 30 seconds (REMINDERS_INTERVAL_SECONDS)
# until stopped. Several may run at once on PostgreSQL; one on SQLite. `flask reminders-send --once` sends what is
# due and stops. `make run` starts one too, unless REMINDERS=off.
worker: migrate
	$(BIN)/flask reminders-send

# Browser tests drive Debian's Chromium; install it when the machine lacks it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The suite starts its own throwaway PostgreSQL, Redis and nginx (the proxy of deploy/nginx.conf) from these binaries.
servers:
	@{ ls /usr/lib/postgresql/*/bin/initdb && command -v redis-server && command -v exiftool && test -x /usr/sbin/nginx; } >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server libimage-exiftool-perl nginx >/dev/null; }

# The benchmarks' HTTP load generator (bench/ceiling.py).
load-tool:
	@command -v wrk >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Front-end tools for the tests (axe-core) and the benchmarks (Lighthouse), exact versions from package.json.
NPM_INSTALL := npm install --no-audit --no-fund --no-package-lock --loglevel=error

node_modules/.installed: package.json
	$(NPM_INSTALL)
	touch $@

bench/node_modules/.installed: bench/package.json
	cd bench && $(NPM_INSTALL)
	touch $@

# Style and types: ruff (lint and format) and mypy on journal/.
lint: $(BIN)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The edit-run loop: lint, then the unit and HTTP tests on SQLite only (no PostgreSQL, no browser, no servers).
check: lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not postgres and not canary" tests/unit tests/http

# The whole suite, after lint (its tests include every one of `make check`'s). Two processes share it, a whole
# test file each at a time; then the log canary (marked `canary`) reads every log of the run, which needs all
# the others to have finished.
test: lint $(BIN)/.test-installed browser servers node_modules/.installed
	run=$$$$; export JOURNAL_TEST_RUN=$$run; \
	  $(BIN)/python -m pytest -n 2 --dist loadfile -m "not canary" --durations=25 && \
	  $(BIN)/python -m pytest -m canary

bench: $(BIN)/.test-installed servers browser load-tool bench/node_modules/.installed
	$(BIN)/python bench/ceiling.py
	$(BIN)/python bench/signin_and_page_weight.py
	$(BIN)/python bench/timeline_databases.py
	$(BIN)/python bench/desk.py
	$(BIN)/python bench/caseload.py
	$(BIN)/python bench/at_any_size.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/rotation.py
	$(BIN)/python bench/art_processing.py
	$(BIN)/python bench/uploads.py
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/lighthouse.py

# Fault scenarios against real servers (kill -9, database stopped, disk full, ...): what was acknowledged, lost,
# duplicated or saved half, on both databases. Needs root (tmpfs mounts). Not part of `make test`.
faults: $(BIN)/.test-installed servers
	$(BIN)/python -m bench.faults $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) test-output *.egg-info node_modules bench/node_modules

# ASN Belajar — developer commands. Needs Python 3.11+ on PATH (python3 or $PYTHON).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The suite runs in parallel, one worker per core (at most 4): each worker has its own
# SQLite files or PostgreSQL database. PYTEST_ARGS= (empty) runs it in one process.
PYTEST_ARGS ?= -n auto --maxprocesses=4
# Installs stay quiet: no pip version nag, no build-backend chatter (errors still show).
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONWARNINGS := ignore::DeprecationWarning:setuptools

.PHONY: run test lint bench install clean-db translations css

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# "server" brings gunicorn and the Redis client (rate limits shared across web nodes).
$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e ".[server,postgres]"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test,server,postgres]"
	@touch $@

install: $(VENV)/.installed

PUBLIC_HOST = $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))

run: $(VENV)/.installed
	$(BIN)/asnbelajar db upgrade
	@if [ ! -f instance/.demo-seeded ]; then \
		$(BIN)/asnbelajar seed-demo && touch instance/.demo-seeded; \
	else \
		$(BIN)/python -c 'from asnbelajar.demo import DEMO_LOGINS as L; print("Demo logins:"); [print(f"  {r:<12} {e:<32} {p}") for r, e, p in L]'; \
	fi
	@echo "ASN Belajar: http://$(HOST):$(PORT)  (emails are written to instance/mail/)"
	@# The scheduler (outbox, reminders, finalize) runs beside the server and stops with it.
	@# Links in emails and certificate QR codes use the public address: this server's own
	@# port unless ASNBELAJAR_BASE_URL or BASE_URL in instance/config.py says otherwise.
	@grep -qs '^BASE_URL' instance/config.py || \
		export ASNBELAJAR_BASE_URL="$${ASNBELAJAR_BASE_URL:-http://$(PUBLIC_HOST):$(PORT)}"; \
	$(BIN)/asnbelajar scheduler & sched=$$!; \
	trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	$(BIN)/asnbelajar run --host $(HOST) --port $(PORT) --with-threads

test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run_all.py

clean-db:
	rm -f instance/asnbelajar.db instance/asnbelajar.db-wal instance/asnbelajar.db-shm instance/.demo-seeded

# Extract, merge into the English catalog (the .po is the one source) and compile;
# fails while a msgid has no English.
translations: $(VENV)/.installed
	VENV=$(VENV) sh asnbelajar/translations/update.sh --check

# static/css/bootstrap.min.css: Bootstrap cut to the classes the pages use (committed; run
# after using a new Bootstrap class: tests/test_css_build.py fails until then).
css: $(VENV)/.installed-test
	$(BIN)/python tools/build_css.py

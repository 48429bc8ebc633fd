# The two commands (see README):
#   make run    start the portal with demo content on http://127.0.0.1:$(PORT)/
#   make test   run the whole test suite (Postgres, Redis, a Celery worker, Chromium)
# Everything they need is installed on first use into .venv/ and node_modules/.

PORT ?= 8000
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make

.PHONY: run test install assets bench bench-http bench-day lint security lock worker beat clean

# The address the portal is served on (SITE_URL if set). load_demo gets it
# too: the demo's PDFs are made as it loads, and their links must lead here.
RUN_SITE_URL = $(or $(SITE_URL),http://127.0.0.1:$(PORT))

run: install assets
	$(BIN)/python manage.py migrate --noinput
	SITE_URL='$(RUN_SITE_URL)' $(BIN)/python manage.py load_demo
	@echo "Starting the portal on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	SITE_URL='$(RUN_SITE_URL)' $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install assets
	$(BIN)/ruff check .
	$(BIN)/bandit -c pyproject.toml -r . -q
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMPS)/python $(STAMPS)/node

# Exact versions, checked against their hashes, of everything (transitive
# dependencies too) from requirements-dev.lock; then the portal itself.
$(STAMPS)/python: pyproject.toml requirements-dev.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

# After changing dependencies in pyproject.toml: pin them and everything they
# pull in, with hashes. requirements.lock is what the image installs;
# requirements-dev.lock adds the test tools at the same versions.
UV_VERSION := 0.13.9
lock: $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
	  --no-config --custom-compile-command "make lock" -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev -c requirements.lock --generate-hashes \
	  --universal --python-version 3.11 --no-config --custom-compile-command "make lock" \
	  -o requirements-dev.lock

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/node: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

assets: $(STAMPS)/node
	node static/build.mjs

# Measures speed and memory of the hot paths; see README "Benchmarks".
bench: install assets
	$(BIN)/python -m bench $(BENCH_ARGS)

# The portal under gunicorn against a bare Django view, driven by wrk; see
# README "HTTP benchmark". Needs Postgres, Redis and wrk (apt-get install wrk).
bench-http: install assets
	$(BIN)/python -m bench.http $(BENCH_HTTP_ARGS)

# A working day: gunicorn, a Celery worker and beat on the county-scale data
# under a mixed load of families, officers, the board and the public, for
# three minutes; writes docs/benchmarks/day-<date>.md. See README "A working day".
bench-day: install assets
	$(BIN)/python -m bench.day $(BENCH_DAY_ARGS)

lint: install
	$(BIN)/ruff check .

# Bandit's security checks (configured in pyproject.toml); part of `make test`.
security: install
	$(BIN)/bandit -c pyproject.toml -r . -q

# For running the full stack by hand with Redis (REDIS_URL set).
worker: install
	$(BIN)/celery -A sendportal worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A sendportal beat --loglevel=INFO

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles $(STAMPS)

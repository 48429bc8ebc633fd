# The two commands (see README):
#   make run    start the portal with demo content on http://127.0.0.1:$(PORT)/
#   make test   run the whole test suite (Postgres, Redis, a Celery worker, Chromium)
# Everything they need is installed on first use into .venv/ and node_modules/.

PORT ?= 8000
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make

.PHONY: run test install assets bench bench-http lint worker beat clean

run: install assets
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Starting the portal on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install assets
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMPS)/python $(STAMPS)/node

$(STAMPS)/python: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

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

lint: install
	$(BIN)/ruff check .

# For running the full stack by hand with Redis (REDIS_URL set).
worker: install
	$(BIN)/celery -A sendportal worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A sendportal beat --loglevel=INFO

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles $(STAMPS)

# Jiujinan: `make run` serves the demo on http://127.0.0.1:$(PORT); `make test` runs everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/jiujinan_test
TEST_MIGRATIONS_DATABASE_URL ?= $(TEST_DATABASE_URL)_migrations
CHROMIUM ?= /usr/bin/chromium
export FLASK_APP := wsgi

.PHONY: run setup system-deps lint audit test test-sqlite test-postgres browser-deps bench-deps translations translations-update vendor bench bench-web clean

$(BIN)/.installed: setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	@touch $@

setup: system-deps $(BIN)/.installed translations

## make system-deps: Debian's CJK fonts and pango, which WeasyPrint needs for the printable PDFs.
system-deps:
	@if [ -z "$$(fc-list :lang=zh 2>/dev/null)" ] || ! ldconfig -p | grep -q libpangoft2-1.0; then \
		echo "installing Debian fonts-noto-cjk and pango for the printable documents (PDF)"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0; \
	fi

translations: $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d webapp/translations

## make translations-update: re-extract messages; lists any msgid still without English.
translations-update: $(BIN)/.installed
	$(BIN)/python -m webapp.translations.catalog

## make run: install, migrate, load the demo once, build derived stores, serve.
run: setup
	JIUJINAN_ENV=development $(BIN)/flask db upgrade
	JIUJINAN_ENV=development $(BIN)/flask demo load
	JIUJINAN_ENV=development $(BIN)/flask derived rebuild
	@echo "Serving on http://127.0.0.1:$(PORT)  (demo logins: see README.md)"
	JIUJINAN_ENV=development $(BIN)/gunicorn --config gunicorn.conf.py \
		--bind 127.0.0.1:$(PORT) --workers 1 --threads 8 --timeout 120 --access-logfile - wsgi:app

browser-deps:
	@if [ ! -x $(CHROMIUM) ] || [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
		echo "installing Debian chromium, chromium-driver and CJK fonts for the browser tests"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			chromium chromium-driver fonts-noto-cjk; \
	fi

## make lint: ruff (version pinned in setup.cfg): its default rules plus the security rules
## (S, flake8-bandit; see pyproject.toml), then mypy (pinned too; strict for matching/,
## search/, webapp/privacy/, webapp/services/, see pyproject.toml).
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

## make audit: pip-audit of the installed dependencies against the known-vulnerability
## database. It prints what it found; it does not fail the build (nor when unreachable).
audit: $(BIN)/.installed
	@echo "=== pip-audit: known vulnerabilities in the installed dependencies ==="
	@$(BIN)/pip-audit --progress-spinner off --skip-editable --timeout 30 \
		|| echo "pip-audit: the findings above (or the service was unreachable); not failing the build"

## make test: lint, dependency audit, then the whole suite on SQLite and on PostgreSQL, the two
## runs side by side (one per core; each run's output is printed whole when it ends). The
## browser journeys (tests/browser) run in the SQLite run only, the database a fresh install
## serves: on 2 cores both runs with them took over 15 minutes. Everything they drive is also
## tested below the browser on both databases. The engines' own tests (tests/matching,
## tests/privacy, tests/search) touch no database, so they too run once, in the SQLite run.
test: setup lint audit browser-deps
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	@echo "=== test suite on SQLite ==="
	env -u TEST_DATABASE_URL -u TEST_MIGRATIONS_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "=== test suite on PostgreSQL ($(TEST_DATABASE_URL)) ==="
	@if $(BIN)/python -m tests.pgsetup "$(TEST_DATABASE_URL)" && \
		$(BIN)/python -m tests.pgsetup "$(TEST_MIGRATIONS_DATABASE_URL)"; then \
		TEST_DATABASE_URL="$(TEST_DATABASE_URL)" \
		TEST_MIGRATIONS_DATABASE_URL="$(TEST_MIGRATIONS_DATABASE_URL)" \
		$(BIN)/pytest --ignore=tests/browser --ignore=tests/matching --ignore=tests/privacy \
			--ignore=tests/search $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is required under CI=true but is unreachable" >&2; exit 1; \
	else \
		echo; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!! PostgreSQL unreachable: the PostgreSQL run of the suite was SKIPPED !!"; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

bench: setup
	$(BIN)/python bench/search_bench.py --docs 100000
	$(BIN)/python bench/matching_bench.py

bench-deps:
	@command -v ab >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq apache2-utils; }

## make bench-web: pages under load (ApacheBench) beside a bare Flask page, SQLite and PostgreSQL.
bench-web: setup bench-deps
	$(BIN)/python bench/web_bench.py $(BENCH_ARGS)

## make vendor: refresh the front-end libraries in static/vendor from the npm registry.
vendor:
	rm -rf /tmp/jiujinan-vendor && mkdir -p /tmp/jiujinan-vendor
	cd /tmp/jiujinan-vendor && npm init -y >/dev/null && \
		npm install --no-audit --no-fund bootstrap@5 chart.js@4 swagger-ui-dist@5 axe-core@4.14.1
	cp /tmp/jiujinan-vendor/node_modules/bootstrap/dist/css/bootstrap.min.css \
		/tmp/jiujinan-vendor/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
	cp /tmp/jiujinan-vendor/node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/
	cp /tmp/jiujinan-vendor/node_modules/swagger-ui-dist/swagger-ui.css \
		/tmp/jiujinan-vendor/node_modules/swagger-ui-dist/swagger-ui-bundle.js static/vendor/swagger-ui/
	cp /tmp/jiujinan-vendor/node_modules/axe-core/axe.min.js \
		/tmp/jiujinan-vendor/node_modules/axe-core/LICENSE tests/browser/vendor/axe-core/

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache tests/artifacts

# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite's processes (pytest-xdist); each has its own database and broker (tests/parallel.py).
TEST_PROCESSES ?= 2
# Where people open the application: the links in e-mails point there (`make run PORT=8080` moves both).
PUBLIC_URL := $(or $(CREDIT_PUBLIC_URL),http://$(HOST):$(PORT))
# Each external source's endpoint: the fake provider (flask connectors fake-provider) unless a real one is set.
FAKE_PROVIDER_PORT ?= 5099
FAKE_PROVIDER := http://127.0.0.1:$(FAKE_PROVIDER_PORT)
SOURCE_URLS := CREDIT_CONNECTOR_TAX_URL=$(or $(CREDIT_CONNECTOR_TAX_URL),$(FAKE_PROVIDER)) \
	CREDIT_CONNECTOR_COURT_URL=$(or $(CREDIT_CONNECTOR_COURT_URL),$(FAKE_PROVIDER))
export FLASK_APP := wsgi.py
export PYTHONPATH := $(CURDIR)
VENDOR := app/static/vendor
APT := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: run test install assets fonts chromium translations messages db demo serve lint bench clean

run: install assets fonts translations db demo serve

test: install assets fonts chromium translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# npm packages, copied into app/static/vendor (never hand-copied into git): the production bundles only.
# dmn-js's modeler is bundled here (esbuild) with Inferno's production build: every bundle dmn-js ships
# carries Inferno's development build, which logs to the browser console on each page that loads it.
assets: $(VENDOR)/.installed
$(VENDOR)/.installed: app/static/package.json app/static/package-lock.json app/static/src/dmn-modeler.js
	cd app/static && npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bpmn-js $(VENDOR)/dmn-js
	cp app/static/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp app/static/node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	cp app/static/node_modules/bpmn-js/dist/*.production.min.js $(VENDOR)/bpmn-js/
	cp -r app/static/node_modules/bpmn-js/dist/assets $(VENDOR)/bpmn-js/
	cp -r app/static/node_modules/dmn-js/dist/assets $(VENDOR)/dmn-js/
	app/static/node_modules/.bin/esbuild app/static/src/dmn-modeler.js --bundle --minify --format=iife \
	    --target=es2020 --define:process.env.NODE_ENV='"production"' --log-level=warning \
	    --outfile=$(VENDOR)/dmn-js/dmn-modeler.min.js
	touch $@

# A CJK font, or Chinese in PDFs renders as empty boxes.
fonts:
	@fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || { $(APT) update -qq && $(APT) install -y -qq fonts-wqy-microhei fontconfig; }

# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
chromium:
	@test -x /usr/bin/chromium || { $(APT) update -qq && $(APT) install -y -qq chromium; }

translations: install
	$(BIN)/pybabel -q compile -d app/translations -f

# After changing msgids: extract them, merge them into both catalogs, then translate what is new or fuzzy.
messages: install
	$(BIN)/pybabel -q extract -F app/translations/babel.cfg -k _l -k N_ -k kept -o app/translations/messages.pot .
	$(BIN)/pybabel -q update -i app/translations/messages.pot -d app/translations

db: install
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask workflows deploy --note "make run"

demo: install
	$(BIN)/flask demo load --if-empty

# The web server, a Celery worker with embedded beat (SQLite + kombu's SQLAlchemy transport), and the fake
# external data provider the worker pulls (unless every source has a real endpoint).
serve:
	@echo "Open $(PUBLIC_URL)/ (demo users and passwords printed above)"
	$(if $(and $(CREDIT_CONNECTOR_TAX_URL),$(CREDIT_CONNECTOR_COURT_URL)),,$(BIN)/flask connectors fake-provider \
	    --port $(FAKE_PROVIDER_PORT) & provider=$$!;) \
	$(SOURCE_URLS) CREDIT_PUBLIC_URL=$(PUBLIC_URL) $(BIN)/celery -A app.worker worker --beat \
	    --loglevel=INFO --concurrency=1 --schedule instance/celerybeat-schedule & worker=$$!; \
	trap "kill $$worker $$provider 2>/dev/null" EXIT INT TERM; \
	$(SOURCE_URLS) CREDIT_PUBLIC_URL=$(PUBLIC_URL) $(BIN)/flask run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/engine_overhead.py
	$(BIN)/python bench/inbox.py

clean:
	rm -rf $(VENV) app/static/node_modules $(VENDOR) instance

# dmflow: `make run` sets up and serves; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?= -n 2

.PHONY: install system-deps browser run test lint fuzz bench bench-quick clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# System packages for PDF notices (CJK fonts, HarfBuzz subsetting) and their tests (poppler), and the OpenLDAP
# server the directory tests start on loopback with their own temporary configuration (slapd); installed with
# apt when missing and we may (root on Debian/Ubuntu); otherwise those tests skip and say why.
SYSTEM_PACKAGES := fonts-noto-cjk poppler-utils libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 slapd

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: missing system packages ($$missing); PDF notices or the LDAP tests will not work"; fi; \
	fi

install: $(VENV)/.installed node_modules/.installed system-deps

run: install
	mkdir -p var
	$(BIN)/dmflow db upgrade
	$(BIN)/dmflow deploy --bundled
	$(BIN)/dmflow demo seed --tokens-file var/demo-tokens.txt
	$(BIN)/dmflow serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (never `playwright install`: it downloads a browser build, which
# fails here). Installed with apt when missing and we may; otherwise the browser tests skip and say why.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "warning: no /usr/bin/chromium; the browser tests (tests/ui) will be skipped"; fi; \
	fi

test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.run

bench-quick: install
	$(BIN)/python -m bench.run --quick

lint: install
	$(BIN)/ruff check .

# schemathesis over /api/v1/openapi.json (authenticated as an admin, on a fresh SQLite file): thousands of
# generated requests over every operation; fails on any 5xx or when fewer than 1,000 requests ran.
fuzz: install
	$(BIN)/pip install -q -e '.[test,fuzz]'
	$(BIN)/python -m pytest -q -p no:xdist -p no:cacheprovider -c /dev/null --rootdir=fuzz fuzz

clean:
	rm -rf $(VENV) node_modules var

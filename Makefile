# `make run` and `make test` work on a fresh clone: both create .venv and install first, and
# `npm ci` (osls for packaging; GraphiQL and React, which the local server serves itself).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

NODE_STAMP := node_modules/.installed-stamp
STAGE ?= dev
TEMPLATE := .serverless/cloudformation-template-update-stack.json

# The console (web/, its own npm package): built into web/dist when any of its sources changed,
# served by `usermgmt serve` at /console/ and uploaded by `make deploy`. Until web/package.json
# exists (a clone without the console) there is nothing to build and nothing is said.
WEB_STAMP := web/node_modules/.installed-stamp
CONSOLE := web/dist/index.html
CONSOLE_SOURCES := $(wildcard web/index.html web/vite.config.* web/tsconfig*.json) \
	$(shell find web/src web/public -type f 2>/dev/null)
ifneq ($(wildcard web/package.json),)
CONSOLE_BUILD := $(CONSOLE)
endif

.PHONY: install run test bench lint format typecheck lock clean package deploy console browser-test

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: install $(NODE_STAMP) $(CONSOLE_BUILD)
	$(BIN)/usermgmt serve

console: $(CONSOLE_BUILD)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(WEB_STAMP)) && touch $(WEB_STAMP)

$(CONSOLE): $(WEB_STAMP) $(CONSOLE_SOURCES)
	cd web && npm run build

test: install $(NODE_STAMP) lint typecheck package
	$(BIN)/pytest
	$(MAKE) browser-test

# The console in a real browser (tests/browser, its own npm package), after a check that its
# typed operations (web/src/gql) are what codegen makes from schema.graphql now (a schema change
# that breaks the console fails here, and its build's type check). Playwright drives the
# Chromium that @sparticuz/chromium ships inside its npm package (no browser download, ever),
# against `usermgmt serve` on a temporary data directory serving web/dist, rebuilt first when
# any of the console's sources changed.
BROWSER_STAMP := tests/browser/node_modules/.installed-stamp

$(BROWSER_STAMP): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $(BROWSER_STAMP)

browser-test: install $(BROWSER_STAMP) $(CONSOLE)
	cd web && npm run --silent codegen:check
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm test

# osls (the open-source Serverless Framework) and its Python plugin, and GraphiQL's built files
# (graphiql, react, react-dom: api/graphiql.py serves them), pinned by package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# Build every function's zip and the CloudFormation template without an AWS account, then lint
# the template. W3005 (an explicit DependsOn also implied by a reference) is Serverless's doing.
package: install $(NODE_STAMP)
	USERMGMT_PACKAGING_PYTHON=$(abspath $(BIN)/python) npx --no-install osls package --stage $(STAGE)
	$(BIN)/cfn-lint --ignore-checks W3005 -- $(TEMPLATE)

# The stack, then the console's build and its config.json into the stack's bucket
# (devtools/deploy_console.py; skipped with a note when there is no web/ to build).
deploy: install $(NODE_STAMP) $(CONSOLE_BUILD)
	USERMGMT_PACKAGING_PYTHON=$(abspath $(BIN)/python) npx --no-install osls deploy --stage $(STAGE)
	$(BIN)/python -m devtools.deploy_console --stage $(STAGE)

bench: install
	$(BIN)/usermgmt bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

# Pin every dependency to what a fresh resolve gives today; commit requirements.lock.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules .serverless \
		web/node_modules web/dist tests/browser/node_modules tests/browser/test-results
